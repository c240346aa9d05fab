/** The CQL query processor: statements prepared against the schema and run through a coordinator. */
export * from './api.js';
export { QueryProcessor } from './processor.js';
export type { QueryProcessorOptions } from './processor.js';
export { TimeUuidGenerator } from './timeuuid.js';
