/**
 * Dates, times and timestamps as CQL writes them, without the platform's Date (pure arithmetic on
 * the proleptic Gregorian calendar, UTC).
 *
 * - date: days since 1970-01-01 as a signed 32-bit number (the wire value is that + 2^31, unsigned).
 *   Text: 'YYYY-MM-DD' (years beyond 9999 with a '+', negative years with a '-'), or the raw
 *   unsigned wire value as digits, as Cassandra accepts.
 * - time: nanoseconds since midnight, 0..86399999999999. Text: 'hh:mm:ss[.fffffffff]' or digits.
 * - timestamp: milliseconds since the epoch (signed 64-bit). Text: digits, or Cassandra's
 *   date-time patterns 'yyyy-mm-dd[( |T)hh:mm[:ss[.fff]]][zone]' with zone one of Z, +hh, +hhmm,
 *   +hh:mm, UTC, GMT, GMT+hh:mm (a space before it allowed). Differences from Cassandra, on
 *   purpose: no zone means UTC (Cassandra uses the server's zone), and the fraction is a decimal
 *   fraction of a second of 1-9 digits ('.5' is 500 ms; Java's pattern would read 5 ms).
 */

const MS_PER_DAY = 86_400_000n;
export const NANOS_PER_DAY = 86_400_000_000_000n;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function pad(n: number | bigint, width: number): string {
  return n.toString().padStart(width, '0');
}

function formatYear(year: number): string {
  if (year > 9999) return '+' + year;
  if (year < 0) return '-' + pad(-year, 4);
  return pad(year, 4);
}

/** A small cursor over a string for the date-time grammars below. */
class Cursor {
  i = 0;
  constructor(readonly s: string) {}
  digits(min: number, max: number): number | null {
    const start = this.i;
    while (this.i < this.s.length && this.i - start < max && this.s[this.i]! >= '0' && this.s[this.i]! <= '9') this.i++;
    if (this.i - start < min) {
      this.i = start;
      return null;
    }
    return Number(this.s.slice(start, this.i));
  }
  accept(ch: string): boolean {
    if (this.s[this.i] !== ch) return false;
    this.i++;
    return true;
  }
  acceptCI(word: string): boolean {
    if (this.s.slice(this.i, this.i + word.length).toUpperCase() !== word) return false;
    this.i += word.length;
    return true;
  }
  get done(): boolean {
    return this.i === this.s.length;
  }
}

/** 'yyyy-mm-dd' -> days since epoch, or null. Month and day must be valid for the year. */
function readDate(c: Cursor, strictIso: boolean): number | null {
  let sign = 1;
  if (c.accept('-')) sign = -1;
  else c.accept('+');
  const year = c.digits(strictIso ? 4 : 1, 9);
  if (year === null || !c.accept('-')) return null;
  const month = c.digits(strictIso ? 2 : 1, 2);
  if (month === null || !c.accept('-')) return null;
  const day = c.digits(strictIso ? 2 : 1, 2);
  if (day === null) return null;
  const y = sign * year;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(y, month)) return null;
  return daysFromCivil(y, month, day);
}

// --- date ---------------------------------------------------------------------------------------

export const MIN_DATE_DAYS = -0x80000000;
export const MAX_DATE_DAYS = 0x7fffffff;

/** A date literal ('2024-01-02', or the unsigned wire value as digits) -> signed days since epoch, or null. */
export function parseDate(text: string): number | null {
  if (/^-?\d+$/.test(text)) {
    if (text.length > 12) return null;
    const raw = Number(text);
    if (raw < 0 || raw > 0xffffffff) return null;
    return raw - 0x80000000;
  }
  const c = new Cursor(text);
  const days = readDate(c, true);
  if (days === null || !c.done || days < MIN_DATE_DAYS || days > MAX_DATE_DAYS) return null;
  return days;
}

export function formatDate(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return `${formatYear(year)}-${pad(month, 2)}-${pad(day, 2)}`;
}

// --- time ---------------------------------------------------------------------------------------

