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
 *
 * The bytes can come in chunks (PointsJsonStream: `--replay` reads the file 1 MiB at a time), so a replay
 * never holds the file: the points go straight into the packed arrays and only the rest of the text — a
 * few hundred KiB of a 30 MiB bundle — is kept for JSON.parse. A chunk can end anywhere; what it cuts (a
 * string, a `"points"` key, an array) is picked up again when the next one arrives, and the result is the
 * same for every way of cutting the same bytes.
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
  private readonly byText = new Map<string, string>();
  /** Time axes handed out so far, by length: a series with the same times gets the same array. */
  private readonly axes = new Map<number, string[][]>();
  /**
   * Values are written into a pool and handed out as views of it: one allocation per POOL points. The
   * first is small: most JSON read has few points or none (the pool grows at its first full series).
   */
  private pool = new Float64Array(256);
  /** pool[0, used) is handed out. */
  private used = 0;
  /**
   * The bytes at hand (the stream's current window: reading past its end gives undefined, as past the end
   * of a whole file). No view of them is kept: the window's buffer is reused for the next chunk.
   */
  b: Buffer = Buffer.alloc(0);
  /**
   * Where the last read that failed stopped. A read stops at the first byte that does not fit the plain
   * shape, so one that stopped at b.length failed only for want of bytes: with more it may succeed.
   */
  failedAt = 0;

  private fail(i: number): undefined {
    this.failedAt = i;
    return undefined;
  }

  private space(i: number): number {
    while (isSpace(this.b[i])) i++;
    return i;
  }

  /**
   * The length of the time string opening at b[start] (after its quote) when it is the one last seen at
   * this position, or -1. Those bytes were checked when first read: equal bytes need no second look (the
   * string is ASCII, one character a byte).
   */
  private knownAt(start: number, index: number): number {
    const known = this.byIndex[index];
    if (known === undefined) return -1;
    const b = this.b;
    const n = known.length;
    for (let k = 0; k < n; k++) if (b[start + k] !== known.charCodeAt(k)) return -1;
    return b[start + n] === QUOTE ? n : -1;
  }

  /** The string at b[start, end) (ASCII), the copy already held when one is; remembered at `index`. */
  private time(start: number, end: number, index: number): string {
    const text = this.b.toString("latin1", start, end);
    let shared = this.byText.get(text);
    if (shared === undefined) this.byText.set(text, (shared = text));
    this.byIndex[index] = shared;
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

  /** NaN, for a number that is not the plain form: the byte at b[i] is where it stopped. */
  private notANumber(i: number): number {
    this.end = i;
    return NaN;
  }

  /**
   * A JSON number at b[i…] in the plain decimal form (its end in `this.end`), or NaN when it is not one
   * (then `this.end` is where reading stopped).
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
    if (!(c >= ZERO && c <= NINE)) return this.notANumber(i);
    let mantissa = 0;
    let digits = 0;
    if (c === ZERO) {
      c = b[++i]!;
      if (c >= ZERO && c <= NINE) return this.notANumber(i); // a leading zero is not JSON
    } else
      while (c >= ZERO && c <= NINE) {
        mantissa = mantissa * 10 + (c - ZERO);
        digits++;
        c = b[++i]!;
      }
    let decimals = 0;
    if (c === DOT) {
      c = b[++i]!;
      if (!(c >= ZERO && c <= NINE)) return this.notANumber(i);
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
        if (!(c >= ZERO && c <= NINE)) return this.notANumber(i);
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
        if (b[i] !== OPEN) return this.fail(i);
        i = this.space(i + 1);
        if (b[i] !== QUOTE) return this.fail(i);
        const start = ++i;
        let t: string;
        const known = this.knownAt(start, n);
        if (known >= 0) {
          i = start + known;
          t = this.byIndex[n]!;
        } else {
          let c = b[i];
          while (c !== QUOTE) {
            if (c === undefined || c === BACKSLASH || c < 0x20 || c >= 0x80) return this.fail(i);
            c = b[++i];
          }
          t = this.time(start, i, n);
        }
        i = this.space(i + 1);
        if (b[i] !== COMMA) return this.fail(i);
        const v = this.number(this.space(i + 1));
        if (v !== v) return this.fail(this.end); // NaN: not a plain finite number
        i = this.space(this.end);
        if (b[i] !== CLOSE) return this.fail(i);
        this.put(n, v);
        if (own) own.push(t);
        else if (like[n] !== t) (own = like.slice(0, n)).push(t);
        n++;
        i = this.space(i + 1);
        if (b[i] === CLOSE) break;
        if (b[i] !== COMMA) return this.fail(i);
        i = this.space(i + 1);
      }
    const times = own ? this.axis(own) : n === like.length ? like : this.axis(like.slice(0, n));
    if (n > 0) this.last = times;
    return [{ times, values: this.take(n) }, i + 1];
  }
}

/**
 * JSON bytes fed in chunks of any size (`feed`, or read straight into the stream's buffer with `room` and
 * `wrote`), then `finish`: the value JSON.parse gives for all of them, with the `"points"` arrays of
 * [time, value] pairs held packed (see above). Held at any moment: the part of the text that is not a
 * points array read, and the window of bytes not yet scanned — about one chunk, more only while a single
 * string's escape, a `"points"` key or a points array is cut by a chunk's end.
 */
export class PointsJsonStream {
  private readonly reader = new PointsReader();
  /** buf[0, end) holds the bytes not yet flushed; `b` is the view of them the scan reads. */
  private buf = Buffer.alloc(0);
  private end = 0;
  private b = this.buf.subarray(0, 0);
  private eof = false;
  /** Where the scan goes on: the next byte to look at (past `end` when a chunk cut an escape in two). */
  private at = 0;
  /** Whether b[at] is inside a string (its opening quote was in an earlier chunk). */
  private inString = false;
  /** A key or array cut by the chunk's end starts at `waitFrom` (-1: none); the scan resumes there once `waitFor` bytes are held from it. */
  private waitFrom = -1;
  private waitFor = 0;
  /** The text before b[copied] that is not a points array read: in `pending` (bytes) and `pieces` (text). */
  private copied = 0;
  private pending: Buffer[] = [];
  /** The text around the arrays read: one more piece than arrays, once finished. */
  private readonly pieces: string[] = [];
  private readonly found: PackedPoints[] = [];

  /** Add a chunk (copied: the caller may reuse its buffer). */
  feed(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.room(chunk.length).set(chunk);
    this.wrote(chunk.length);
  }

  /**
   * Where the next bytes go: at least `min` bytes of the stream's own buffer, past what it still holds
   * (the buffer grows only when that is less than `min`). Write into it, then say how much with `wrote`:
   * a file read this way is never copied (issue 12).
   */
  room(min = 1): Buffer {
    if (this.eof) throw new Error("PointsJsonStream: more bytes after finish");
    // Drop what the scan is done with: text that is not an array read goes to `pending`.
    const keep = this.waitFrom >= 0 ? this.waitFrom : Math.min(this.at, this.end);
    if (keep > this.copied) this.pending.push(Buffer.from(this.buf.subarray(this.copied, keep)));
    const held = this.end - keep;
    if (this.buf.length - held < min) {
      const grown = Buffer.allocUnsafe(Math.max(held + min, 2 * this.buf.length));
      this.buf.copy(grown, 0, keep, this.end);
      this.buf = grown;
    } else if (keep > 0) this.buf.copyWithin(0, keep, this.end);
    this.end = held;
    this.b = this.buf.subarray(0, held);
    this.at -= keep;
    this.copied = 0;
    if (this.waitFrom >= 0) this.waitFrom = 0;
    return this.buf.subarray(held);
  }

  /** `n` bytes were written at the start of the last `room`: scan them. */
  wrote(n: number): void {
    if (n === 0) return;
    this.end += n;
    this.b = this.buf.subarray(0, this.end);
    if (this.waitFrom >= 0 && this.end - this.waitFrom < this.waitFor) return;
    this.scan();
  }

  /** The value of all the bytes fed. Throws JSON.parse's SyntaxError when they are not JSON. */
  finish(): unknown {
    this.eof = true;
    this.scan();
    this.pieces.push(this.text(this.end));
    this.buf = this.b = Buffer.alloc(0);
    return assemble(this.pieces, this.found);
  }

  /** The text from b[copied] (and what is pending before it) up to b[to]: a piece between arrays. */
  private text(to: number): string {
    const tail = this.b.subarray(this.copied, to);
    const text = this.pending.length
      ? Buffer.concat([...this.pending, tail]).toString("utf8")
      : tail.toString("utf8");
    this.pending = [];
    return text;
  }

  /**
   * Scan the window from `at`. Strings are skipped whole (quote to unescaped quote): a `"points"` that
   * starts outside a string is a key when a colon follows, and only then is the array after it read.
   * What the window's end cuts is left for the next chunk (all of it at the end of the input).
   */
  private scan(): void {
    const b = this.b;
    this.reader.b = b;
    this.waitFrom = -1;
    let i = this.at;
    if (this.inString) {
      i = this.skipString(i);
      if (i < 0) return;
      this.inString = false;
    }
    for (;;) {
      const q = b.indexOf(QUOTE, i);
      if (q < 0) {
        this.at = this.end;
        return;
      }
      const next = this.atKey(q);
      if (next === WAIT) {
        // Cut by the window's end: look again with at least twice as many bytes from here.
        this.at = q;
        this.waitFrom = q;
        this.waitFor = 2 * (this.end - q) + 1;
        return;
      }
      if (next >= 0) {
        i = next;
        continue;
      }
      // Skip the string that opens here.
      i = this.skipString(q + 1);
      if (i < 0) {
        this.inString = true;
        return;
      }
    }
  }

  /**
   * At a quote: when it opens a `"points"` key whose array was read, where the scan goes on; WAIT when the
   * window ends before that can be told; NOT_READ otherwise.
   */
  private atKey(q: number): number {
    const b = this.b;
    const more = !this.eof;
    for (let k = 0; k < KEY.length; k++) {
      const c = b[q + k];
      if (c === undefined) return more ? WAIT : NOT_READ;
      if (c !== KEY[k]) return NOT_READ;
    }
    let j = q + KEY.length;
    while (isSpace(b[j])) j++;
    if (j === this.end) return more ? WAIT : NOT_READ;
    if (b[j] !== COLON) return NOT_READ;
    j++;
    while (isSpace(b[j])) j++;
    if (j === this.end) return more ? WAIT : NOT_READ;
    if (b[j] !== OPEN) return NOT_READ;
    const r = this.reader.read(j);
    if (!r) return more && this.reader.failedAt >= this.end ? WAIT : NOT_READ;
    this.pieces.push(this.text(j));
    this.found.push(r[0]);
    this.copied = r[1];
    return r[1];
  }

  /**
   * From b[i] inside a string: the index after its closing quote, or -1 when the window ends first (then
   * `at` is where to go on: past an escape's backslash, the byte after the escaped one).
   */
  private skipString(i: number): number {
    const b = this.b;
    const end = this.end;
    for (;;) {
      const close = i < end ? b.indexOf(QUOTE, i) : -1;
      const limit = close < 0 ? end : close;
      while (i < limit && b[i] !== BACKSLASH) i++;
      if (i < limit) {
        i += 2; // the backslash and the byte it escapes
        continue;
      }
      if (close >= 0) return close + 1;
      this.at = i;
      return -1;
    }
  }
}

/** atKey's answers besides an index. */
const WAIT = -2;
const NOT_READ = -1;

/**
 * Parse JSON bytes into the value JSON.parse gives, reading `"points"` arrays of [time, value] pairs
 * with the scanner (held packed, see above). Throws JSON.parse's SyntaxError for text that is not JSON.
 */
export function parseWithPoints(input: Uint8Array | string): unknown {
  const stream = new PointsJsonStream();
  stream.feed(typeof input === "string" ? Buffer.from(input) : input);
  return stream.finish();
}

/** The value of the text `pieces` with the arrays `found` put back between them. */
function assemble(pieces: readonly string[], found: readonly PackedPoints[]): unknown {
  if (found.length === 0) return JSON.parse(pieces[0]!);
  // Each array read is replaced by an object with a key no piece of the text spells.
  const marker = freshMarker(pieces);
  let text = pieces[0]!;
  for (let k = 0; k < found.length; k++) text += `{"${marker}":${k}}${pieces[k + 1]!}`;
  // A marker can only stand where a "points" key's value was, so its holder is that key's object. The
  // accessor goes on once JSON.parse is done (a reviver's answer becomes a data property); until then the
  // key keeps its place with null, so key order is the file's.
  const holders: Array<[object, PackedPoints]> = [];
  const value: unknown = JSON.parse(text, function (this: object, _key: string, v: unknown) {
    if (
      typeof v === "object" &&
      v !== null &&
      !Array.isArray(v) &&
      Object.prototype.hasOwnProperty.call(v, marker)
    ) {
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
