/**
 * JSON.parse for evidence bundles, with the metric points read by a scanner made for them (issue 12).
 *
 * A 200-instance × 1,440-point bundle is over a million `[time, value]` pairs: plain JSON.parse spends
 * most of a replay allocating a fresh copy of the same 1,440 time strings for every series and then
 * collecting them again. Here every `"points": [[…], …]` array is read straight from the bytes, each
 * time string shared between the series that have it, and only the rest of the file (the small part) goes
 * through JSON.parse, with the arrays put back where they were.
 *
 * Each array read is held packed (src/sources/aws/packed-points.ts: a time axis shared between series and a
 * Float64Array of values) behind an accessor `points` on its object, which gives the same pairs on every
 * read: the result reads as the value JSON.parse gives for the same bytes. The scanner takes only the plain shape
 * (ASCII time strings without escapes, finite decimal numbers); anything else — another shape, a
 * non-finite number, any syntax error — is left in the text for JSON.parse, so its errors and its rules
 * (duplicate keys, `__proto__` as an own key) apply unchanged.
 */
import { randomBytes } from "node:crypto";
import { setPackedPoints, type PackedPoints } from "../sources/aws/packed-points.js";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const KEY = Buffer.from('"points"');
const POOL = 131_072;
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

const isSpace = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

class PointsReader {
  /** The time strings seen so far, by their position in a series (series share their minutes)… */
  private readonly byIndex: string[] = [];
  /** …and their bytes (views of the input). */
  private readonly bytesAt: Uint8Array[] = [];
  private readonly byText = new Map<string, string>();
  /** Time axes handed out so far, by length: a series with the same times gets the same array. */
  private readonly axes = new Map<number, string[][]>();
  /** Values are written into a pool and handed out as views of it: one allocation per POOL points. */
  private pool = new Float64Array(POOL);
  /** pool[0, used) is handed out. */
  private used = 0;
  constructor(private readonly b: Buffer) {}

  private space(i: number): number {
    while (isSpace(this.b[i])) i++;
    return i;
  }

  /**
   * The length of the time string opening at b[start] (after its quote) when it is the one last seen at
   * this position, or -1. Those bytes were checked when first read: equal bytes need no second look.
   */
  private knownAt(start: number, index: number): number {
    const known = this.bytesAt[index];
    if (known === undefined) return -1;
    const b = this.b;
    const n = known.length;
    for (let k = 0; k < n; k++) if (b[start + k] !== known[k]) return -1;
    return b[start + n] === QUOTE ? n : -1;
  }

  /** The string at b[start, end) (ASCII), the copy already held when one is; remembered at `index`. */
  private time(start: number, end: number, index: number): string {
    const text = this.b.toString("latin1", start, end);
    let shared = this.byText.get(text);
    if (shared === undefined) this.byText.set(text, (shared = text));
    this.byIndex[index] = shared;
    this.bytesAt[index] = this.b.subarray(start, end);
    return shared;
  }

  /** Store value `v` as the `n`th of the series being read. */
  private put(n: number, v: number): void {
    if (this.used + n === this.pool.length) {
      const fresh = new Float64Array(Math.max(POOL, 2 * n));
      fresh.set(this.pool.subarray(this.used, this.used + n));
      this.pool = fresh;
      this.used = 0;
    }
    this.pool[this.used + n] = v;
  }

  /** The `n` values of the series just read, as a view of the pool (which then moves past them). */
  private take(n: number): Float64Array {
    const values = this.pool.subarray(this.used, this.used + n);
    this.used += n;
    return values;
  }

  /** Where the last number read ended. */
  private end = 0;

  /**
   * A JSON number at b[i…] in the plain decimal form (its end in `this.end`), or NaN when it is not one.
   * Up to 15 significant digits and 22 decimals the value is mantissa / 10^decimals, which IEEE division
   * rounds exactly as JSON.parse does (both operands are exact); other numbers are read by Number().
   * Allocates nothing: it runs once per point.
   */
  private number(i: number): number {
    const b = this.b;
    const start = i;
    let negative = false;
    if (b[i] === MINUS) {
      negative = true;
      i++;
    }
    let c = b[i]!;
    if (!(c >= ZERO && c <= NINE)) return NaN;
    let mantissa = 0;
    let digits = 0;
    if (c === ZERO) {
      c = b[++i]!;
      if (c >= ZERO && c <= NINE) return NaN; // a leading zero is not JSON
    } else
      while (c >= ZERO && c <= NINE) {
        mantissa = mantissa * 10 + (c - ZERO);
        digits++;
        c = b[++i]!;
      }
    let decimals = 0;
    if (c === DOT) {
      c = b[++i]!;
      if (!(c >= ZERO && c <= NINE)) return NaN;
      while (c >= ZERO && c <= NINE) {
        mantissa = mantissa * 10 + (c - ZERO);
        if (mantissa !== 0) digits++;
        decimals++;
        c = b[++i]!;
      }
    }
    if (c === 0x65 || c === 0x45 || digits > 15 || decimals > 22) {
      if (c === 0x65 || c === 0x45) {
        c = b[++i]!;
        if (c === 0x2b || c === MINUS) c = b[++i]!;
        if (!(c >= ZERO && c <= NINE)) return NaN;
        while (c >= ZERO && c <= NINE) c = b[++i]!;
      }
      this.end = i;
      // 1e999 is Infinity: returned as NaN, so JSON.parse reads it and validation names it.
      const value = Number(b.toString("latin1", start, i));
      return Number.isFinite(value) ? value : NaN;
    }
    this.end = i;
    const value = decimals ? mantissa / POW10[decimals]! : mantissa;
    return negative ? -value : value;
  }

