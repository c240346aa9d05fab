/**
 * server: the native protocol v4 server (see README.md). The only door into src/server.
 */
export { NativeServer, DEFAULT_MAX_FRAME_BYTES } from './server.js';
export type { NativeServerOptions } from './server.js';
export type { ServerEvent, StatusChange, TopologyChange } from './events.js';
export type { EventType } from './requests.js';
// The protocol pieces, for the project's own driver and for tests.
export { Connection } from './connection.js';
export type { ConnectionOptions, Wire } from './connection.js';
export { encodeFrame, EVENT_STREAM, FrameFlag, HEADER_BYTES, Opcode, opcodeName, REQUEST_VERSION_BYTE, RESPONSE_VERSION_BYTE } from './frame.js';
export type { Frame } from './frame.js';
export { FrameDecoder, FrameError } from './frame-decoder.js';
export { BodyReader } from './reader.js';
export { FrameWriter } from './writer.js';
export { CQL_VERSION, SUPPORTED_OPTIONS, unsupportedVersionMessage } from './handshake.js';
export { QueryFlag } from './requests.js';
export { MetadataFlag, ResultKind } from './results.js';
