// Fuzz: 100,000 random and mutated frames (test/net/fuzz-frames.ts) into the decoder, and 100,000
// into a live TCP listener. The decoder only ever returns a checked message or throws a NetError;
// the listener closes exactly the connections its protocol says it must, with the predicted
// reasons, and meanwhile keeps gossiping with a well-behaved peer as if nothing happened.
import t from 'tap';
import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { FrameDecoder, InboundProtocol, MESSAGING_VERSION, MIN_MESSAGING_VERSION, NetError, TcpTransport, Verb, decodeMessage, encodeMessage } from '../../src/net/index.js';
import type { AnyEnvelope, NetErrorCode } from '../../src/net/index.js';
import { ApplicationState, Gossiper, GossipService, Status } from '../../src/gossip/index.js';
import type { GossipEvent } from '../../src/gossip/index.js';
import { RealClock, SeededRandom } from '../../src/seams/index.js';
import { FUZZ_CLUSTER, fuzzFrame, fuzzHandshake } from './fuzz-frames.js';
import { LoopbackOnly, freePort, hostId, until } from './helpers.js';

const FRAMES = 100_000;
const SEED = Number(process.env.FUZZ_SEED ?? 4242);

t.test(`${FRAMES} fuzz frames into the decoder: a checked message or a NetError, nothing else (seed ${SEED})`, async (t) => {
  const r = new SeededRandom(SEED);
  const outcomes = new Map<string, number>();
  const count = (k: string): void => void outcomes.set(k, (outcomes.get(k) ?? 0) + 1);
  const escaped: string[] = [];
  let roundTripped = 0;
  for (let i = 0; i < FRAMES; i++) {
    const { frame } = fuzzFrame(r);
    const decoder = new FrameDecoder(1 << 20);
    // Arrive in random pieces, as from a socket.
    for (let at = 0; at < frame.length; ) {
      const n = 1 + r.int(frame.length - at);
      decoder.push(frame.subarray(at, at + n));
      at += n;
    }
    try {
      const body = decoder.next();
      if (body === undefined) {
        count('incomplete');
        continue;
      }
      const env: AnyEnvelope = decodeMessage(body);
      count('decoded');
      // Whatever decodes is a well-formed message: it re-encodes and decodes to itself.
      const again = decodeMessage(encodeMessage(env).subarray(8, -4));
      if (JSON.stringify(again) === JSON.stringify(env)) roundTripped++;
      else escaped.push(`decoded message does not round-trip: ${JSON.stringify(env).slice(0, 200)}`);
    } catch (e) {
      if (e instanceof NetError) count(e.code);
      else escaped.push(`${(e as Error).name}: ${(e as Error).message}`);
    }
  }
  t.same(escaped.slice(0, 5), [], `no other exception escaped (${escaped.length})`);
  t.comment(JSON.stringify(Object.fromEntries(outcomes)));
  t.equal(roundTripped, outcomes.get('decoded'));
  // The fuzz reaches every layer: framing, envelope, verb table, payload decoding and checks.
  for (const k of ['decoded', 'incomplete', 'BAD_HEADER_CHECKSUM', 'BAD_CHECKSUM', 'FRAME_TOO_LARGE', 'BAD_ENVELOPE', 'UNKNOWN_VERB', 'BAD_PAYLOAD'] as const) {
    t.ok((outcomes.get(k) ?? 0) > 100, `${k}: ${outcomes.get(k) ?? 0}`);
  }
});

t.test('the inbound protocol survives fuzz streams: many frames per connection, split anywhere', async (t) => {
  const r = new SeededRandom(SEED + 1);
  const config = { clusterName: FUZZ_CLUSTER, hostId: 'x', messagingVersion: MESSAGING_VERSION, minMessagingVersion: MIN_MESSAGING_VERSION, maxFrameBytes: 1 << 20 };
  const escaped: string[] = [];
  const closes = new Map<NetErrorCode, number>();
  let delivered = 0;
  for (let c = 0; c < 5000; c++) {
    const p = new InboundProtocol(config);
    const stream = Buffer.concat([fuzzHandshake(r), ...Array.from({ length: 1 + r.int(8) }, () => fuzzFrame(r).frame)]);
    try {
      for (let at = 0; at < stream.length && p.getPhase() !== 'closed'; ) {
        const n = 1 + r.int(64);
        for (const step of p.push(stream.subarray(at, at + n))) {
          if (step.kind === 'message') delivered++;
          if (step.kind === 'abort' || step.kind === 'refused') closes.set(step.error.code, (closes.get(step.error.code) ?? 0) + 1);
        }
        at += n;
      }
    } catch (e) {
      escaped.push(String(e));
    }
  }
  t.same(escaped, [], 'push() never throws');
  t.ok(delivered > 500, `${delivered} messages delivered`);
  t.ok(closes.size >= 6, `closed for ${closes.size} different reasons: ${JSON.stringify(Object.fromEntries(closes))}`);
});

