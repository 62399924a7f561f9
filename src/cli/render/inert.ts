/**
 * Text from AWS, a host, the index, a config file or a bundle never drives the terminal (issue 25). An ECS
 * stop reason is free text anyone with ecs:StopTask writes (up to 255 characters, ECS API reference,
 * StopTask `reason`); a bundle arrives attached to a ticket. Printed raw, `ESC ] 0 ; … BEL` retitles the
 * terminal, `ESC [ 2 J` clears it and OSC 52 writes the clipboard in several terminals (xterm ctlseqs).
 *
 * Every such character is shown escaped instead — `\x1b`, `\u202e` — so the report stays readable and
 * says what was there:
 * - C0 and C1 controls and DEL (Unicode category Cc; a UTF-8 terminal may act on C1 CSI U+009B too),
 * - invisible formatting characters (Cf: bidi overrides and isolates U+202A–U+202E, U+2066–U+2069, which
 *   reorder what follows them — "Trojan Source", CVE-2021-42574 — zero-width characters, the BOM, tags),
 * - line and paragraph separators (Zl, Zp: line breaks to JavaScript and many viewers),
 * - lone surrogates and U+FFFE/U+FFFF, which no UTF-8 encoder or XML 1.0 document can carry.
 *
 * Pure. The renderers call `inertRenderInput` once on what they render (the report and the evidence);
 * `inertStream` is the last guard on every line the CLI writes.
 */

/** Everything above, in one pass (the u flag makes \p{Cs} match only an unpaired surrogate). */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\uFFFE\uFFFF]/gu;

const hex = (n: number, width: number) => n.toString(16).padStart(width, "0");

const SHORT: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** One character as an escape a reader recognises: `\n`, `\x1b` below U+0100, `\u202e` in the BMP, `\u{e0001}` past it. */
export function escapeChar(ch: string): string {
  const short = SHORT[ch];
  if (short) return short;
  const cp = ch.codePointAt(0)!;
  if (cp < 0x100) return `\\x${hex(cp, 2)}`;
  if (cp <= 0xffff) return `\\u${hex(cp, 4)}`;
  return `\\u{${cp.toString(16)}}`;
}

/** A data string made inert: every unsafe character escaped, line breaks and tabs included. */
export function inertText(s: string): string {
  return s.replace(UNSAFE, escapeChar);
}

/**
 * Text the CLI composed (a report, a message): line breaks and tabs are its own layout and stay, and so do
 * the colour sequences chalk writes (SGR, `ESC [ n ; … m`, which only set colours); every other unsafe
 * character is escaped.
 */
export function inertStream(s: string): string {
  // eslint-disable-next-line no-control-regex -- the one sequence let through is chalk's SGR
  return s.replace(/\x1b\[[0-9;]*m|[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\uFFFE\uFFFF]/gu, (m) =>
    m === "\n" || m === "\t" || m.length > 1 ? m : escapeChar(m),
  );
}

/**
 * `keep` verbatim (the password `creds` was asked to print, in each of its forms), everything around it
 * made inert as `inertStream` does.
 */
export function inertAround(s: string, keep: readonly string[]): string {
  const forms = [...new Set(keep.filter((k) => k.length > 0))].sort((a, b) => b.length - a.length);
  if (forms.length === 0) return inertStream(s);
  const pattern = new RegExp(forms.map((f) => f.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
  let out = "";
  let at = 0;
  for (const m of s.matchAll(pattern)) {
    out += inertStream(s.slice(at, m.index)) + m[0];
    at = m.index + m[0].length;
  }
  return out + inertStream(s.slice(at));
}

/**
 * A value with every string in it (keys too) made inert. Parts with nothing to escape are returned as they
 * are, so a large evidence object with clean text costs a walk, not a copy.
 */
export function inertDeep<T>(value: T): T {
  return walk(value) as T;
}

function walk(v: unknown): unknown {
  if (typeof v === "string") return inertText(v);
  if (typeof v !== "object" || v === null) return v;
  if (ArrayBuffer.isView(v)) return v;
  if (Array.isArray(v)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const w = walk(v[i]);
      if (w !== v[i]) (copy ??= v.slice())[i] = w;
    }
    return copy ?? v;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null) return v;
  let copy: Record<string, unknown> | undefined;
  const src = v as Record<string, unknown>;
  for (const key of Object.keys(src)) {
    const k = inertText(key);
    const w = walk(src[key]);
    if (k !== key || w !== src[key]) {
      copy ??= { ...src };
      if (k !== key) delete copy[key];
      copy[k] = w;
    }
  }
  return copy ?? v;
}

/**
 * JSON text (JSON.stringify already writes C0 controls as \u00XX) with the rest written as \uXXXX escapes
 * too: the same value to any parser, nothing for a terminal that `cat`s it to act on.
 */
export function inertJson(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}\uFFFE\uFFFF]/gu, (ch) =>
    ch === "\n" ? ch : [...Array(ch.length).keys()].map((i) => `\\u${hex(ch.charCodeAt(i), 4)}`).join(""),
  );
}

/** What a renderer is given: the report and the evidence its timeline reads, with every string inert. */
export function inertRenderInput<R, O extends { evidence?: unknown }>(
  report: R,
  opts: O,
): { report: R; opts: O } {
  return {
    report: inertDeep(report),
    opts: opts.evidence === undefined ? opts : { ...opts, evidence: inertDeep(opts.evidence) },
  };
}
