/**
 * Envelopes: a message's id, verb, sender and version around its payload (schema.ts, Envelope).
 * encodeMessage gives a complete frame; decodeMessage takes a frame body and either returns a
 * message whose payload is decoded and checked, or throws a NetError naming what was wrong.
 */
import { NetError } from './errors.js';
import { encodeFrame } from './frame.js';
import { messageType, TO_OBJECT } from './schema.js';
import { Verb, verbSpec } from './verbs.js';
import type { PayloadOf } from './verbs.js';

/** The messaging version this build speaks. Bump when the schema changes incompatibly. */
export const MESSAGING_VERSION = 1;
/** The oldest messaging version this build can still talk to. */
export const MIN_MESSAGING_VERSION = 1;

export interface Envelope<V extends Verb = Verb> {
  id: number;
  verb: V;
  senderHostId: string;
  messagingVersion: number;
  payload: PayloadOf[V];
}

/** An envelope of any one verb, narrowed by checking `verb`. */
export type AnyEnvelope = { [V in Verb]: Envelope<V> }[Verb];

const EnvelopeType = messageType('Envelope');

/** The encoded payload of a verb (no frame). Throws on a payload the schema cannot encode. */
export function encodePayload<V extends Verb>(verb: V, payload: PayloadOf[V]): Uint8Array {
  const spec = verbSpec(verb);
  if (spec === undefined) throw new NetError('UNKNOWN_VERB', `cannot encode unknown verb ${verb}`);
  const type = messageType(spec.messageType);
  return type.encode(payload as unknown as Record<string, unknown>).finish();
}

/** The encoded envelope (no frame). */
export function encodeEnvelope<V extends Verb>(env: Envelope<V>): Uint8Array {
  return encodeEnvelopeBytes(env.id, env.verb, env.senderHostId, env.messagingVersion, encodePayload(env.verb, env.payload));
}

/**
 * An envelope around an already encoded payload. The TCP transport encodes a payload once, when it
 * is queued (its size picks the connection class), and wraps it only when it is written, with the
 * messaging version agreed on the connection it finally travels on.
 */
export function encodeEnvelopeBytes(id: number, verb: Verb, senderHostId: string, messagingVersion: number, payload: Uint8Array): Uint8Array {
  return EnvelopeType.encode({ id, verb, senderHostId, messagingVersion, payload }).finish();
}

/** A whole frame carrying the envelope, ready for a socket. */
export function encodeMessage<V extends Verb>(env: Envelope<V>): Buffer {
  return encodeFrame(encodeEnvelope(env));
}

interface RawEnvelope {
  id: number;
  verb: number;
  senderHostId: string;
  messagingVersion: number;
  payload: Uint8Array;
}

/** Decodes a frame body into an envelope with a checked payload; throws NetError otherwise. */
export function decodeMessage(body: Uint8Array): AnyEnvelope {
  let raw: RawEnvelope;
  try {
    raw = EnvelopeType.toObject(EnvelopeType.decode(body), TO_OBJECT) as RawEnvelope;
  } catch (e) {
    throw new NetError('BAD_ENVELOPE', `envelope does not decode: ${(e as Error).message}`);
  }
  const spec = verbSpec(raw.verb);
  if (spec === undefined) throw new NetError('UNKNOWN_VERB', `unknown verb ${raw.verb}`);
  const type = messageType(spec.messageType);
  let payload: unknown;
  try {
    payload = type.toObject(type.decode(raw.payload), TO_OBJECT);
  } catch (e) {
    throw new NetError('BAD_PAYLOAD', `payload of verb ${Verb[spec.verb]} does not decode: ${(e as Error).message}`);
  }
  const problem = spec.check?.(payload as never);
  if (problem !== undefined) throw new NetError('BAD_PAYLOAD', `payload of verb ${Verb[spec.verb]} refused: ${problem}`);
  return {
    id: raw.id,
    verb: spec.verb,
    senderHostId: raw.senderHostId,
    messagingVersion: raw.messagingVersion,
    payload,
  } as AnyEnvelope;
}
