// Consistency arithmetic: codes are the native protocol's; block-for counts follow Cassandra
// (QUORUM over all factors, LOCAL_* in the coordinator's datacenter, EACH_QUORUM per datacenter,
// pending endpoints added for writes); availability says who falls short.
import t from 'tap';
import {
  ConsistencyLevel as CL,
  LOCAL_STRATEGY,
  availability,
  blockFor,
  blockForWrite,
  canSatisfy,
  consistencyFromCode,
  consistencyFromName,
  consistencyName,
  endpoint,
  isDatacenterLocal,
  localQuorumFor,
  networkTopologyStrategy,
  quorumFor,
  readLevelError,
  simpleStrategy,
  writeLevelError,
  type Endpoint,
} from '../../src/ring/index.js';

const ep = (id: string, dc: string): Endpoint => endpoint({ hostId: id, address: id, datacenter: dc });

t.test('native protocol codes (never renumbered)', async (t) => {
  const codes: Array<[CL, number, string]> = [
    [CL.ANY, 0, 'ANY'],
    [CL.ONE, 1, 'ONE'],
    [CL.TWO, 2, 'TWO'],
    [CL.THREE, 3, 'THREE'],
    [CL.QUORUM, 4, 'QUORUM'],
    [CL.ALL, 5, 'ALL'],
    [CL.LOCAL_QUORUM, 6, 'LOCAL_QUORUM'],
    [CL.EACH_QUORUM, 7, 'EACH_QUORUM'],
    [CL.SERIAL, 8, 'SERIAL'],
    [CL.LOCAL_SERIAL, 9, 'LOCAL_SERIAL'],
    [CL.LOCAL_ONE, 10, 'LOCAL_ONE'],
  ];
  for (const [cl, code, name] of codes) {
    t.equal(cl, code, name);
    t.equal(consistencyFromCode(code), cl);
    t.equal(consistencyName(cl), name);
    t.equal(consistencyFromName(name.toLowerCase()), cl);
  }
  t.throws(() => consistencyFromCode(11), { code: 'BAD_CONSISTENCY' });
  t.throws(() => consistencyFromCode(-1), { code: 'BAD_CONSISTENCY' });
  t.throws(() => consistencyFromName('MOST'), { code: 'BAD_CONSISTENCY' });
  t.throws(() => consistencyFromName('4'), { code: 'BAD_CONSISTENCY' });
  t.ok(isDatacenterLocal(CL.LOCAL_ONE) && isDatacenterLocal(CL.LOCAL_QUORUM) && !isDatacenterLocal(CL.QUORUM));
  t.match(readLevelError(CL.ANY), /only supported for writes/);
  t.equal(readLevelError(CL.ONE), null);
  t.match(writeLevelError(CL.SERIAL), /conditional updates/);
  t.equal(writeLevelError(CL.ALL), null);
});

t.test('block-for counts', async (t) => {
  const nts = networkTopologyStrategy({ dc1: 3, dc2: 2, dc3: 0 });
  const simple = simpleStrategy(3);
  t.equal(quorumFor(nts), 3, 'QUORUM over the sum 5');
  t.equal(localQuorumFor(nts, 'dc1'), 2);
  t.equal(localQuorumFor(nts, 'dc2'), 2);
  t.equal(localQuorumFor(simple, 'dc9'), 2, 'LOCAL_QUORUM without NTS is QUORUM');
  const table: Array<[CL, number, number, number]> = [
    // level, nts from dc1, nts from dc2, simple rf 3
    [CL.ANY, 1, 1, 1],
    [CL.ONE, 1, 1, 1],
    [CL.TWO, 2, 2, 2],
    [CL.THREE, 3, 3, 3],
    [CL.QUORUM, 3, 3, 2],
    [CL.ALL, 5, 5, 3],
    [CL.LOCAL_ONE, 1, 1, 1],
    [CL.LOCAL_QUORUM, 2, 2, 2],
    [CL.EACH_QUORUM, 4, 4, 2],
    [CL.SERIAL, 3, 3, 2],
    [CL.LOCAL_SERIAL, 2, 2, 2],
  ];
  for (const [cl, fromDc1, fromDc2, fromSimple] of table) {
    t.equal(blockFor(cl, nts, 'dc1'), fromDc1, `${CL[cl]} nts dc1`);
    t.equal(blockFor(cl, nts, 'dc2'), fromDc2, `${CL[cl]} nts dc2`);
    t.equal(blockFor(cl, simple, 'dc1'), fromSimple, `${CL[cl]} simple`);
  }
  t.equal(blockFor(CL.LOCAL_QUORUM, networkTopologyStrategy({ dc1: 4 }), 'dc1'), 3);
  t.equal(blockFor(CL.QUORUM, simpleStrategy(1), 'x'), 1);
  t.equal(blockFor(CL.ALL, LOCAL_STRATEGY, 'x'), 1);
});

