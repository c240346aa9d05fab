/** Internode messaging: schema, framing, envelopes, the Transport seam, TCP and simulated transports. */
export { NetError } from './errors.js';
export type { NetErrorCode } from './errors.js';
export { INTERNODE_PROTO } from './schema.js';
export { ConnectionClass, CONNECTION_CLASSES, LARGE_MESSAGE_BYTES, Verb, allVerbSpecs, checkSendable, verbSpec } from './verbs.js';
export type { PayloadOf, VerbSpec } from './verbs.js';
export type {
  Echo,
  EndpointStateWire,
  GossipDigestAck,
  GossipDigestAck2,
  GossipDigestSyn,
  GossipDigestWire,
  GossipShutdown,
  HandshakeRequest,
  HandshakeResponse,
  VersionedValueWire,
} from './payloads.js';
export { DEFAULT_MAX_FRAME_BYTES, FRAME_OVERHEAD_BYTES, FRAME_SEED, FrameDecoder, encodeFrame } from './frame.js';
export { MESSAGING_VERSION, MIN_MESSAGING_VERSION, decodeMessage, encodeEnvelope, encodeEnvelopeBytes, encodeMessage, encodePayload } from './envelope.js';
export type { AnyEnvelope, Envelope } from './envelope.js';
export { emptyStats, formatEndpoint, parseEndpoint } from './transport.js';
export type { AnyInbound, Endpoint, Handler, InboundMessage, SendOptions, Transport, TransportStats } from './transport.js';
export { SimNetwork, SimTransport } from './sim-network.js';
export type { SimNetworkOptions, SimNetworkStats } from './sim-network.js';
export { TcpTransport } from './real-tcp-transport.js';
export type { OutboundInfo, OutboundState, TcpTransportOptions } from './real-tcp-transport.js';
export { HANDSHAKE_MAX_FRAME_BYTES, InboundProtocol } from './inbound-protocol.js';
export type { InboundConfig, InboundPhase, InboundStep } from './inbound-protocol.js';
