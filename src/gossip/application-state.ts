/**
 * Application states: what a node tells the cluster about itself, each a string value with a
 * version. The numbers are on the wire (VersionedValue.key): never renumber, never reuse.
 * A node passes on keys it does not know (from a newer peer) unchanged, so adding one is safe.
 */

export enum ApplicationState {
  STATUS = 1,
  TOKENS = 2,
  HOST_ID = 3,
  DC = 4,
  RACK = 5,
  SCHEMA = 6,
  LOAD = 7,
  RPC_ADDRESS = 8,
  RELEASE_VERSION = 9,
  NATIVE_PORT = 10,
  SEVERITY = 11,
}

/**
 * STATUS values. A value may carry details after a comma (e.g. "LEFT,<expiry ms>"); statusOf()
 * returns the first word. On the wire as text: never rename.
 */
export const Status = {
  BOOT: 'BOOT',
  NORMAL: 'NORMAL',
  LEAVING: 'LEAVING',
  LEFT: 'LEFT',
  REMOVED: 'REMOVED',
  SHUTDOWN: 'shutdown',
} as const;

/** The first word of a STATUS value ('' for none). */
export function statusWord(value: string | undefined): string {
  if (value === undefined) return '';
  const comma = value.indexOf(',');
  return comma < 0 ? value : value.slice(0, comma);
}

/** States in which a node is not expected to answer: gossip about it does not make it up again. */
export function isDeadStatus(value: string | undefined): boolean {
  const w = statusWord(value);
  return w === Status.LEFT || w === Status.REMOVED || w === Status.SHUTDOWN;
}

/**
 * When an endpoint in STATUS LEFT or REMOVED may be forgotten (ms since the epoch): the value's
 * last comma-separated field, as in Cassandra's "LEFT,<token>,<expire time>". Undefined for other
 * statuses or a value without one: such an endpoint is kept until removed explicitly.
 */
export function statusExpiryMs(value: string | undefined): number | undefined {
  const w = statusWord(value);
  if (value === undefined || (w !== Status.LEFT && w !== Status.REMOVED)) return undefined;
  const last = value.slice(value.lastIndexOf(',') + 1);
  if (!/^\d{1,16}$/.test(last) || last === value) return undefined;
  return Number(last);
}

const MIN_TOKEN = -(2n ** 63n);
const MAX_TOKEN = 2n ** 63n - 1n;
const TOKEN_TEXT = /^-?\d{1,19}$/;

/**
 * TOKENS as a value: signed 64-bit decimal tokens separated by commas. Gossip does not interpret
 * tokens (src/ring does); it only carries them, so it encodes here without depending on the ring.
 */
export function encodeTokens(tokens: readonly bigint[]): string {
  for (const t of tokens) {
    if (t < MIN_TOKEN || t > MAX_TOKEN) throw new RangeError(`token ${t} is not a signed 64-bit integer`);
  }
  return tokens.map((t) => t.toString()).join(',');
}

/** The tokens of a TOKENS value; throws RangeError on anything that is not a token list. */
export function decodeTokens(value: string): bigint[] {
  if (value === '') return [];
  return value.split(',').map((s) => {
    if (!TOKEN_TEXT.test(s)) throw new RangeError(`"${s}" is not a token`);
    const t = BigInt(s);
    if (t < MIN_TOKEN || t > MAX_TOKEN) throw new RangeError(`token ${s} is not a signed 64-bit integer`);
    return t;
  });
}
