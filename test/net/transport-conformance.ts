// The Transport conformance suite (STYLE.md: one suite per interface, run by every
// implementation). test/net/sim-transport.test.ts runs it on SimTransport over virtual time,
// test/net/tcp-transport.test.ts on TcpTransport over real sockets on 127.0.0.x.
import type { Test } from 'tap';
import { NetError, Verb } from '../../src/net/index.js';
import type { AnyInbound, Endpoint, InboundMessage, Transport } from '../../src/net/index.js';

export interface ConformanceHarness {
  /** A transport listening at a fresh endpoint. */
  create(): Promise<Transport>;
  /** A new transport at the endpoint of one that was closed: the peer restarted. */
  recreate(endpoint: Endpoint): Promise<Transport>;
  /**
   * Lets time pass (virtual time, or real time polled every few ms) until pred() holds; throws
   * naming `what` if it still does not after maxMs.
   */
  until(pred: () => boolean, what: string, maxMs?: number): Promise<void>;
  /** An endpoint nothing listens on. */
  deadEndpoint(): Endpoint;
  /** Closes everything created. */
  cleanup(): Promise<void>;
}

const syn = (clusterName: string) => ({ clusterName, digests: [{ endpoint: '127.0.9.1:7000', generation: 1_767_225_600_000, maxVersion: 7 }] });

/** Observes a promise's outcome without awaiting it, so the harness can drive time meanwhile. */
function watch<T>(p: Promise<T>): { settled: () => boolean; value: () => T | undefined; error: () => unknown } {
  let done = false;
  let value: T | undefined;
  let error: unknown;
  p.then(
    (v) => {
      done = true;
      value = v;
    },
    (e: unknown) => {
      done = true;
      error = e;
    },
  );
  return { settled: () => done, value: () => value, error: () => error };
}

