// Frames for fuzzing the internode decoder and listener, from a seeded Random: pure garbage,
// well-framed garbage, and real messages of every verb mutated in their frame, their envelope or
// their payload (with the checksums recomputed, so the mutation reaches the decoders behind them).
import { FRAME_SEED, MESSAGING_VERSION, Verb, allVerbSpecs, encodeEnvelopeBytes, encodeFrame, encodeMessage, encodePayload } from '../../src/net/index.js';
import { xxh32 } from '../../src/hash/index.js';
import type { PayloadOf } from '../../src/net/index.js';
import type { SeededRandom } from '../../src/seams/index.js';

const GEN = 1_767_225_600_000;
// Endpoints in fuzzed states are in 127.0.9.0/24, where no test node listens.
const ep = (i: number): string => `127.0.9.${i}:7000`;
const state = (i: number) => ({
  endpoint: ep(i),
  generation: GEN + i,
  heartbeatVersion: 10 + i,
  states: [
    { key: 1, value: 'NORMAL', version: 3 },
    { key: 2, value: '-4611686018427387904,0,4611686018427387904', version: 4 },
    { key: 3, value: '6f1d2c1e-0000-4000-8000-00000000000' + (i % 10), version: 5 },
  ],
});

export const FUZZ_CLUSTER = 'fuzz-cluster';
export const FUZZ_PEER = '127.0.0.3:7999';

/** One valid payload per verb: the seeds the mutations start from. */
export const BASE_PAYLOADS: { [V in Verb]: PayloadOf[V] } = {
  [Verb.HANDSHAKE_REQ]: { clusterName: FUZZ_CLUSTER, messagingVersion: MESSAGING_VERSION, minMessagingVersion: MESSAGING_VERSION, endpoint: FUZZ_PEER, hostId: 'fuzz', connectionClass: 0 },
  [Verb.HANDSHAKE_RSP]: { accepted: true, reason: '', messagingVersion: MESSAGING_VERSION, clusterName: FUZZ_CLUSTER, hostId: 'fuzz' },
  [Verb.GOSSIP_DIGEST_SYN]: { clusterName: FUZZ_CLUSTER, digests: [1, 2, 3].map((i) => ({ endpoint: ep(i), generation: GEN + i, maxVersion: 7 })) },
  [Verb.GOSSIP_DIGEST_ACK]: { requests: [{ endpoint: ep(4), generation: GEN, maxVersion: 0 }], states: [state(5), state(6)] },
  [Verb.GOSSIP_DIGEST_ACK2]: { states: [state(7)] },
  [Verb.GOSSIP_SHUTDOWN]: { state: { ...state(8), endpoint: FUZZ_PEER } },
  [Verb.ECHO_REQ]: { generation: 0 },
  [Verb.ECHO_RSP]: { generation: GEN },
};

const VERBS = allVerbSpecs().map((s) => s.verb);

/** 1-4 random byte-level mutations: flips, overwrites, insertions, deletions, truncation, repeats. */
export function mutate(r: SeededRandom, input: Uint8Array): Buffer {
  let b = Buffer.from(input);
  const n = 1 + r.int(4);
  for (let i = 0; i < n; i++) {
    const at = b.length === 0 ? 0 : r.int(b.length);
    switch (r.int(7)) {
      case 0:
        if (b.length > 0) b[at] ^= 1 << r.int(8);
        break;
      case 1:
        if (b.length > 0) b[at] = r.int(256);
        break;
      case 2:
        b = Buffer.concat([b.subarray(0, at), r.bytes(1 + r.int(8)), b.subarray(at)]);
        break;
      case 3:
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + r.int(8)))]);
        break;
      case 4:
        b = b.subarray(0, at);
        break;
      case 5:
        b = Buffer.concat([b, b.subarray(at, at + 1 + r.int(16))]);
        break;
      default:
        // A varint-looking byte: protobuf lengths and tags are where decoders go wrong.
        if (b.length > 0) b[at] = [0x00, 0x7f, 0x80, 0xff, 0x08, 0x0a, 0x12][r.int(7)];
    }
  }
  return b;
}

function randomVerb(r: SeededRandom): Verb {
  return VERBS[r.int(VERBS.length)];
}

/** A frame for the fuzzer: `kind` says how it was made. */
export function fuzzFrame(r: SeededRandom): { kind: string; frame: Buffer } {
  const verb = randomVerb(r);
  const payload = encodePayload(verb, BASE_PAYLOADS[verb] as never);
  const roll = r.int(100);
  if (roll < 5) return { kind: 'random bytes', frame: r.bytes(r.int(64)) };
  if (roll < 10) {
    // A well-checksummed header announcing any length at all: only the maximum stops it.
    const length = r.next() < 0.5 ? r.u32() : r.int(1 << 21);
    const header = encodeFrame(Buffer.alloc(0)).subarray(0, 8);
    header.writeUInt32BE(length, 0);
    header.writeUInt32BE(xxh32(header.subarray(0, 4), FRAME_SEED), 4);
    return { kind: 'any length', frame: Buffer.concat([header, r.bytes(r.int(64))]) };
  }
  if (roll < 20) return { kind: 'framed random body', frame: encodeFrame(r.bytes(r.int(200))) };
  if (roll < 45) {
    const envelope = encodeEnvelopeBytes(r.int(1000), verb, 'fuzz', MESSAGING_VERSION, payload);
    return { kind: 'mutated envelope', frame: encodeFrame(mutate(r, envelope)) };
  }
  if (roll < 75) return { kind: 'mutated payload', frame: encodeFrame(encodeEnvelopeBytes(r.int(1000), verb, 'fuzz', MESSAGING_VERSION, mutate(r, payload))) };
  if (roll < 90) return { kind: 'mutated frame', frame: mutate(r, encodeMessage({ id: r.int(1000), verb, senderHostId: 'fuzz', messagingVersion: MESSAGING_VERSION, payload: BASE_PAYLOADS[verb] as never })) };
  return { kind: 'valid', frame: encodeFrame(encodeEnvelopeBytes(r.int(1000), verb, 'fuzz', MESSAGING_VERSION, payload)) };
}

/** A valid handshake from the fuzz peer, occasionally mutated. */
export function fuzzHandshake(r: SeededRandom): Buffer {
  const frame = encodeMessage({ id: 0, verb: Verb.HANDSHAKE_REQ, senderHostId: 'fuzz', messagingVersion: MESSAGING_VERSION, payload: BASE_PAYLOADS[Verb.HANDSHAKE_REQ] });
  return r.int(10) === 0 ? encodeFrame(mutate(r, frame.subarray(8, frame.length - 4))) : frame;
}
