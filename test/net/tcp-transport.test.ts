// TcpTransport over real sockets on 127.0.0.1-3: the Transport conformance suite, then what only a
// real transport has: the handshake (other cluster, incompatible version), one connection per peer
// per class with large transfers not delaying urgent ones, capped exponential reconnect backoff
// (on a SimClock, so the schedule is exact), bounded queues with expiry towards a slow peer, and
// bad input closing only the offending connection with a logged reason.
import t from 'tap';
import * as net from 'node:net';
import {
  ConnectionClass,
  FrameDecoder,
  HANDSHAKE_MAX_FRAME_BYTES,
  MESSAGING_VERSION,
  NetError,
  TcpTransport,
  Verb,
  decodeMessage,
  encodeEnvelopeBytes,
  encodeFrame,
  encodeMessage,
  encodePayload,
} from '../../src/net/index.js';
import type { AnyInbound, Endpoint, NetErrorCode, TcpTransportOptions, Transport } from '../../src/net/index.js';
import { RealClock, SimClock } from '../../src/seams/index.js';
import { transportConformance } from './transport-conformance.js';
import type { ConformanceHarness } from './transport-conformance.js';
import { capturingLogger, hostId, until } from './helpers.js';

const HOSTS = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
const CLUSTER = 'tcp-test';
const clock = new RealClock();

function listen(endpoint: Endpoint, extra: Partial<TcpTransportOptions> = {}): Promise<TcpTransport> {
  return TcpTransport.listen({ clusterName: CLUSTER, endpoint, hostId: hostId(), clock, reconnectBaseMs: 20, reconnectMaxMs: 200, ...extra });
}

function tcpHarness(): ConformanceHarness {
  const open: TcpTransport[] = [];
  let n = 0;
  return {
    create: async () => {
      const tr = await listen(`${HOSTS[n++ % HOSTS.length]}:0`);
      open.push(tr);
      return tr;
    },
    recreate: async (endpoint) => {
      const tr = await listen(endpoint);
      open.push(tr);
      return tr;
    },
    until: (pred, what, maxMs) => until(pred, what, maxMs),
    // Port 1 (tcpmux) is privileged and unused: connections to it are refused at once.
    deadEndpoint: () => '127.0.0.1:1',
    cleanup: async () => {
      for (const tr of open) await tr.close();
    },
  };
}

transportConformance(t, tcpHarness);

/** Waits for a promise to settle without throwing; returns its error (or undefined). */
async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return e;
  }
}

const echoResponder = (tr: Transport, generation = 1): void => tr.handle(Verb.ECHO_REQ, (m) => tr.respond(m, Verb.ECHO_RSP, { generation }));

t.test('a peer of another cluster is refused at the handshake, on both sides', async (t) => {
  const { logger, lines } = capturingLogger();
  const a = await listen('127.0.0.1:0', { clusterName: 'alpha' });
  const b = await listen('127.0.0.2:0', { clusterName: 'beta', logger });
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  let delivered = 0;
  b.handle(Verb.GOSSIP_DIGEST_SYN, () => delivered++);
  a.send(b.endpoint, Verb.GOSSIP_DIGEST_SYN, { clusterName: 'alpha', digests: [] });
  await until(() => a.stats().handshakesRefused === 1 && b.stats().handshakesRefused === 1, 'both count the refusal');
  t.equal(b.stats().closedByReason.CLUSTER_MISMATCH, 1);
  t.equal(delivered, 0, 'nothing delivered');
  t.equal(a.stats().droppedUnreachable, 1, 'the queued message is dropped as undeliverable');
  t.ok(lines.some((l) => l.reason === 'CLUSTER_MISMATCH' && String(l.err).includes('"alpha"')), 'the refusal is logged with its reason');
  // Requests to it do not hang: they time out.
  const e = await failure(a.request(b.endpoint, Verb.ECHO_REQ, { generation: 0 }, 300));
  t.equal((e as NetError).code, 'REQUEST_TIMEOUT');
});

