/**
 * Merge generated credentials into an existing client config file without losing anything else: other
 * sections, keys, comments and blank lines stay byte for byte; only the lines pypictl owns change.
 * Pure text → text, with a list of what changed (never the values).
 */
import { parse as parseToml } from "smol-toml";
import { UsageError } from "../errors.js";
import {
  type CredFormat,
  type CredsInput,
  credentialUrls,
  netrcEntry,
  netrcMachine,
  shellQuote,
  uvIndexBlock,
} from "./formats.js";

export interface MergeResult {
  text: string;
  /** Human summaries such as `set [global] index-url (replaced)`; never a value. */
  changes: string[];
}

const SECTION = /^\s*\[([^\]]+)\]\s*(?:[#;].*)?$/;
const KEY = /^([^\s=:#;[][^=:]*?)\s*[=:]/;

function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function joinLines(lines: string[]): string {
  return lines.length ? `${lines.join("\n")}\n` : "";
}

interface IniSection {
  name: string;
  /** Index of the header line (−1 for the lines before any header). */
  header: number;
  /** One past the last line that belongs to the section. */
  end: number;
}

function iniSections(lines: string[]): IniSection[] {
  const out: IniSection[] = [];
  let cur: IniSection = { name: "", header: -1, end: 0 };
  lines.forEach((line, i) => {
    const m = SECTION.exec(line);
    if (m) {
      cur.end = i;
      out.push(cur);
      cur = { name: m[1]!.trim(), header: i, end: lines.length };
    }
  });
  cur.end = lines.length;
  out.push(cur);
  return out;
}

const normKey = (k: string) => k.trim().toLowerCase().replace(/_/g, "-");

/** The line range [start, end) of a key and its continuation lines inside a section. */
function findKey(lines: string[], sec: IniSection, key: string): { start: number; end: number } | undefined {
  for (let i = sec.header + 1; i < sec.end; i++) {
    const m = KEY.exec(lines[i]!);
    if (m && normKey(m[1]!) === normKey(key)) {
      let end = i + 1;
      while (end < sec.end && /^\s+\S/.test(lines[end]!) && !/^\s*[#;]/.test(lines[end]!)) end++;
      return { start: i, end };
    }
  }
  return undefined;
}

/** Last line of a section that is not blank (keys are added after it). */
function lastContentLine(lines: string[], sec: IniSection): number {
  let i = sec.end - 1;
  while (i > sec.header && lines[i]!.trim() === "") i--;
  return i;
}

/** Set `key` in `[section]`: replace it in place, add it at the end of the section, or add the section. */
export function setIniValue(
  lines: string[],
  section: string,
  key: string,
  valueLines: string[],
  changes: string[],
): void {
  const sec = iniSections(lines).find((s) => s.header >= 0 && s.name === section);
  const newLines = [
    `${key} =${valueLines[0] === "" ? "" : ` ${valueLines[0]}`}`,
    ...valueLines.slice(1).map((v) => `    ${v}`),
  ];
  if (!sec) {
    if (lines.length && lines[lines.length - 1]!.trim() !== "") lines.push("");
    lines.push(`[${section}]`, ...newLines);
    changes.push(`added [${section}] ${key}`);
    return;
  }
  const found = findKey(lines, sec, key);
  if (found) {
    const old = lines.slice(found.start, found.end);
    if (old.join("\n") === newLines.join("\n")) return;
    lines.splice(found.start, found.end - found.start, ...newLines);
    changes.push(`replaced [${section}] ${key}`);
    return;
  }
  lines.splice(lastContentLine(lines, sec) + 1, 0, ...newLines);
  changes.push(`added [${section}] ${key}`);
}

function getIniValue(lines: string[], section: string, key: string): string | undefined {
  const sec = iniSections(lines).find((s) => s.header >= 0 && s.name === section);
  if (!sec) return undefined;
  const found = findKey(lines, sec, key);
  if (!found) return undefined;
  const first = lines[found.start]!.replace(KEY, "").trim();
  return [first, ...lines.slice(found.start + 1, found.end).map((l) => l.trim())].join("\n");
}

export function mergePipConf(existing: string, input: CredsInput): MergeResult {
  const lines = splitLines(existing);
  const changes: string[] = [];
  const sec = iniSections(lines).find((s) => s.header >= 0 && s.name === "global");
  // pip reads index_url and index-url alike: replace whichever spelling is there.
  const spelling =
    sec && findKey(lines, sec, "index-url")
      ? (KEY.exec(lines[findKey(lines, sec, "index-url")!.start]!)?.[1]?.trim() ?? "index-url")
      : "index-url";
  setIniValue(
    lines,
    "global",
    spelling,
    [credentialUrls(input, { mask: false }).indexWithCredentials],
    changes,
  );
  return { text: joinLines(lines), changes };
}

export function mergePypirc(existing: string, input: CredsInput): MergeResult {
  const lines = splitLines(existing);
  const changes: string[] = [];
  const current = getIniValue(lines, "distutils", "index-servers");
  const servers = current === undefined ? [] : current.split(/\s+/).filter(Boolean);
  if (!servers.includes(input.name)) {
    setIniValue(lines, "distutils", "index-servers", ["", ...servers, input.name], changes);
    // setIniValue puts a new [distutils] at the end; move it first when the file had none (readability only).
    if (current === undefined && lines.length > 0) {
      const i = lines.indexOf("[distutils]");
      const block = lines.splice(i, lines.length - i);
      while (lines.length && lines[lines.length - 1]!.trim() === "") lines.pop();
      lines.unshift(...block, ...(lines.length ? [""] : []));
    }
  }
  const u = credentialUrls(input, { mask: false });
  setIniValue(lines, input.name, "repository", [u.upload], changes);
  setIniValue(lines, input.name, "username", [input.username], changes);
  setIniValue(lines, input.name, "password", [input.password], changes);
  return { text: joinLines(lines), changes };
}

interface NetrcToken {
  text: string;
  start: number;
  end: number;
}

/** Tokenise like Python 3.11's netrc (quotes and backslash escapes), keeping offsets. */
function netrcTokens(text: string): NetrcToken[] {
  const out: NetrcToken[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (
      ch === "#" &&
      (out.length === 0 ||
        !["login", "user", "password", "account", "machine"].includes(out[out.length - 1]!.text))
    ) {
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? text.length : nl + 1;
      continue;
    }
    const start = i;
    let tok = "";
    if (ch === '"') {
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\") i++;
        tok += text[i] ?? "";
        i++;
      }
      i++;
    } else {
      while (i < text.length && !/\s/.test(text[i]!)) {
        if (text[i] === "\\") i++;
        tok += text[i] ?? "";
        i++;
      }
    }
    out.push({ text: tok, start, end: i });
  }
  return out;
}

export interface NetrcEntry {
  machine: string;
  login?: string;
  password?: string;
}

export function parseNetrc(text: string): NetrcEntry[] {
  const toks = netrcTokens(text);
  const entries: NetrcEntry[] = [];
  let cur: NetrcEntry | undefined;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i]!.text;
    if (t === "machine" || t === "default") {
      cur = { machine: t === "default" ? "default" : (toks[++i]?.text ?? "") };
      entries.push(cur);
    } else if (t === "macdef") {
      cur = undefined;
      const nl = text.indexOf("\n\n", toks[i]!.end);
      while (i + 1 < toks.length && (nl < 0 || toks[i + 1]!.start < nl)) i++;
    } else if (cur && (t === "login" || t === "user")) cur.login = toks[++i]?.text ?? "";
    else if (cur && t === "password") cur.password = toks[++i]?.text ?? "";
    else if (cur && t === "account") i++;
  }
  return entries;
}

interface NetrcSpan {
  keyword: "machine" | "default";
  machine?: string;
  start: number;
  end: number;
}

/**
 * The machine/default entries of a .netrc with their text spans, read by position as Python's netrc does:
 * a keyword's value is never a keyword (a password "macdef" or "machine" is a value), and a macdef's body
 * runs to the next empty line.
 */
function netrcSpans(text: string, toks: NetrcToken[]): NetrcSpan[] {
  const spans: NetrcSpan[] = [];
  let i = 0;
  while (i < toks.length) {
    const t = toks[i]!.text;
    if (t === "macdef") {
      const blank = text.indexOf("\n\n", toks[i]!.end);
      i++;
      while (i < toks.length && (blank < 0 || toks[i]!.start < blank)) i++;
      continue;
    }
    if (t !== "machine" && t !== "default") {
      i++;
      continue;
    }
    const span: NetrcSpan =
      t === "machine"
        ? { keyword: t, machine: toks[i + 1]?.text ?? "", start: toks[i]!.start, end: 0 }
        : { keyword: t, start: toks[i]!.start, end: 0 };
    let j = i + (t === "machine" ? 2 : 1);
    while (j < toks.length && !["machine", "default", "macdef"].includes(toks[j]!.text))
      j += ["login", "user", "password", "account"].includes(toks[j]!.text) ? 2 : 1;
    span.end = toks[Math.min(j, toks.length) - 1]!.end;
    spans.push(span);
    i = j;
  }
  return spans;
}

export function mergeNetrc(existing: string, input: CredsInput): MergeResult {
  const machine = netrcMachine(input.url);
  const entry = netrcEntry(input, { mask: false });
  const spans = netrcSpans(existing, netrcTokens(existing));
  const ours = spans.find((s) => s.keyword === "machine" && s.machine === machine);
  if (ours) {
    if (existing.slice(ours.start, ours.end) === entry) return { text: existing, changes: [] };
    return {
      text: existing.slice(0, ours.start) + entry + existing.slice(ours.end),
      changes: [`replaced machine ${machine}`],
    };
  }
  // A `default` entry must stay last: insert before it.
  const def = spans.find((s) => s.keyword === "default");
  if (def) {
    return {
      text: `${existing.slice(0, def.start)}${entry}\n${existing.slice(def.start)}`,
      changes: [`added machine ${machine}`],
    };
  }
  const sep = existing === "" || existing.endsWith("\n") ? "" : "\n";
  return { text: `${existing}${sep}${entry}\n`, changes: [`added machine ${machine}`] };
}

/** Replace the `[[index]]` table named like ours (or add one); every other line stays as it was. */
export function mergeUvToml(existing: string, input: CredsInput, file: string): MergeResult {
  try {
    parseToml(existing);
  } catch (e) {
    throw new UsageError(
      `${file}: not valid TOML, not changed (${(e as Error).message.split("\n")[0]})`,
      file,
    );
  }
  const lines = splitLines(existing);
  const block = splitLines(uvIndexBlock(input, { mask: false }));
  const headers: number[] = [];
  lines.forEach((l, i) => {
    if (/^\s*\[/.test(l)) headers.push(i);
  });
  for (const [k, h] of headers.entries()) {
    if (!/^\s*\[\[\s*index\s*\]\]/.test(lines[h]!)) continue;
    let end = headers[k + 1] ?? lines.length;
    const body = lines.slice(h, end);
    const nameLine = body.find((l) => /^\s*name\s*=/.test(l));
    let name: unknown;
    try {
      name = nameLine ? (parseToml(nameLine) as { name?: unknown }).name : undefined;
    } catch {
      name = undefined;
    }
    if (name !== input.name) continue;
    while (end > h + 1 && lines[end - 1]!.trim() === "") end--;
    const old = lines.slice(h, end);
    if (old.join("\n") === block.join("\n")) return { text: existing, changes: [] };
    lines.splice(h, end - h, ...block);
    return { text: joinLines(lines), changes: [`replaced [[index]] ${input.name}`] };
  }
  // Another index marked default would conflict with ours.
  const others = headers.some((h) => /^\s*\[\[\s*index\s*\]\]/.test(lines[h]!));
  if (lines.length && lines[lines.length - 1]!.trim() !== "") lines.push("");
  lines.push(...block);
  const changes = [`added [[index]] ${input.name}`];
  if (others) changes.push(`note: other [[index]] tables kept; ${input.name} is marked default = true`);
  const text = joinLines(lines);
  parseToml(text);
  return { text, changes };
}

/** Replace `export NAME=` lines we own, keep everything else. */
export function mergeEnvFile(existing: string, generated: string): MergeResult {
  const lines = splitLines(existing);
  const changes: string[] = [];
  for (const g of splitLines(generated)) {
    const m = /^export ([A-Z_]+)=/.exec(g);
    if (!m) continue;
    const i = lines.findIndex((l) => new RegExp(`^\\s*(?:export\\s+)?${m[1]}=`).test(l));
    if (i >= 0) {
      if (lines[i] !== g) {
        lines[i] = g;
        changes.push(`replaced ${m[1]}`);
      }
    } else {
      lines.push(g);
      changes.push(`added ${m[1]}`);
    }
  }
  return { text: joinLines(lines), changes };
}

export function mergeFor(
  format: CredFormat,
  existing: string,
  input: CredsInput,
  generated: string,
  file: string,
): MergeResult {
  switch (format) {
    case "pip.conf":
      return mergePipConf(existing, input);
    case "pypirc":
      return mergePypirc(existing, input);
    case "netrc":
      return mergeNetrc(existing, input);
    case "uv":
      return mergeUvToml(existing, input, file);
    case "env":
    case "uv-env":
      return mergeEnvFile(existing, generated);
    case "json":
      return {
        text: generated,
        changes: existing === generated ? [] : [existing ? "replaced the file" : "created the file"],
      };
    case "poetry":
      throw new UsageError(
        "--write: poetry keeps its settings itself; run the printed `poetry` commands instead",
        "--write",
      );
  }
}

/** Mask credentials in any config text (old passwords included) before it is shown, e.g. in a diff. */
export function maskCredentialText(text: string): string {
  return text
    .split("\n")
    .map((line) =>
      line
        .replace(/(:\/\/[^:/\s'"@]*:)[^\s'"]*(@)/g, "$1***$2")
        .replace(/^(\s*(?:export\s+)?[A-Z_]*PASSWORD=).*$/, "$1***")
        .replace(/^(\s*password\s*[=:]).*$/i, "$1 ***")
        .replace(/(\bpassword\s+)("(?:[^"\\]|\\.)*"|\S+)/g, "$1***")
        .replace(/("password"\s*:\s*)"(?:[^"\\]|\\.)*"/g, '$1"***"')
        .replace(/(http-basic\.\S+\s+\S+\s+).*$/, "$1***"),
    )
    .join("\n");
}

type DiffOp = [" " | "-" | "+", string];

/**
 * Past this many changed lines, the changed middle is shown as one hunk (all of it out, then all of it in)
 * instead of a minimal diff: Myers' algorithm costs (lines × edits) time and edits² memory, and a merge
 * changes a handful of lines. 500 edits over a 30,000-line file is ~15 million steps, well under a second.
 */
export const MAX_DIFF_EDITS = 500;

/**
 * The shortest edit script from `a` to `b` (Myers 1986, "An O(ND) Difference Algorithm and Its
 * Variations", the greedy forward search with the V array of each round kept for the way back); undefined
 * when it needs more than `maxEdits` edits. Deletions come before insertions where both are shortest.
 */
function myersOps(a: readonly string[], b: readonly string[], maxEdits: number): DiffOp[] | undefined {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, maxEdits);
  const offset = max + 1;
  // v[offset + k]: the furthest x reached on diagonal k (y = x − k).
  const v = new Int32Array(2 * max + 3);
  // trace[d]: v's window [−d−1, d+1] as round d found it (what round d−1 left), indexed by k + d + 1.
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x =
        k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!)
          ? v[offset + k + 1]! // down: b[y] inserted
          : v[offset + k - 1]! + 1; // right: a[x] deleted
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(a, b, trace);
    }
  }
  return undefined;
}

function backtrack(a: readonly string[], b: readonly string[], trace: readonly Int32Array[]): DiffOp[] {
  const ops: DiffOp[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = trace.length - 1; d >= 0; d--) {
    const w = trace[d]!;
    const at = (k: number) => w[k + d + 1]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : at(prevK);
    const prevY = d === 0 ? 0 : prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push([" ", a[--x]!]);
      y--;
    }
    if (d > 0) {
      if (x === prevX) ops.push(["+", b[--y]!]);
      else ops.push(["-", a[--x]!]);
    }
  }
  return ops.reverse();
}

/**
 * The edit script from `a` to `b`: the common first and last lines set aside (linear), the middle by
 * Myers' algorithm, or as one hunk when it differs in more than MAX_DIFF_EDITS lines. Linear for the
 * merges creds makes (a few lines changed in a file of any length); it was a full LCS table, quadratic
 * in time and memory: a 30,000-line file ran out of heap (issue 26).
 */
function diffOps(a: readonly string[], b: readonly string[]): DiffOp[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf])
    suf++;
  const midA = a.slice(pre, a.length - suf);
  const midB = b.slice(pre, b.length - suf);
  const mid = myersOps(midA, midB, MAX_DIFF_EDITS) ?? [
    ...midA.map((l): DiffOp => ["-", l]),
    ...midB.map((l): DiffOp => ["+", l]),
  ];
  return [
    ...a.slice(0, pre).map((l): DiffOp => [" ", l]),
    ...mid,
    ...a.slice(a.length - suf).map((l): DiffOp => [" ", l]),
  ];
}

