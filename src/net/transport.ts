/**
 * The Transport seam: send a message to an endpoint, receive messages. TcpTransport
 * (real-tcp-transport.ts) and SimTransport (sim-network.ts) implement it and pass the same
 * conformance suite (test/net/transport-conformance.ts).
 *
 * Delivery is at most once and unordered across connection classes: a message may be lost (peer
 * down, queue full or expired, simulated loss). Protocols above it (gossip, the coordinator) are
 * written to tolerate that; request() turns silence into a REQUEST_TIMEOUT.
 */
import type { NetErrorCode } from './errors.js';
import type { ConnectionClass, PayloadOf, Verb } from './verbs.js';

/** A node's internode address, "address:port" (e.g. "127.0.0.2:7000"). */
export type Endpoint = string;

export interface InboundMessage<V extends Verb = Verb> {
  readonly id: number;
  readonly verb: V;
  /** The sender's listen endpoint (from the handshake, not the socket's ephemeral port). */
  readonly from: Endpoint;
  readonly senderHostId: string;
  readonly messagingVersion: number;
  readonly payload: PayloadOf[V];
}

/** An inbound message of any one verb, narrowed by checking `verb`. */
export type AnyInbound = { [V in Verb]: InboundMessage<V> }[Verb];

export type Handler<V extends Verb> = (msg: InboundMessage<V>) => void;

export interface SendOptions {
  /** Drop the message instead of sending it if it has waited this long (default: the verb's). */
  expiryMs?: number;
  /** Force a connection class (default: the verb's, or LARGE for a large message). */
  connectionClass?: ConnectionClass;
}

export interface Transport {
  readonly endpoint: Endpoint;
  readonly hostId: string;
  /** Registers the handler of a verb; a message of a verb without one is dropped and counted. */
  handle<V extends Verb>(verb: V, handler: Handler<V>): void;
  /** Queues a one-way message. Never throws for an unreachable peer: the message is dropped and counted. */
  send<V extends Verb>(to: Endpoint, verb: V, payload: PayloadOf[V], options?: SendOptions): void;
  /**
   * Sends a request and resolves with the response carrying its id (a verb whose spec has
   * responseOf), or rejects with NetError REQUEST_TIMEOUT after timeoutMs.
   */
  request<V extends Verb>(to: Endpoint, verb: V, payload: PayloadOf[V], timeoutMs: number): Promise<AnyInbound>;
  /** Answers a request: the response carries the request's id. */
  respond<V extends Verb>(request: InboundMessage, verb: V, payload: PayloadOf[V]): void;
  stats(): TransportStats;
  /** Stops sending and receiving; pending requests reject with CLOSED. */
  close(): Promise<void>;
}

export interface TransportStats {
  /** Messages handed to the network (written to a socket, or to the simulated network). */
  sent: number;
  /** Messages received and decoded (handshakes excluded). */
  received: number;
  /** Dropped because they waited longer than their expiry. */
  droppedExpired: number;
  /** Dropped because the queue towards the peer was full. */
  droppedQueueFull: number;
  /** Dropped because the peer was unknown or down, or the transport was closed. */
  droppedUnreachable: number;
  /** Received but nobody wanted them: no handler for the verb, or a response nobody waits for. */
  droppedUnhandled: number;
  requestTimeouts: number;
  /**
   * A handler threw. The TCP transport logs and counts it and keeps the connection (bad input is
   * refused by the decoder, so a throw is a bug above the transport); SimTransport lets it propagate
   * so that a simulation fails loudly at the bug.
   */
  handlerErrors: number;
  /** Handshakes refused, by us or by the peer. */
  handshakesRefused: number;
  /** Inbound connections closed at once because the listener already held its maximum. */
  inboundRefused: number;
  /** Connections closed because of what the peer sent, by reason. */
  closedByReason: Partial<Record<NetErrorCode, number>>;
}

export function emptyStats(): TransportStats {
  return {
    sent: 0,
    received: 0,
    droppedExpired: 0,
    droppedQueueFull: 0,
    droppedUnreachable: 0,
    droppedUnhandled: 0,
    requestTimeouts: 0,
    handlerErrors: 0,
    handshakesRefused: 0,
    inboundRefused: 0,
    closedByReason: {},
  };
}

export function countClose(stats: TransportStats, code: NetErrorCode): void {
  stats.closedByReason[code] = (stats.closedByReason[code] ?? 0) + 1;
}

/** Splits "address:port"; throws on anything else. */
export function parseEndpoint(endpoint: Endpoint): { host: string; port: number } {
  const i = endpoint.lastIndexOf(':');
  const port = Number(endpoint.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`bad endpoint "${endpoint}"`);
  return { host: endpoint.slice(0, i), port };
}

export function formatEndpoint(host: string, port: number): Endpoint {
  return `${host}:${port}`;
}
