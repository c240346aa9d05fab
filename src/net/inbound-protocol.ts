/**
 * The listening side of an internode connection as a synchronous state machine: bytes in, steps
 * out (handshake answered, message to deliver, connection to abort). TcpTransport's inbound
 * connections apply the steps to a socket; tests and the fuzzer drive it without one.
 *
 *   handshake --HANDSHAKE_REQ accepted--> open --any bad frame--> closed
 *   handshake --refused or any other frame--> closed
 *
 * Rules, each closing the connection with its NetErrorCode:
 *   - before the handshake, a frame body over HANDSHAKE_MAX_FRAME_BYTES: FRAME_TOO_LARGE
 *     (after it, over maxFrameBytes)
 *   - a checksum mismatch (BAD_HEADER_CHECKSUM, BAD_CHECKSUM), an envelope or payload that does
 *     not decode or fails its checks (BAD_ENVELOPE, BAD_PAYLOAD), an unknown verb (UNKNOWN_VERB)
 *   - a first frame other than HANDSHAKE_REQ, or a handshake once open: HANDSHAKE_EXPECTED
 *   - a handshake with an unknown connection class or a malformed endpoint: BAD_PAYLOAD
 *   - another cluster: CLUSTER_MISMATCH; no messaging version in common: INCOMPATIBLE_VERSION
 *     (both answered with a refusal before closing)
 *   - an envelope whose messaging version is not the agreed one: VERSION_MISMATCH
 */
import { decodeMessage, encodeMessage } from './envelope.js';
import type { AnyEnvelope } from './envelope.js';
import { NetError } from './errors.js';
import { FrameDecoder } from './frame.js';
import type { HandshakeResponse } from './payloads.js';
import type { Endpoint } from './transport.js';
import { parseEndpoint } from './transport.js';
import { CONNECTION_CLASSES, Verb, verbSpec } from './verbs.js';
import type { ConnectionClass } from './verbs.js';

/** Largest frame body accepted before the handshake: a stranger must not make a node buffer megabytes. */
export const HANDSHAKE_MAX_FRAME_BYTES = 4096;

export interface InboundConfig {
  clusterName: string;
  hostId: string;
  messagingVersion: number;
  minMessagingVersion: number;
  maxFrameBytes: number;
}

export type InboundStep =
  /** Write `response`; the connection is open and its messages come from `peer`. */
  | { kind: 'accepted'; peer: Endpoint; connectionClass: ConnectionClass; messagingVersion: number; response: Buffer }
  /** Write `response`, then close: a refusal the peer is told about. */
  | { kind: 'refused'; error: NetError; peer: Endpoint; response: Buffer }
  /** A message to deliver. */
  | { kind: 'message'; envelope: AnyEnvelope }
  /** Close at once, without an answer. */
  | { kind: 'abort'; error: NetError };

export type InboundPhase = 'handshake' | 'open' | 'closed';

export class InboundProtocol {
  private phase: InboundPhase = 'handshake';
  private readonly decoder = new FrameDecoder(HANDSHAKE_MAX_FRAME_BYTES);
  private peer: Endpoint | undefined;
  private agreedVersion = 0;

  constructor(private readonly config: InboundConfig) {}

  getPhase(): InboundPhase {
    return this.phase;
  }

  /** The peer's listen endpoint, once accepted. */
  peerEndpoint(): Endpoint | undefined {
    return this.peer;
  }

  /** Bytes buffered towards an incomplete frame. */
  bufferedBytes(): number {
    return this.decoder.bufferedBytes();
  }

