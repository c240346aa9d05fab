// Application state helpers: TOKENS as text both ways, STATUS words, dead statuses and the expiry
// of LEFT and REMOVED.
import t from 'tap';
import { Status, decodeTokens, encodeTokens, isDeadStatus, statusExpiryMs, statusWord } from '../../src/gossip/index.js';

t.test('tokens round-trip through their text form, extremes included', async (t) => {
  const tokens = [-(2n ** 63n), -1n, 0n, 42n, 2n ** 63n - 1n];
  t.same(decodeTokens(encodeTokens(tokens)), tokens);
  t.same(decodeTokens(''), []);
  t.throws(() => encodeTokens([2n ** 63n]), RangeError);
  for (const bad of ['1,,2', 'abc', '9223372036854775808', '1.5', ' 1']) t.throws(() => decodeTokens(bad), RangeError, bad);
});

t.test('status words, dead statuses and LEFT/REMOVED expiry', async (t) => {
  t.equal(statusWord('LEFT,123'), 'LEFT');
  t.equal(statusWord(undefined), '');
  t.ok(isDeadStatus(Status.SHUTDOWN));
  t.ok(isDeadStatus('LEFT,5'));
  t.notOk(isDeadStatus(Status.NORMAL));
  t.notOk(isDeadStatus(Status.LEAVING));
  t.equal(statusExpiryMs('LEFT,-9000,1767225600000'), 1767225600000, 'the last field, as in "LEFT,<token>,<expiry>"');
  t.equal(statusExpiryMs('REMOVED,1767225600000'), 1767225600000);
  t.equal(statusExpiryMs('LEFT'), undefined);
  t.equal(statusExpiryMs('NORMAL,1767225600000'), undefined, 'only LEFT and REMOVED expire');
  t.equal(statusExpiryMs('LEFT,soon'), undefined);
});