t.test('messaging versions: overlapping ranges agree on the highest common one, disjoint ones are refused', async (t) => {
  const old = await listen('127.0.0.1:0', { messagingVersion: MESSAGING_VERSION, minMessagingVersion: MESSAGING_VERSION });
  const newer = await listen('127.0.0.2:0', { messagingVersion: MESSAGING_VERSION + 1, minMessagingVersion: MESSAGING_VERSION });
  const future = await listen('127.0.0.3:0', { messagingVersion: MESSAGING_VERSION + 3, minMessagingVersion: MESSAGING_VERSION + 2 });
  t.teardown(async () => {
    for (const tr of [old, newer, future]) await tr.close();
  });
  echoResponder(old);
  echoResponder(newer);
  const got: AnyInbound[] = [];
  old.handle(Verb.GOSSIP_DIGEST_SYN, (m) => got.push(m));
  newer.send(old.endpoint, Verb.GOSSIP_DIGEST_SYN, { clusterName: CLUSTER, digests: [] });
  await until(() => got.length === 1, 'the newer node reaches the older one');
  t.equal(got[0].messagingVersion, MESSAGING_VERSION, 'they speak the older version');
  const rsp = await newer.request(old.endpoint, Verb.ECHO_REQ, { generation: 0 }, 2000);
  t.equal(rsp.verb, Verb.ECHO_RSP);
  future.send(old.endpoint, Verb.GOSSIP_DIGEST_SYN, { clusterName: CLUSTER, digests: [] });
  await until(() => old.stats().closedByReason.INCOMPATIBLE_VERSION === 1 && future.stats().handshakesRefused === 1, 'the future node is refused');
  t.equal(got.length, 1, 'nothing from the incompatible node was delivered');
});

t.test('one connection per peer per class; a large backlog does not delay an urgent message', async (t) => {
  const a = await listen('127.0.0.1:0');
  const b = await listen('127.0.0.2:0');
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  echoResponder(b);
  let largeReceived = 0;
  b.handle(Verb.GOSSIP_DIGEST_ACK2, () => largeReceived++);
  b.handle(Verb.GOSSIP_DIGEST_SYN, () => {});
  // Each ACK2 carries ~1 MiB of state: over LARGE_MESSAGE_BYTES, so it goes on the LARGE connection.
  const states = Array.from({ length: 64 }, (_, i) => ({ endpoint: `127.0.9.${i}:7000`, generation: 1, heartbeatVersion: 1, states: [{ key: 1, value: 'x'.repeat(16 * 1024), version: 1 }] }));
  const LARGE = 48;
  for (let i = 0; i < LARGE; i++) a.send(b.endpoint, Verb.GOSSIP_DIGEST_ACK2, { states });
  a.send(b.endpoint, Verb.GOSSIP_DIGEST_SYN, { clusterName: CLUSTER, digests: [] }, { connectionClass: ConnectionClass.SMALL });
  const rsp = await a.request(b.endpoint, Verb.ECHO_REQ, { generation: 0 }, 5000);
  const largeWhenUrgentAnswered = largeReceived;
  t.equal(rsp.verb, Verb.ECHO_RSP);
  t.ok(largeWhenUrgentAnswered < LARGE, `the urgent round trip finished with ${largeWhenUrgentAnswered} of ${LARGE} large messages delivered`);
  await until(() => largeReceived === LARGE, 'all large messages arrive', 20_000);
  const classes = a
    .connections()
    .filter((c) => c.peer === b.endpoint)
    .map((c) => [ConnectionClass[c.connectionClass], c.state, c.established, c.sent])
    .sort();
  t.same(classes, [
    ['LARGE', 'ready', 1, LARGE],
    ['SMALL', 'ready', 1, 1],
    ['URGENT', 'ready', 1, 1],
  ]);
  t.equal(b.inboundCount(), 3, 'b holds three inbound connections from a');
  t.same(b.inboundPeers(), [a.endpoint]);
  t.equal(a.inboundCount(), 1, 'a holds one from b: the URGENT connection the echo response came on');
});