  /** Feeds received bytes. Steps come in order; a 'refused' or 'abort' step is the last ever. */
  push(chunk: Buffer): InboundStep[] {
    if (this.phase === 'closed') return [];
    this.decoder.push(chunk);
    const steps: InboundStep[] = [];
    // Bounded by the bytes buffered: each pass consumes one whole frame or returns.
    for (;;) {
      let env: AnyEnvelope;
      try {
        const body = this.decoder.next();
        if (body === undefined) return steps;
        env = decodeMessage(body);
      } catch (e) {
        steps.push(this.abort(asNetError(e)));
        return steps;
      }
      const step = this.phase === 'handshake' ? this.onHandshake(env) : this.onMessage(env);
      steps.push(step);
      if (step.kind === 'refused' || step.kind === 'abort') return steps;
    }
  }

  /** Closes on a timeout or an I/O error of the caller's; returns the abort step. */
  abort(error: NetError): InboundStep {
    this.phase = 'closed';
    return { kind: 'abort', error };
  }

  private onMessage(env: AnyEnvelope): InboundStep {
    if (verbSpec(env.verb)?.handshake === true) return this.abort(new NetError('HANDSHAKE_EXPECTED', 'a second handshake on an open connection'));
    if (env.messagingVersion !== this.agreedVersion) {
      return this.abort(new NetError('VERSION_MISMATCH', `messaging version ${env.messagingVersion}, agreed ${this.agreedVersion}`));
    }
    return { kind: 'message', envelope: env };
  }

  private onHandshake(env: AnyEnvelope): InboundStep {
    const config = this.config;
    if (env.verb !== Verb.HANDSHAKE_REQ) return this.abort(new NetError('HANDSHAKE_EXPECTED', `first frame is ${Verb[env.verb]}, not a handshake`));
    const h = env.payload;
    if (!CONNECTION_CLASSES.includes(h.connectionClass)) return this.abort(new NetError('BAD_PAYLOAD', `unknown connection class ${h.connectionClass}`));
    try {
      parseEndpoint(h.endpoint);
    } catch {
      return this.abort(new NetError('BAD_PAYLOAD', `bad endpoint "${h.endpoint.slice(0, 100)}" in handshake`));
    }
    // The highest version both speak; none if the ranges do not overlap.
    const agreed = Math.min(config.messagingVersion, h.messagingVersion);
    let refusal: NetError | undefined;
    if (h.clusterName !== config.clusterName) {
      refusal = new NetError('CLUSTER_MISMATCH', `peer ${h.endpoint} is in cluster "${h.clusterName.slice(0, 100)}", this node in "${config.clusterName}"`);
    } else if (h.minMessagingVersion > h.messagingVersion || agreed < Math.max(config.minMessagingVersion, h.minMessagingVersion)) {
      refusal = new NetError(
        'INCOMPATIBLE_VERSION',
        `peer ${h.endpoint} speaks messaging versions ${h.minMessagingVersion}..${h.messagingVersion}, this node ${config.minMessagingVersion}..${config.messagingVersion}`,
      );
    }
    const rsp: HandshakeResponse = {
      accepted: refusal === undefined,
      reason: refusal?.code ?? '',
      messagingVersion: refusal === undefined ? agreed : config.messagingVersion,
      clusterName: config.clusterName,
      hostId: config.hostId,
    };
    // The handshake envelope never changes across versions, so it carries our own version.
    const response = encodeMessage({ id: env.id, verb: Verb.HANDSHAKE_RSP, senderHostId: config.hostId, messagingVersion: config.messagingVersion, payload: rsp });
    if (refusal !== undefined) {
      this.phase = 'closed';
      return { kind: 'refused', error: refusal, peer: h.endpoint, response };
    }
    this.phase = 'open';
    this.peer = h.endpoint;
    this.agreedVersion = agreed;
    this.decoder.setMaxFrameBytes(config.maxFrameBytes);
    return { kind: 'accepted', peer: h.endpoint, connectionClass: h.connectionClass, messagingVersion: agreed, response };
  }
}

export function asNetError(e: unknown): NetError {
  return e instanceof NetError ? e : new NetError('BAD_ENVELOPE', `undecodable input: ${e instanceof Error ? e.message : String(e)}`);
}
