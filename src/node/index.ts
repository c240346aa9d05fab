/** One node: configuration and the wiring of the modules; startup and shutdown. */
export { DEFAULT_CONFIG, NodeCore } from './node.js';
export type { NodeConfig, NodeSeams } from './node.js';
export { CQL_VERSION, NATIVE_PROTOCOL_VERSION, RELEASE_VERSION } from './local-info.js';
export { ConfigError, isWildcardAddress, parseConfig, validateAddresses } from './config.js';
export type { ParsedConfig } from './config.js';
export { RingtailNode } from './ringtail-node.js';