t.test('reconnection backs off exponentially up to the cap, and resets after a handshake', async (t) => {
  // A SimClock drives the transport's timers, so the schedule is exact; the sockets are real.
  const sim = new SimClock();
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen({ host: '127.0.0.2', port: 0 }, () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const target = `127.0.0.2:${port}`;
  const a = await TcpTransport.listen({ clusterName: CLUSTER, endpoint: '127.0.0.1:0', hostId: hostId(), clock: sim, reconnectBaseMs: 100, reconnectMaxMs: 800 });
  t.teardown(() => a.close());
  a.send(target, Verb.GOSSIP_DIGEST_SYN, { clusterName: CLUSTER, digests: [] }, { expiryMs: 1_000_000 });
  const conn = () => a.connections().find((c) => c.peer === target)!;
  const expected = [100, 200, 400, 800, 800];
  for (const [i, delay] of expected.entries()) {
    await until(() => conn().state === 'backoff' && conn().failures === i + 1, `failure ${i + 1} recorded`);
    await sim.advance(delay - 1);
    t.equal(conn().state, 'backoff', `still waiting 1 ms before attempt ${i + 2} (delay ${delay} ms)`);
    await sim.advance(1);
    t.not(conn().state, 'backoff', `attempt ${i + 2} after exactly ${delay} ms`);
  }
  // The peer comes up: the next attempt succeeds, the queued message is delivered, failures reset.
  await until(() => conn().state === 'backoff' && conn().failures === 6, 'the sixth attempt failed too');
  const b = await TcpTransport.listen({ clusterName: CLUSTER, endpoint: target, hostId: hostId(), clock: sim });
  t.teardown(() => b.close());
  let got = 0;
  b.handle(Verb.GOSSIP_DIGEST_SYN, () => got++);
  await sim.advance(800);
  await until(() => got === 1, 'the queued message arrives after the reconnect');
  t.equal(conn().failures, 0);
  t.equal(conn().state, 'ready');
});

/** A fake peer that completes the handshake, then never reads: the slowest peer there is. */
async function stalledPeer(host: string): Promise<{ endpoint: Endpoint; close: () => Promise<void> }> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((socket) => {
    sockets.push(socket);
    const decoder = new FrameDecoder(HANDSHAKE_MAX_FRAME_BYTES);
    socket.once('data', (chunk: Buffer) => {
      decoder.push(chunk);
      const req = decodeMessage(decoder.next()!);
      const payload = { accepted: true, reason: '', messagingVersion: MESSAGING_VERSION, clusterName: CLUSTER, hostId: 'stalled' };
      socket.write(encodeMessage({ id: req.id, verb: Verb.HANDSHAKE_RSP, senderHostId: 'stalled', messagingVersion: MESSAGING_VERSION, payload }));
      socket.pause();
    });
  });
  await new Promise<void>((resolve) => server.listen({ host, port: 0 }, resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    endpoint: `${host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

t.test('towards a slow peer the queue is bounded, and what waits too long expires', async (t) => {
  const sim = new SimClock();
  const peer = await stalledPeer('127.0.0.3');
  const a = await TcpTransport.listen({
    clusterName: CLUSTER,
    endpoint: '127.0.0.1:0',
    hostId: hostId(),
    clock: sim,
    maxQueuedMessages: 20,
    writeHighWaterBytes: 64 * 1024,
  });
  t.teardown(async () => {
    await a.close();
    await peer.close();
  });
  const big = { clusterName: 'x'.repeat(100_000), digests: [] };
  a.send(peer.endpoint, Verb.GOSSIP_DIGEST_SYN, big);
  const conn = () => a.connections().find((c) => c.peer === peer.endpoint && c.connectionClass === ConnectionClass.LARGE)!;
  await until(() => conn().state === 'ready', 'handshake with the stalled peer');
  // The kernel's socket buffers take a few MB before the peer's silence shows; then the queue fills.
  for (let i = 0; i < 400 && a.stats().droppedQueueFull === 0; i++) {
    a.send(peer.endpoint, Verb.GOSSIP_DIGEST_SYN, big);
    await new Promise((resolve) => setImmediate(resolve));
  }
  t.ok(a.stats().droppedQueueFull > 0, `queue full after ${a.stats().sent} written`);
  t.equal(conn().queuedMessages, 20, 'the queue holds its bound');
  const expiredBefore = a.stats().droppedExpired;
  await sim.advance(2001);
  a.send(peer.endpoint, Verb.GOSSIP_DIGEST_SYN, big);
  t.equal(a.stats().droppedExpired - expiredBefore, 20, 'the 20 queued past their 2 s expiry are dropped and counted');
  t.equal(conn().queuedMessages, 1, 'only the fresh message waits');
});

/** Writes raw bytes to host:port from a plain socket; resolves when the listener closes it. */
function rawConnection(endpoint: Endpoint): { socket: net.Socket; closed: Promise<void> } {
  const i = endpoint.lastIndexOf(':');
  const socket = net.connect({ host: endpoint.slice(0, i), port: Number(endpoint.slice(i + 1)), localAddress: '127.0.0.3' });
  socket.on('error', () => {});
  socket.on('data', () => {});
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return { socket, closed };
}

function handshakeFrame(overrides: Partial<{ clusterName: string; messagingVersion: number; minMessagingVersion: number; endpoint: string; connectionClass: number }> = {}): Buffer {
  const payload = { clusterName: CLUSTER, messagingVersion: MESSAGING_VERSION, minMessagingVersion: MESSAGING_VERSION, endpoint: '127.0.0.3:7999', hostId: 'raw', connectionClass: 0, ...overrides };
  return encodeMessage({ id: 0, verb: Verb.HANDSHAKE_REQ, senderHostId: 'raw', messagingVersion: MESSAGING_VERSION, payload });
}

const echoFrame = (version = MESSAGING_VERSION): Buffer => encodeFrame(encodeEnvelopeBytes(5, Verb.ECHO_REQ, 'raw', version, encodePayload(Verb.ECHO_REQ, { generation: 1 })));

/** A valid frame header announcing `length` body bytes, without the body. */
const headerOnly = (length: number): Buffer => Buffer.from(encodeFrame(Buffer.alloc(length)).subarray(0, 8));

t.test('bad input closes only that connection, with its reason logged and counted', async (t) => {
  const { logger, lines } = capturingLogger();
  const b = await listen('127.0.0.2:0', { logger, handshakeTimeoutMs: 300, maxFrameBytes: 1024 * 1024 });
  const a = await listen('127.0.0.1:0');
  t.teardown(async () => {
    await a.close();
    await b.close();
  });
  echoResponder(b);
  let echoes = 0;
  const check = async (): Promise<void> => {
    const rsp = await a.request(b.endpoint, Verb.ECHO_REQ, { generation: 0 }, 2000);
    if (rsp.verb === Verb.ECHO_RSP) echoes++;
  };
  await check();

  const corrupt = (frame: Buffer, at: number): Buffer => {
    const f = Buffer.from(frame);
    f[at] ^= 0x5a;
    return f;
  };
  const unknownVerb = encodeFrame(encodeEnvelopeBytes(1, 77 as Verb, 'raw', MESSAGING_VERSION, Buffer.alloc(0)));
  const badPayload = encodeFrame(encodeEnvelopeBytes(1, Verb.GOSSIP_DIGEST_SYN, 'raw', MESSAGING_VERSION, Buffer.from([0x12, 0x40, 0x01])));
  const cases: Array<[string, Buffer[], NetErrorCode]> = [
    ['garbage', [Buffer.from('GET / HTTP/1.1\r\n\r\n')], 'BAD_HEADER_CHECKSUM'],
    ['no handshake at all', [], 'HANDSHAKE_EXPECTED'],
    ['a message before the handshake', [echoFrame()], 'HANDSHAKE_EXPECTED'],
    ['a large frame before the handshake', [headerOnly(HANDSHAKE_MAX_FRAME_BYTES + 1)], 'FRAME_TOO_LARGE'],
    ['a frame over the maximum', [handshakeFrame(), headerOnly(1024 * 1024 + 1)], 'FRAME_TOO_LARGE'],
    ['a bad body checksum', [handshakeFrame(), corrupt(echoFrame(), 14)], 'BAD_CHECKSUM'],
    ['an unknown verb', [handshakeFrame(), unknownVerb], 'UNKNOWN_VERB'],
    ['an undecodable payload', [handshakeFrame(), badPayload], 'BAD_PAYLOAD'],
    ['a second handshake', [handshakeFrame(), handshakeFrame()], 'HANDSHAKE_EXPECTED'],
    ['a version other than the agreed one', [handshakeFrame(), echoFrame(MESSAGING_VERSION + 1)], 'VERSION_MISMATCH'],
    ['an unknown connection class', [handshakeFrame({ connectionClass: 9 })], 'BAD_PAYLOAD'],
    ['a malformed endpoint', [handshakeFrame({ endpoint: 'nowhere' })], 'BAD_PAYLOAD'],
  ];
  const logged = (reason: NetErrorCode): number => lines.filter((l) => l.reason === reason && l.msg === 'closing internode connection').length;
  for (const [what, frames, reason] of cases) {
    const countedBefore = b.stats().closedByReason[reason] ?? 0;
    const loggedBefore = logged(reason);
    const { socket, closed } = rawConnection(b.endpoint);
    for (const f of frames) socket.write(f);
    await closed;
    t.equal(b.stats().closedByReason[reason], countedBefore + 1, `${what}: counted as ${reason}`);
    t.equal(logged(reason), loggedBefore + 1, `${what}: logged with reason ${reason}`);
    await check();
  }
  t.equal(echoes, cases.length + 1, 'the well-behaved peer was answered after every bad connection');
  t.equal(b.stats().handlerErrors, 0);
});

t.test('bytes sent back on a send-only connection close it (UNEXPECTED_DATA), then it reconnects', async (t) => {
  // A fake peer that accepts the handshake and then talks on the connection it should only read.
  const sockets: net.Socket[] = [];
  let connections = 0;
  const server = net.createServer((socket) => {
    sockets.push(socket);
    connections++;
    const decoder = new FrameDecoder(HANDSHAKE_MAX_FRAME_BYTES);
    socket.on('error', () => {});
    socket.once('data', (chunk: Buffer) => {
      decoder.push(chunk);
      const req = decodeMessage(decoder.next()!);
      const payload = { accepted: true, reason: '', messagingVersion: MESSAGING_VERSION, clusterName: CLUSTER, hostId: 'chatty' };
      socket.write(encodeMessage({ id: req.id, verb: Verb.HANDSHAKE_RSP, senderHostId: 'chatty', messagingVersion: MESSAGING_VERSION, payload }));
      // Once the first message shows the connection is established, talk back on it.
      if (connections === 1) socket.once('data', () => socket.write(echoFrame()));
    });
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.3', port: 0 }, resolve));
  const peer = `127.0.0.3:${(server.address() as net.AddressInfo).port}`;
  const { logger, lines } = capturingLogger();
  const a = await listen('127.0.0.1:0', { logger });
  t.teardown(async () => {
    await a.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  a.send(peer, Verb.GOSSIP_DIGEST_SYN, { clusterName: CLUSTER, digests: [] });
  await until(() => a.stats().closedByReason.UNEXPECTED_DATA === 1, 'the chatty connection is closed');
  t.ok(lines.some((l) => l.reason === 'UNEXPECTED_DATA'), 'logged');
  a.send(peer, Verb.GOSSIP_DIGEST_SYN, { clusterName: CLUSTER, digests: [] });
  await until(() => connections === 2 && a.connections()[0].state === 'ready', 'reconnected');
  t.equal(a.connections()[0].established, 2);
});

t.test('a request that does not fit in the queue fails at once with QUEUE_FULL', async (t) => {
  const sim = new SimClock();
  const a = await TcpTransport.listen({ clusterName: CLUSTER, endpoint: '127.0.0.1:0', hostId: hostId(), clock: sim, maxQueuedMessages: 5 });
  t.teardown(() => a.close());
  // Nothing listens on port 1: the connection stays in backoff and the queue only grows.
  for (let i = 0; i < 5; i++) a.send('127.0.0.2:1', Verb.ECHO_REQ, { generation: i });
  a.send('127.0.0.2:1', Verb.ECHO_REQ, { generation: 5 });
  t.equal(a.stats().droppedQueueFull, 1);
  const e = await failure(a.request('127.0.0.2:1', Verb.ECHO_REQ, { generation: 6 }, 60_000));
  t.equal((e as NetError).code, 'QUEUE_FULL');
  t.equal(a.stats().droppedQueueFull, 2);
});

t.test('past maxInboundConnections a new connection is closed at once, counted and logged once per run; the rest keep working', async (t) => {
  const { logger, lines } = capturingLogger();
  // Handshakes may take long here, so only the cap can close the extra connections quickly.
  const b = await listen('127.0.0.2:0', { logger, handshakeTimeoutMs: 60_000, maxInboundConnections: 3 });
  const a = await listen('127.0.0.1:0');
  const raws: net.Socket[] = [];
  t.teardown(async () => {
    for (const s of raws) s.destroy();
    await a.close();
    await b.close();
  });
  echoResponder(b);
  // a's urgent connection is one of the three.
  t.equal((await a.request(b.endpoint, Verb.ECHO_REQ, { generation: 0 }, 2000)).verb, Verb.ECHO_RSP);
  await until(() => b.inboundCount() === 1, 'a connected');
  for (let i = 0; i < 2; i++) {
    const { socket } = rawConnection(b.endpoint);
    raws.push(socket);
  }
  await until(() => b.inboundCount() === 3, () => `three inbound (${b.inboundCount()})`);
  const extra = Array.from({ length: 3 }, () => rawConnection(b.endpoint));
  for (const x of extra) raws.push(x.socket);
  await Promise.all(extra.map((x) => x.closed));
  t.equal(b.stats().inboundRefused, 3, 'the three past the cap were refused');
  t.equal(lines.filter((l) => l.msg === 'inbound internode connection refused: too many open').length, 1, 'one log line for the run of refusals');
  t.equal(b.inboundCount(), 3, 'the held connections are untouched');
  t.equal((await a.request(b.endpoint, Verb.ECHO_REQ, { generation: 0 }, 2000)).verb, Verb.ECHO_RSP, 'the peer is still answered');
  // Room again: the next connection is accepted (and a later refusal is logged anew).
  raws[0]!.destroy();
  await until(() => b.inboundCount() === 2, 'a raw connection went away');
  const again = rawConnection(b.endpoint);
  raws.push(again.socket);
  await until(() => b.inboundCount() === 3, 'accepted once there was room');
  const refusedAgain = rawConnection(b.endpoint);
  raws.push(refusedAgain.socket);
  await refusedAgain.closed;
  t.equal(lines.filter((l) => l.msg === 'inbound internode connection refused: too many open').length, 2, 'a new run of refusals is logged');
});
