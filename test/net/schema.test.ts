// The wire schema: internode.proto is the source of truth and schema.ts embeds it; every verb's
// payload round-trips through protobuf; numbers on the wire stay what they are.
import t from 'tap';
import { readFileSync } from 'node:fs';
import { ConnectionClass, INTERNODE_PROTO, Verb, allVerbSpecs, decodeMessage, encodeMessage } from '../../src/net/index.js';
import { BASE_PAYLOADS } from './fuzz-frames.js';

t.test('the embedded schema is internode.proto, byte for byte', async (t) => {
  const file = readFileSync(new URL('../../src/net/internode.proto', import.meta.url), 'utf8');
  t.equal(INTERNODE_PROTO, file);
});

t.test('wire numbers never change', async (t) => {
  t.same(
    allVerbSpecs().map((s) => [Verb[s.verb], s.verb]),
    [['HANDSHAKE_REQ', 1], ['HANDSHAKE_RSP', 2], ['GOSSIP_DIGEST_SYN', 3], ['GOSSIP_DIGEST_ACK', 4], ['GOSSIP_DIGEST_ACK2', 5], ['GOSSIP_SHUTDOWN', 6], ['ECHO_REQ', 7], ['ECHO_RSP', 8]],
  );
  t.same([ConnectionClass.URGENT, ConnectionClass.SMALL, ConnectionClass.LARGE], [0, 1, 2]);
  t.ok(allVerbSpecs().filter((s) => s.verb >= Verb.GOSSIP_DIGEST_SYN && s.verb <= Verb.ECHO_RSP).every((s) => s.connectionClass === ConnectionClass.URGENT), 'gossip travels URGENT');
});

t.test('every verb round-trips through frame, envelope and payload', async (t) => {
  for (const spec of allVerbSpecs()) {
    const env = { id: 4_000_000_000, verb: spec.verb, senderHostId: 'host', messagingVersion: 1, payload: BASE_PAYLOADS[spec.verb] as never };
    const frame = encodeMessage(env);
    t.same(decodeMessage(frame.subarray(8, -4)), env, Verb[spec.verb]);
  }
});

t.test('64-bit generations above 2^53 are refused, not rounded', async (t) => {
  const env = { id: 1, verb: Verb.ECHO_REQ, senderHostId: 'h', messagingVersion: 1, payload: { generation: 2 ** 53 + 2 } };
  t.throws(() => decodeMessage(encodeMessage(env as never).subarray(8, -4)), { code: 'BAD_PAYLOAD' });
});