export function transportConformance(t: Test, makeHarness: () => ConformanceHarness): void {
  const withHarness = (name: string, body: (t: Test, h: ConformanceHarness) => Promise<void>): void => {
    void t.test(name, async (t) => {
      const h = makeHarness();
      t.teardown(() => h.cleanup());
      await body(t, h);
    });
  };

  withHarness('a one-way message arrives once, intact, from the sender endpoint', async (t, h) => {
    const a = await h.create();
    const b = await h.create();
    const got: InboundMessage<Verb.GOSSIP_DIGEST_SYN>[] = [];
    b.handle(Verb.GOSSIP_DIGEST_SYN, (m) => got.push(m));
    a.send(b.endpoint, Verb.GOSSIP_DIGEST_SYN, syn('conformance'));
    await h.until(() => got.length === 1, 'the message arrives');
    t.equal(got[0].from, a.endpoint, 'from is the sender listen endpoint');
    t.equal(got[0].senderHostId, a.hostId);
    t.same(got[0].payload, syn('conformance'), 'payload intact');
    t.ok(got[0].messagingVersion >= 1);
    t.equal(a.stats().sent, 1);
    t.equal(b.stats().received, 1);
  });

  withHarness('requests get their own responses by id, even answered out of order', async (t, h) => {
    const a = await h.create();
    const b = await h.create();
    const held: InboundMessage<Verb.ECHO_REQ>[] = [];
    b.handle(Verb.ECHO_REQ, (m) => {
      held.push(m);
      // Answer the last first: matching must be by id, not by order.
      if (held.length === 3) for (const r of [...held].reverse()) b.respond(r, Verb.ECHO_RSP, { generation: 100 + r.payload.generation });
    });
    const replies = [1, 2, 3].map((g) => watch(a.request(b.endpoint, Verb.ECHO_REQ, { generation: g }, 5000)));
    await h.until(() => replies.every((r) => r.settled()), 'three responses');
    t.same(
      replies.map((r) => (r.value() as AnyInbound | undefined)?.payload),
      [{ generation: 101 }, { generation: 102 }, { generation: 103 }],
      'each request resolved with the answer to itself',
    );
    t.ok(replies.every((r) => (r.value() as AnyInbound).verb === Verb.ECHO_RSP && (r.value() as AnyInbound).from === b.endpoint));
    t.equal(a.stats().requestTimeouts, 0);
  });

  withHarness('an unanswered request rejects with REQUEST_TIMEOUT; its late answer is dropped', async (t, h) => {
    const a = await h.create();
    const b = await h.create();
    const held: InboundMessage<Verb.ECHO_REQ>[] = [];
    b.handle(Verb.ECHO_REQ, (m) => held.push(m));
    const r = watch(a.request(b.endpoint, Verb.ECHO_REQ, { generation: 1 }, 200));
    await h.until(() => held.length === 1, 'the request arrives');
    await h.until(() => r.settled(), 'the request times out');
    t.type(r.error(), NetError);
    t.equal((r.error() as NetError).code, 'REQUEST_TIMEOUT');
    t.equal(a.stats().requestTimeouts, 1);
    b.respond(held[0], Verb.ECHO_RSP, { generation: 9 });
    await h.until(() => a.stats().droppedUnhandled === 1, 'the late response is counted as unhandled');
  });

  withHarness('a message of a verb nobody handles is dropped and counted', async (t, h) => {
    const a = await h.create();
    const b = await h.create();
    const got: AnyInbound[] = [];
    b.handle(Verb.GOSSIP_DIGEST_ACK2, (m) => got.push(m));
    a.send(b.endpoint, Verb.GOSSIP_DIGEST_SYN, syn('nobody'));
    a.send(b.endpoint, Verb.GOSSIP_DIGEST_ACK2, { states: [] });
    await h.until(() => got.length === 1 && b.stats().droppedUnhandled === 1, 'one handled, one dropped');
    t.equal(b.stats().received, 2);
  });

  withHarness('sending where nothing listens never throws; a request there times out', async (t, h) => {
    const a = await h.create();
    const dead = h.deadEndpoint();
    t.doesNotThrow(() => a.send(dead, Verb.GOSSIP_DIGEST_SYN, syn('void')));
    t.doesNotThrow(() => a.send('not an endpoint', Verb.GOSSIP_DIGEST_SYN, syn('void')));
    t.doesNotThrow(() => a.send('nonexistent.invalid:7000', Verb.GOSSIP_DIGEST_SYN, syn('void')));
    const r = watch(a.request(dead, Verb.ECHO_REQ, { generation: 0 }, 300));
    await h.until(() => r.settled(), 'the request settles');
    t.equal((r.error() as NetError).code, 'REQUEST_TIMEOUT');
  });

  withHarness('handshake verbs cannot be sent as messages', async (t, h) => {
    const a = await h.create();
    const b = await h.create();
    t.throws(() => a.send(b.endpoint, Verb.HANDSHAKE_REQ, { clusterName: 'x', messagingVersion: 1, minMessagingVersion: 1, endpoint: a.endpoint, hostId: a.hostId, connectionClass: 0 }));
    t.throws(() => a.send(b.endpoint, 999 as Verb, {} as never));
  });

  withHarness('close rejects pending requests with CLOSED, then drops sends and rejects requests', async (t, h) => {
    const a = await h.create();
    const b = await h.create();
    let arrived = 0;
    b.handle(Verb.ECHO_REQ, () => arrived++);
    const pending = watch(a.request(b.endpoint, Verb.ECHO_REQ, { generation: 1 }, 60_000));
    await h.until(() => arrived === 1, 'the request arrives');
    await a.close();
    await h.until(() => pending.settled(), 'the pending request settles');
    t.equal((pending.error() as NetError).code, 'CLOSED');
    t.doesNotThrow(() => a.send(b.endpoint, Verb.GOSSIP_DIGEST_SYN, syn('after')));
    const after = watch(a.request(b.endpoint, Verb.ECHO_REQ, { generation: 2 }, 60_000));
    await h.until(() => after.settled(), 'a request after close settles at once');
    t.equal((after.error() as NetError).code, 'CLOSED');
    t.ok(a.stats().droppedUnreachable >= 2, 'both counted as unreachable');
  });

  withHarness('a peer restarted at the same endpoint is reached again', async (t, h) => {
    const a = await h.create();
    const b = await h.create();
    let before = 0;
    b.handle(Verb.GOSSIP_DIGEST_SYN, () => before++);
    a.send(b.endpoint, Verb.GOSSIP_DIGEST_SYN, syn('one'));
    await h.until(() => before === 1, 'first incarnation receives');
    const endpoint = b.endpoint;
    await b.close();
    const b2 = await h.recreate(endpoint);
    let after = 0;
    b2.handle(Verb.GOSSIP_DIGEST_SYN, () => after++);
    b2.handle(Verb.ECHO_REQ, (m) => b2.respond(m, Verb.ECHO_RSP, { generation: 2 }));
    // Messages sent while the old connection breaks may be lost (at most once): keep sending.
    await h.until(
      () => {
        if (after === 0) a.send(endpoint, Verb.GOSSIP_DIGEST_SYN, syn('two'));
        return after > 0;
      },
      'second incarnation receives',
      10_000,
    );
    const r = watch(a.request(endpoint, Verb.ECHO_REQ, { generation: 0 }, 5000));
    await h.until(() => r.settled(), 'echo through the new incarnation');
    t.same((r.value() as AnyInbound | undefined)?.payload, { generation: 2 }, 'answered by the new incarnation');
    t.equal(before, 1, 'the old incarnation got nothing more');
  });

  withHarness('a thousand messages each way all arrive, none twice', async (t, h) => {
    const a = await h.create();
    const b = await h.create();
    const seenAtA = new Map<number, number>();
    const seenAtB = new Map<number, number>();
    const count = (seen: Map<number, number>) => (m: InboundMessage<Verb.ECHO_REQ>) => seen.set(m.payload.generation, (seen.get(m.payload.generation) ?? 0) + 1);
    a.handle(Verb.ECHO_REQ, count(seenAtA));
    b.handle(Verb.ECHO_REQ, count(seenAtB));
    for (let i = 1; i <= 1000; i++) {
      a.send(b.endpoint, Verb.ECHO_REQ, { generation: i });
      b.send(a.endpoint, Verb.ECHO_REQ, { generation: i });
    }
    await h.until(() => seenAtA.size === 1000 && seenAtB.size === 1000, 'all 2000 messages', 20_000);
    t.ok([...seenAtA.values(), ...seenAtB.values()].every((n) => n === 1), 'each exactly once');
    t.equal(a.stats().sent, 1000);
    t.equal(b.stats().received, 1000);
  });
}