  /** The axis already handed out with exactly these times (they are shared strings: identity suffices). */
  private axis(times: string[]): readonly string[] {
    let list = this.axes.get(times.length);
    if (!list) this.axes.set(times.length, (list = []));
    for (const known of list) {
      let same = true;
      for (let k = 0; k < times.length; k++)
        if (known[k] !== times[k]) {
          same = false;
          break;
        }
      if (same) return known;
    }
    list.push(times);
    return times;
  }

  /** The axis of the series read last: the next one most likely has the same times. */
  private last: readonly string[] = [];
  /**
   * The points array opening at b[i] ("["): [points, end] or undefined when it is not the plain shape.
   * While its times are those of the last series read, nothing is collected: that axis is reused.
   */
  read(i: number): [PackedPoints, number] | undefined {
    const b = this.b;
    const like = this.last;
    /** The times read, once they stop being a prefix of `like`. */
    let own: string[] | undefined;
    let n = 0;
    i = this.space(i + 1);
    if (b[i] !== CLOSE)
      for (;;) {
        if (b[i] !== OPEN) return undefined;
        i = this.space(i + 1);
        if (b[i] !== QUOTE) return undefined;
        const start = ++i;
        let t: string;
        const known = this.knownAt(start, n);
        if (known >= 0) {
          i = start + known;
          t = this.byIndex[n]!;
        } else {
          let c = b[i];
          while (c !== QUOTE) {
            if (c === undefined || c === BACKSLASH || c < 0x20 || c >= 0x80) return undefined;
            c = b[++i];
          }
          t = this.time(start, i, n);
        }
        i = this.space(i + 1);
        if (b[i] !== COMMA) return undefined;
        const v = this.number(this.space(i + 1));
        if (v !== v) return undefined; // NaN: not a plain finite number
        i = this.space(this.end);
        if (b[i] !== CLOSE) return undefined;
        this.put(n, v);
        if (own) own.push(t);
        else if (like[n] !== t) (own = like.slice(0, n)).push(t);
        n++;
        i = this.space(i + 1);
        if (b[i] === CLOSE) break;
        if (b[i] !== COMMA) return undefined;
        i = this.space(i + 1);
      }
    const times = own ? this.axis(own) : n === like.length ? like : this.axis(like.slice(0, n));
    if (n > 0) this.last = times;
    return [{ times, values: this.take(n) }, i + 1];
  }
}

/** Whether the quote at b[q] ends a string (it is not escaped by an odd run of backslashes). */
function unescaped(b: Buffer, q: number): boolean {
  let n = 0;
  while (b[q - 1 - n] === BACKSLASH) n++;
  return n % 2 === 0;
}

function startsWithKey(b: Buffer, i: number): boolean {
  for (let k = 0; k < KEY.length; k++) if (b[i + k] !== KEY[k]) return false;
  return true;
}

/**
 * Parse JSON bytes into the value JSON.parse gives, reading `"points"` arrays of [time, value] pairs
 * with the scanner (held packed, see above). Throws JSON.parse's SyntaxError for text that is not JSON.
 */
export function parseWithPoints(input: Uint8Array | string): unknown {
  const b = typeof input === "string" ? Buffer.from(input) : Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  const reader = new PointsReader(b);
  const found: PackedPoints[] = [];
  /** The text around the arrays read: one more piece than arrays. */
  const pieces: string[] = [];
  let copied = 0;
  // Strings are skipped whole (quote to unescaped quote): a `"points"` that starts outside a string is a key
  // when a colon follows, and only then is the array after it read.
  let i = b.indexOf(QUOTE);
  while (i >= 0) {
    if (startsWithKey(b, i)) {
      let j = i + KEY.length;
      while (isSpace(b[j])) j++;
      if (b[j] === COLON) {
        j++;
        while (isSpace(b[j])) j++;
        const r = b[j] === OPEN ? reader.read(j) : undefined;
        if (r) {
          pieces.push(b.toString("utf8", copied, j));
          found.push(r[0]);
          copied = r[1];
          i = b.indexOf(QUOTE, r[1]);
          continue;
        }
      }
    }
    // Skip the string that opens here.
    let end = b.indexOf(QUOTE, i + 1);
    while (end >= 0 && !unescaped(b, end)) end = b.indexOf(QUOTE, end + 1);
    if (end < 0) break; // unterminated: JSON.parse reports it
    i = b.indexOf(QUOTE, end + 1);
  }
  if (found.length === 0) return JSON.parse(b.toString("utf8"));
  pieces.push(b.toString("utf8", copied));
  // Each array read is replaced by an object with a key no piece of the text spells.
  const marker = freshMarker(pieces);
  let text = pieces[0]!;
  for (let k = 0; k < found.length; k++) text += `{"${marker}":${k}}${pieces[k + 1]!}`;
  // A marker can only stand where a "points" key's value was, so its holder is that key's object. The
  // accessor goes on once JSON.parse is done (a reviver's answer becomes a data property); until then the
  // key keeps its place with null, so key order is the file's.
  const holders: Array<[object, PackedPoints]> = [];
  const value: unknown = JSON.parse(text, function (this: object, _key: string, v: unknown) {
    if (typeof v === "object" && v !== null && !Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, marker)) {
      holders.push([this, found[(v as Record<string, number>)[marker]!]!]);
      return null;
    }
    return v;
  });
  for (const [holder, points] of holders) setPackedPoints(holder, points);
  return value;
}

/** A key no piece of the text spells, standing in for each points array read until JSON.parse is done. */
function freshMarker(pieces: readonly string[]): string {
  for (;;) {
    const m = `pypictl-points-${randomBytes(12).toString("hex")}`;
    if (!pieces.some((p) => p.includes(m))) return m;
  }
}