/** A time literal ('10:00:00.000', or nanoseconds as digits) -> nanoseconds since midnight, or null. */
export function parseTime(text: string): bigint | null {
  if (/^-?\d+$/.test(text)) {
    if (text.length > 20) return null;
    const v = BigInt(text);
    return v >= 0n && v < NANOS_PER_DAY ? v : null;
  }
  const c = new Cursor(text.trim());
  const h = c.digits(1, 2);
  if (h === null || h > 23 || !c.accept(':')) return null;
  const m = c.digits(1, 2);
  if (m === null || m > 59 || !c.accept(':')) return null;
  const s = c.digits(1, 2);
  if (s === null || s > 59) return null;
  let nanos = 0n;
  if (c.accept('.')) {
    const start = c.i;
    const f = c.digits(1, 9);
    if (f === null) return null;
    nanos = BigInt(c.s.slice(start, c.i).padEnd(9, '0'));
  }
  if (!c.done) return null;
  return ((BigInt(h) * 60n + BigInt(m)) * 60n + BigInt(s)) * 1_000_000_000n + nanos;
}

/** hh:mm:ss.nnnnnnnnn, as Cassandra prints a time. */
export function formatTime(nanos: bigint): string {
  let v = nanos;
  const frac = v % 1_000_000_000n;
  v /= 1_000_000_000n;
  const s = v % 60n;
  v /= 60n;
  const m = v % 60n;
  const h = v / 60n;
  return `${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(frac, 9)}`;
}

// --- timestamp ----------------------------------------------------------------------------------

/** Zone offset in minutes after the time part, or null when malformed; 0 when absent. */
function readZone(c: Cursor): number | null {
  if (c.done) return 0;
  const save = c.i;
  c.accept(' ');
  if (c.accept('Z')) return c.done ? 0 : null;
  let gmt = false;
  if (c.acceptCI('UTC') || c.acceptCI('GMT')) {
    if (c.done) return 0;
    gmt = true;
  }
  const signCh = c.s[c.i];
  if (signCh !== '+' && signCh !== '-') {
    c.i = save;
    return null;
  }
  c.i++;
  const hh = c.digits(gmt ? 1 : 2, 2);
  if (hh === null || hh > 23) return null;
  let mm = 0;
  if (!c.done) {
    c.accept(':');
    const m = c.digits(2, 2);
    if (m === null || m > 59) return null;
    mm = m;
  }
  if (!c.done) return null;
  const minutes = hh * 60 + mm;
  return signCh === '-' ? -minutes : minutes;
}

/**
 * A timestamp literal -> milliseconds since the epoch, or null when it matches no accepted form.
 * 'now' needs `nowMs`; without it, 'now' is refused (null).
 */
export function parseTimestamp(text: string, nowMs?: () => number): bigint | null {
  if (text.toLowerCase() === 'now') return nowMs === undefined ? null : BigInt(Math.trunc(nowMs()));
  if (/^-?\d+$/.test(text)) {
    if (text.length > 20) return null;
    const v = BigInt(text);
    return v >= -(1n << 63n) && v < 1n << 63n ? v : null;
  }
  const c = new Cursor(text);
  const days = readDate(c, false);
  if (days === null) return null;
  let ms = 0;
  if (c.accept(' ') || c.accept('T')) {
    const h = c.digits(1, 2);
    if (h === null) {
      // 'yyyy-mm-dd z': the space introduced a zone, not a time.
      c.i--;
    } else {
      if (h > 23 || !c.accept(':')) return null;
      const m = c.digits(1, 2);
      if (m === null || m > 59) return null;
      let s = 0;
      let fracMs = 0;
      if (c.accept(':')) {
        const sec = c.digits(1, 2);
        if (sec === null || sec > 59) return null;
        s = sec;
        if (c.accept('.')) {
          const start = c.i;
          if (c.digits(1, 9) === null) return null;
          fracMs = Number(c.s.slice(start, c.i).padEnd(9, '0').slice(0, 3));
        }
      }
      ms = ((h * 60 + m) * 60 + s) * 1000 + fracMs;
    }
  }
  const zoneMinutes = readZone(c);
  if (zoneMinutes === null || !c.done) return null;
  return BigInt(days) * MS_PER_DAY + BigInt(ms) - BigInt(zoneMinutes) * 60_000n;
}

/** yyyy-mm-ddThh:mm:ss.fffZ in UTC, Cassandra's CQL-literal form of a timestamp. */
export function formatTimestamp(ms: bigint): string {
  let days = ms / MS_PER_DAY;
  let rem = ms % MS_PER_DAY;
  if (rem < 0n) {
    rem += MS_PER_DAY;
    days -= 1n;
  }
  const date = formatDate(Number(days));
  const r = Number(rem);
  const h = Math.floor(r / 3_600_000);
  const m = Math.floor(r / 60_000) % 60;
  const s = Math.floor(r / 1000) % 60;
  return `${date}T${pad(h, 2)}:${pad(m, 2)}:${pad(s, 2)}.${pad(r % 1000, 3)}Z`;
}
