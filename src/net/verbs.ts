/**
 * Verbs: what a message is. The number is on the wire (Envelope.verb): never renumber a verb,
 * never reuse a retired number. Each verb names its payload message in schema.ts, the connection
 * class it travels on, how long it may wait in a queue before it is useless, and, for a response,
 * the request verb it answers.
 *
 * Adding a verb (mutations, reads, hints, schema, streaming arrive with their issues): a message in
 * schema.ts, a payload type in payloads.ts, a number below, a row in VERB_SPECS, and an entry in
 * PayloadOf. The transports need no change.
 */
import type {
  Echo,
  EndpointStateWire,
  GossipDigestAck,
  GossipDigestAck2,
  GossipDigestSyn,
  GossipDigestWire,
  GossipShutdown,
  HandshakeRequest,
  HandshakeResponse,
} from './payloads.js';

/** On the wire: never renumber. 0 is never sent (it is what a missing field decodes to). */
export enum Verb {
  HANDSHAKE_REQ = 1,
  HANDSHAKE_RSP = 2,
  GOSSIP_DIGEST_SYN = 3,
  GOSSIP_DIGEST_ACK = 4,
  GOSSIP_DIGEST_ACK2 = 5,
  GOSSIP_SHUTDOWN = 6,
  ECHO_REQ = 7,
  ECHO_RSP = 8,
}

/**
 * Connections are separate per class so that a large transfer never delays a heartbeat.
 * On the wire (HandshakeRequest.connection_class): never renumber.
 */
export enum ConnectionClass {
  URGENT = 0,
  SMALL = 1,
  LARGE = 2,
}

export const CONNECTION_CLASSES: readonly ConnectionClass[] = [ConnectionClass.URGENT, ConnectionClass.SMALL, ConnectionClass.LARGE];

/** The payload type of each verb. */
export interface PayloadOf {
  [Verb.HANDSHAKE_REQ]: HandshakeRequest;
  [Verb.HANDSHAKE_RSP]: HandshakeResponse;
  [Verb.GOSSIP_DIGEST_SYN]: GossipDigestSyn;
  [Verb.GOSSIP_DIGEST_ACK]: GossipDigestAck;
  [Verb.GOSSIP_DIGEST_ACK2]: GossipDigestAck2;
  [Verb.GOSSIP_SHUTDOWN]: GossipShutdown;
  [Verb.ECHO_REQ]: Echo;
  [Verb.ECHO_RSP]: Echo;
}

export interface VerbSpec {
  readonly verb: Verb;
  /** The payload's message name in schema.ts. */
  readonly messageType: string;
  /** The connection a message of this verb travels on, unless it is large (see LARGE_MESSAGE_BYTES). */
  readonly connectionClass: ConnectionClass;
  /** A queued message older than this is dropped (and counted) instead of sent. */
  readonly expiryMs: number;
  /** For a response verb: the request verb it answers (matched by message id). */
  readonly responseOf?: Verb;
  /** Checks a decoded payload beyond what protobuf checks; a reason string refuses it. */
  readonly check?: (payload: never) => string | undefined;
  /** Only valid as the first frame of a connection, never dispatched to handlers. */
  readonly handshake?: boolean;
}

/** A message whose encoded size is over this goes on the LARGE connection whatever its verb. */
export const LARGE_MESSAGE_BYTES = 64 * 1024;

function checkDigests(digests: GossipDigestWire[]): string | undefined {
  for (const d of digests) {
    if (!Number.isSafeInteger(d.generation)) return 'digest generation out of range';
  }
  return undefined;
}

function checkStates(states: Array<EndpointStateWire | null>): string | undefined {
  for (const s of states) {
    if (s === null) return 'missing endpoint state';
    if (!Number.isSafeInteger(s.generation)) return 'state generation out of range';
  }
  return undefined;
}

const GOSSIP_EXPIRY_MS = 2000;

const VERB_SPECS: VerbSpec[] = [
  { verb: Verb.HANDSHAKE_REQ, messageType: 'HandshakeRequest', connectionClass: ConnectionClass.URGENT, expiryMs: 10_000, handshake: true },
  { verb: Verb.HANDSHAKE_RSP, messageType: 'HandshakeResponse', connectionClass: ConnectionClass.URGENT, expiryMs: 10_000, handshake: true },
  {
    verb: Verb.GOSSIP_DIGEST_SYN,
    messageType: 'GossipDigestSyn',
    connectionClass: ConnectionClass.URGENT,
    expiryMs: GOSSIP_EXPIRY_MS,
    check: (p: GossipDigestSyn) => checkDigests(p.digests),
  },
  {
    verb: Verb.GOSSIP_DIGEST_ACK,
    messageType: 'GossipDigestAck',
    connectionClass: ConnectionClass.URGENT,
    expiryMs: GOSSIP_EXPIRY_MS,
    check: (p: GossipDigestAck) => checkDigests(p.requests) ?? checkStates(p.states),
  },
  {
    verb: Verb.GOSSIP_DIGEST_ACK2,
    messageType: 'GossipDigestAck2',
    connectionClass: ConnectionClass.URGENT,
    expiryMs: GOSSIP_EXPIRY_MS,
    check: (p: GossipDigestAck2) => checkStates(p.states),
  },
  {
    verb: Verb.GOSSIP_SHUTDOWN,
    messageType: 'GossipShutdown',
    connectionClass: ConnectionClass.URGENT,
    expiryMs: GOSSIP_EXPIRY_MS,
    check: (p: GossipShutdown) => checkStates([p.state]),
  },
  {
    verb: Verb.ECHO_REQ,
    messageType: 'Echo',
    connectionClass: ConnectionClass.URGENT,
    expiryMs: GOSSIP_EXPIRY_MS,
    check: (p: Echo) => (Number.isSafeInteger(p.generation) ? undefined : 'generation out of range'),
  },
  {
    verb: Verb.ECHO_RSP,
    messageType: 'Echo',
    connectionClass: ConnectionClass.URGENT,
    expiryMs: GOSSIP_EXPIRY_MS,
    responseOf: Verb.ECHO_REQ,
    check: (p: Echo) => (Number.isSafeInteger(p.generation) ? undefined : 'generation out of range'),
  },
];

const BY_NUMBER = new Map<number, VerbSpec>(VERB_SPECS.map((s) => [s.verb, s]));

/** The spec of a verb number, or undefined for a number we do not know. */
export function verbSpec(verb: number): VerbSpec | undefined {
  return BY_NUMBER.get(verb);
}

/** Every known verb spec, in number order. */
export function allVerbSpecs(): readonly VerbSpec[] {
  return VERB_SPECS;
}

/** Handshakes belong to the TCP transport's connections; sending one as a message is a bug. */
export function checkSendable(verb: Verb): void {
  const spec = BY_NUMBER.get(verb);
  if (spec === undefined || spec.handshake === true) throw new Error(`verb ${verb} cannot be sent as a message`);
}