/** A line diff in unified style with 2 lines of context. */
export function lineDiff(before: string, after: string, label: string): string {
  const a = splitLines(before);
  const ops = diffOps(a, splitLines(after));
  // A line is shown when a change is within 2 lines of it: the distance to the nearest change, both ways.
  const near = new Array<boolean>(ops.length).fill(false);
  for (let k = 0, last = -Infinity; k < ops.length; k++) {
    if (ops[k]![0] !== " ") last = k;
    near[k] = k - last <= 2;
  }
  for (let k = ops.length - 1, next = Infinity; k >= 0; k--) {
    if (ops[k]![0] !== " ") next = k;
    if (next - k <= 2) near[k] = true;
  }
  const out = [`--- ${label}${a.length === 0 ? " (new file)" : ""}`, `+++ ${label}`];
  let gap = false;
  ops.forEach(([op, line], k) => {
    if (!near[k]) {
      if (!gap) out.push("@@");
      gap = true;
      return;
    }
    gap = false;
    out.push(`${op}${line}`);
  });
  return `${out.join("\n")}\n`;
}

export { shellQuote };

/** Read an INI file the way configparser does (no interpolation): section → key (normalised) → value. */
export function readIni(text: string): Map<string, Map<string, string>> {
  const lines = splitLines(text);
  const out = new Map<string, Map<string, string>>();
  for (const sec of iniSections(lines)) {
    if (sec.header < 0) continue;
    const keys = out.get(sec.name) ?? new Map<string, string>();
    out.set(sec.name, keys);
    for (let i = sec.header + 1; i < sec.end; i++) {
      const m = KEY.exec(lines[i]!);
      if (!m) continue;
      const found = findKey(lines, sec, m[1]!)!;
      if (found.start !== i) continue;
      const first = lines[i]!.replace(KEY, "").trim();
      keys.set(
        normKey(m[1]!),
        [first, ...lines.slice(i + 1, found.end).map((l) => l.trim())]
          .filter((v, k) => k === 0 || v !== "")
          .join("\n"),
      );
    }
  }
  return out;
}