t.test(`${FRAMES} fuzz frames into a live TCP listener while it keeps gossiping with a well-behaved peer`, async (t) => {
  const port = await freePort(['127.0.0.1', '127.0.0.2']);
  const clock = new RealClock();
  const INTERVAL = 500;
  const node = async (endpoint: string, seeds: string[]) => {
    const transport = await TcpTransport.listen({ clusterName: FUZZ_CLUSTER, endpoint, hostId: hostId(), clock, reconnectBaseMs: 50, reconnectMaxMs: 1000 });
    // Fuzzed states and handshakes name endpoints that gossip then tries to reach: keep those on loopback.
    const gossiper = new Gossiper({ clusterName: FUZZ_CLUSTER, self: endpoint, seeds, generation: clock.nowMs(), intervalMs: INTERVAL }, new SeededRandom(randomInt(2 ** 31)));
    const service = new GossipService({ transport: new LoopbackOnly(transport), clock, gossiper });
    const events: GossipEvent[] = [];
    gossiper.subscribe((e) => events.push(e));
    return { transport, gossiper, service, events };
  };
  const target = await node(`127.0.0.1:${port}`, [`127.0.0.1:${port}`]);
  const peer = await node(`127.0.0.2:${port}`, [`127.0.0.1:${port}`]);
  t.teardown(async () => {
    for (const n of [target, peer]) {
      n.service.halt();
      await n.transport.close();
    }
  });
  await target.service.start({ [ApplicationState.STATUS]: Status.NORMAL });
  await peer.service.start({ [ApplicationState.STATUS]: Status.NORMAL });
  await until(() => target.gossiper.isAlive(peer.gossiper.self) && peer.gossiper.isAlive(target.gossiper.self), 'the two nodes see each other up', 20_000);
  const heartbeatBefore = peer.gossiper.endpointState(target.gossiper.self)!.heartbeatVersion;
  const eventsBefore = { target: target.events.length, peer: peer.events.length };
  const closesBefore = { ...target.transport.stats().closedByReason };

  const fuzzStartedMs = performance.now();
  const fixture = new URL('./fixtures/fuzz-client.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, [...process.execArgv, fixture, target.transport.endpoint, String(FRAMES), String(SEED + 2)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exitCode = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.equal(exitCode, 0, `the fuzzer finished ${err.slice(-1000)}`);
  const summary = JSON.parse(out.trim()) as { frames: number; connections: number; accepted: number; incomplete: number; predicted: Record<string, number>; kinds: Record<string, number>; problems: string[]; seconds: number };
  t.comment(JSON.stringify(summary));
  t.ok(summary.frames >= FRAMES, `${summary.frames} fuzz frames sent over ${summary.connections} connections in ${summary.seconds.toFixed(1)} s`);
  t.same(summary.problems, [], 'the listener closed every connection it had to');

  // Every refused connection was closed for the reason its protocol predicts, and no other.
  const closes = target.transport.stats().closedByReason;
  const delta: Record<string, number> = {};
  for (const [code, n] of Object.entries(closes)) if (n - ((closesBefore as Record<string, number>)[code] ?? 0) > 0) delta[code] = n - ((closesBefore as Record<string, number>)[code] ?? 0);
  t.same(delta, summary.predicted, 'closes by reason match the prediction exactly');
  t.equal(target.transport.stats().handlerErrors, 0, 'no handler threw');

  // The well-behaved peer was served throughout: gossip advanced, nobody was convicted.
  const rounds = (performance.now() - fuzzStartedMs) / INTERVAL;
  const heartbeatAfter = peer.gossiper.endpointState(target.gossiper.self)!.heartbeatVersion;
  // One heartbeat per round of the target's; the peer hears of them a few rounds late at most.
  t.ok(heartbeatAfter - heartbeatBefore >= rounds / 2 - 3, `the peer kept receiving the target's heartbeats: ${heartbeatAfter - heartbeatBefore} in ${rounds.toFixed(0)} rounds`);
  const downs = [...target.events.slice(eventsBefore.target), ...peer.events.slice(eventsBefore.peer)].filter((e) => e.type === 'down' && (e.endpoint === peer.gossiper.self || e.endpoint === target.gossiper.self));
  t.same(downs, [], 'neither node convicted the other during the fuzz');
  const echo = await peer.transport.request(target.transport.endpoint, Verb.ECHO_REQ, { generation: 0 }, 5000);
  t.equal(echo.from, target.transport.endpoint, 'the target still answers requests');
  t.ok(target.gossiper.isAlive(peer.gossiper.self) && peer.gossiper.isAlive(target.gossiper.self));
});