t.test('writes also wait for pending endpoints (local ones only for LOCAL levels, none for ANY)', async (t) => {
  const nts = networkTopologyStrategy({ dc1: 3, dc2: 3 });
  const pending = [ep('p1', 'dc1'), ep('p2', 'dc2')];
  t.equal(blockForWrite(CL.QUORUM, nts, 'dc1', pending), 4 + 2);
  t.equal(blockForWrite(CL.LOCAL_QUORUM, nts, 'dc1', pending), 2 + 1);
  t.equal(blockForWrite(CL.LOCAL_ONE, nts, 'dc1', [ep('p2', 'dc2')]), 1);
  t.equal(blockForWrite(CL.ANY, nts, 'dc1', pending), 1);
  t.equal(blockForWrite(CL.ONE, nts, 'dc1', []), 1);
});

t.test('availability', async (t) => {
  const nts = networkTopologyStrategy({ dc1: 3, dc2: 3 });
  const a = [ep('a1', 'dc1'), ep('a2', 'dc1'), ep('a3', 'dc1')];
  const b = [ep('b1', 'dc2'), ep('b2', 'dc2'), ep('b3', 'dc2')];
  const req = (cl: CL, live: Endpoint[], extra: object = {}) => ({ cl, strategy: nts, localDc: 'dc1', live, ...extra });

  t.ok(canSatisfy(req(CL.QUORUM, [...a, b[0]!])), 'QUORUM 4 of 6, any datacenter');
  t.same(availability(req(CL.QUORUM, [a[0]!, a[1]!, b[0]!])), { ok: false, required: 4, alive: 3 });
  t.ok(canSatisfy(req(CL.LOCAL_QUORUM, [a[0]!, a[1]!])));
  t.same(availability(req(CL.LOCAL_QUORUM, [a[0]!, ...b])), { ok: false, required: 2, alive: 1, datacenter: 'dc1' }, 'remote replicas do not count');
  t.notOk(canSatisfy(req(CL.LOCAL_ONE, b)));
  t.ok(canSatisfy(req(CL.ONE, b)));
  t.same(availability(req(CL.EACH_QUORUM, [...a, b[0]!])), { ok: false, required: 2, alive: 1, datacenter: 'dc2' });
  t.ok(canSatisfy(req(CL.EACH_QUORUM, [a[0]!, a[1]!, b[0]!, b[1]!])));
  t.ok(canSatisfy(req(CL.ANY, [], { write: true })), 'ANY: a hint on the coordinator suffices');
  t.notOk(canSatisfy(req(CL.ALL, [...a, ...b.slice(1)])));
  t.ok(canSatisfy(req(CL.ALL, [...a, ...b])));
  // Writes with a pending endpoint need one more.
  const pending = [ep('p1', 'dc1')];
  t.same(availability(req(CL.LOCAL_QUORUM, [a[0]!, a[1]!], { write: true, pending })), { ok: false, required: 3, alive: 2, datacenter: 'dc1' });
  t.ok(canSatisfy(req(CL.LOCAL_QUORUM, [a[0]!, a[1]!, pending[0]!], { write: true, pending })));
  t.same(availability(req(CL.EACH_QUORUM, [a[0]!, a[1]!, b[0]!, b[1]!], { write: true, pending })), {
    ok: false,
    required: 3,
    alive: 2,
    datacenter: 'dc1',
  });
  // A read does not count pending endpoints even if given.
  t.ok(canSatisfy(req(CL.LOCAL_QUORUM, [a[0]!, a[1]!], { pending })));
  // SimpleStrategy EACH_QUORUM is QUORUM over all live replicas.
  t.ok(canSatisfy({ cl: CL.EACH_QUORUM, strategy: simpleStrategy(3), localDc: 'dc1', live: [b[0]!, b[1]!] }));
  // A datacenter with factor 0 is not waited on by EACH_QUORUM.
  t.ok(canSatisfy({ cl: CL.EACH_QUORUM, strategy: networkTopologyStrategy({ dc1: 3, dc2: 0 }), localDc: 'dc1', live: [a[0]!, a[1]!] }));
});
