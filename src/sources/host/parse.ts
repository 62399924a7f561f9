/**
 * Pure parsers for the probe script's output. They never throw and never guess: anything that does not
 * look exactly like the tool's output becomes `{ ok: false, error }` naming what was wrong, so a check
 * reading it says `error`, never `pass`.
 */
import type {
  BlockedSamples,
  CgroupOomKills,
  FreeMem,
  HostResult,
  HostSnapshot,
  LoadAvg,
  Meminfo,
  MountEntry,
  MountInfo,
  JudgedMount,
  MountRole,
  NfsMountLine,
  NfsOpStats,
  NfsWindow,
  NfsXprt,
  PackageCount,
  ProcessCounts,
  Parsed,
  ProbeMeta,
  SectionName,
  VmstatSamples,
} from "./model.js";
import { SECTION_NAMES } from "./model.js";
import { SSM_STDOUT_LIMIT } from "./probe-script.js";

const good = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = <T>(error: string, missing?: boolean): Parsed<T> =>
  missing ? { ok: false, error, missing: true } : { ok: false, error };

/** Guard a parser: whatever it does, the caller gets a Parsed (a throw is a bug, reported as a parse error). */
function safely<T>(what: string, f: () => Parsed<T>): Parsed<T> {
  try {
    return f();
  } catch (e) {
    return bad(`${what}: parser failed (${e instanceof Error ? e.message : String(e)})`);
  }
}

const INT = /^\d+$/;
const DEC = /^\d+(?:\.\d+)?$/;

function lines(text: string): string[] {
  // The regex split is several times slower than a string split; without "\r" they are the same.
  return text.includes("\r") ? text.split(/\r?\n/) : text.split("\n");
}

function short(s: string, n = 60): string {
  const t = s.trim();
  return JSON.stringify(t.length > n ? `${t.slice(0, n)}…` : t);
}

// ───────────────────────────── sections ─────────────────────────────

export interface RawSection {
  name: string;
  body: string;
  /** From the end marker; undefined when the end marker is missing (output cut off). */
  status?: "ok" | "failed" | "missing";
  exit?: number;
  reason?: string;
}

const BEGIN = /^==> pypictl:([a-z0-9_-]+) <==$/;
const END = /<== pypictl:([a-z0-9_-]+) status=(ok|failed|missing)((?: [a-z_]+=\S*)*) ==>$/;

const BEGIN_PREFIX = "==> pypictl:";
const END_MARK = "<== pypictl:";

/** Split probe output into sections by their markers. Unknown sections are kept; the caller picks. */
export function splitSections(stdout: string): Map<string, RawSection> {
  return stdout.includes("\r") ? splitSectionsByLine(stdout) : splitSectionsInPlace(stdout);
}

/**
 * splitSections for output without "\r" (what the probe prints): the same walk over the lines, by index,
 * and each body is one slice of the output (its lines joined by "\n" are exactly that slice) instead of
 * a copy of every line joined again.
 */
function splitSectionsInPlace(text: string): Map<string, RawSection> {
  const out = new Map<string, RawSection>();
  let name: string | undefined;
  /** Where the current section's first body line starts; -1 while it has none. */
  let bodyStart = -1;
  const len = text.length;
  /** The next end marker at or after `pos` (-1: none left), searched again only once passed. */
  let nextEnd = text.indexOf(END_MARK);
  let pos = 0;
  while (pos <= len) {
    let eol = text.indexOf("\n", pos);
    if (eol < 0) eol = len;
    // Cheap tests first: most lines are neither marker.
    if (text.startsWith(BEGIN_PREFIX, pos)) {
      const b = BEGIN.exec(text.slice(pos, eol));
      if (b) {
        if (name !== undefined)
          out.set(name, { name, body: bodyStart < 0 ? "" : text.slice(bodyStart, pos - 1) });
        name = b[1]!;
        bodyStart = -1;
        pos = eol + 1;
        continue;
      }
    }
    if (name !== undefined) {
      if (nextEnd >= 0 && nextEnd < pos) nextEnd = text.indexOf(END_MARK, pos);
      const e = nextEnd >= 0 && nextEnd < eol ? END.exec(text.slice(pos, eol)) : null;
      if (e && e[1] === name) {
        // The body: its lines, then what precedes the marker on the marker's line (if anything).
        const bodyEnd = e.index > 0 ? pos + e.index : bodyStart < 0 ? pos : pos - 1;
        const sec: RawSection = {
          name,
          body: bodyStart < 0 && e.index === 0 ? "" : text.slice(bodyStart < 0 ? pos : bodyStart, bodyEnd),
          status: e[2] as RawSection["status"],
        };
        endAttrs(sec, e[3]);
        out.set(name, sec);
        name = undefined;
        pos = eol + 1;
        continue;
      }
      if (bodyStart < 0) bodyStart = pos;
    }
    pos = eol + 1;
  }
  if (name !== undefined) out.set(name, { name, body: bodyStart < 0 ? "" : text.slice(bodyStart) });
  return out;
}

/** The exit= and reason= attributes of an end marker. */
function endAttrs(sec: RawSection, attrText: string | undefined): void {
  const attrs = new Map<string, string>();
  for (const kv of (attrText ?? "").trim().split(" ").filter(Boolean)) {
    const i = kv.indexOf("=");
    attrs.set(kv.slice(0, i), kv.slice(i + 1));
  }
  const exitText = attrs.get("exit");
  if (exitText !== undefined && INT.test(exitText)) sec.exit = Number(exitText);
  const reason = attrs.get("reason");
  if (reason !== undefined) sec.reason = reason;
}

function splitSectionsByLine(stdout: string): Map<string, RawSection> {
  const out = new Map<string, RawSection>();
  let cur: { name: string; body: string[] } | undefined;
  for (const line of lines(stdout)) {
    // Cheap tests first: most lines are neither marker.
    const b = line.startsWith("==> pypictl:") ? BEGIN.exec(line) : null;
    if (b) {
      if (cur) out.set(cur.name, { name: cur.name, body: cur.body.join("\n") });
      cur = { name: b[1]!, body: [] };
      continue;
    }
    const e = cur && line.includes("<== pypictl:") ? END.exec(line) : null;
    if (e && cur && e[1] === cur.name) {
      const before = line.slice(0, e.index);
      if (before) cur.body.push(before);
      const sec: RawSection = {
        name: cur.name,
        body: cur.body.join("\n"),
        status: e[2] as RawSection["status"],
      };
      endAttrs(sec, e[3]);
      out.set(cur.name, sec);
      cur = undefined;
      continue;
    }
    if (cur) cur.body.push(line);
  }
  if (cur) out.set(cur.name, { name: cur.name, body: cur.body.join("\n") });
  return out;
}

function describeReason(reason: string | undefined): string {
  if (!reason) return "not available on the host";
  const [what, arg] = [reason.slice(0, reason.indexOf(":")), reason.slice(reason.indexOf(":") + 1)];
  if (what === "no-command") return `\`${arg}\` is not installed on the host`;
  if (what === "no-file") return `${arg} does not exist or is not readable on the host`;
  return reason;
}

/** Turn a raw section into a parse result: missing / failed / cut off before the body parser runs. */
function section<T>(
  sections: Map<string, RawSection>,
  name: SectionName,
  parse: (body: string) => Parsed<T>,
  truncated: boolean,
): Parsed<T> {
  const s = sections.get(name);
  if (!s)
    return bad(
      truncated
        ? `section "${name}" is not in the output: it was cut at ${SSM_STDOUT_LIMIT.toLocaleString("en-US")} characters`
        : `section "${name}" is not in the probe output`,
    );
  if (s.status === undefined)
    return bad(
      truncated
        ? `section "${name}" was cut off: the output was truncated at ${SSM_STDOUT_LIMIT.toLocaleString("en-US")} characters`
        : `section "${name}" has no end marker: the probe was cut off`,
    );
  if (s.status === "missing") return bad(`${name}: ${describeReason(s.reason)}`, true);
  if (s.status === "failed")
    return bad(
      `${name}: the command failed (exit ${s.exit ?? "?"})${s.body.trim() ? `, output ${short(s.body)}` : ""}`,
    );
  return safely(name, () => parse(s.body));
}

// ───────────────────────────── meta ─────────────────────────────

function keyValues(body: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of lines(body)) {
    const i = line.indexOf("=");
    if (i > 0) m.set(line.slice(0, i).trim(), line.slice(i + 1));
  }
  return m;
}

export function parseMeta(body: string): Parsed<ProbeMeta> {
  const kv = keyValues(body);
  const probe = kv.get("probe");
  if (probe === undefined || !INT.test(probe))
    return bad("meta: no probe version line (not pypictl probe output?)");
  const time = kv.get("time") ?? "";
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(time))
    return bad(`meta: time ${short(time)} is not an ISO-8601 UTC time`);
  const samples = kv.get("samples") ?? "";
  if (!INT.test(samples)) return bad(`meta: samples ${short(samples)} is not a number`);
  return good({
    probeVersion: Number(probe),
    hostname: (kv.get("hostname") ?? "").trim() || "unknown",
    kernel: (kv.get("kernel") ?? "").trim(),
    time,
    samples: Number(samples),
    mountPath: kv.get("mount_path") ?? "",
    packageDir: kv.get("package_dir") ?? "",
  });
}

// ───────────────────────────── vmstat ─────────────────────────────

/** The columns every procps vmstat prints and the checks read. */
export const VMSTAT_REQUIRED = ["r", "b", "si", "so", "us", "sy", "id", "wa"] as const;

/**
 * The numbers of a line made only of ASCII digits, spaces and tabs (with at least one digit): what the
 * trim + split + INT test of the general path accepts as a sample, without the copies. Anything else →
 * undefined (the general path decides). Runs of more than 15 digits go through Number() like there.
 */
function scanSampleLine(line: string): number[] | undefined {
  const nums: number[] = [];
  const len = line.length;
  let i = 0;
  while (i < len) {
    let c = line.charCodeAt(i);
    if (c === 32 || c === 9) {
      i++;
      continue;
    }
    if (c < 48 || c > 57) return undefined;
    const start = i;
    let n = 0;
    while (i < len && (c = line.charCodeAt(i)) >= 48 && c <= 57) {
      n = n * 10 + (c - 48);
      i++;
    }
    nums.push(i - start > 15 ? Number(line.slice(start, i)) : n);
  }
  return nums.length > 0 ? nums : undefined;
}

export function parseVmstat(body: string): Parsed<VmstatSamples> {
  let columns: string[] | undefined;
  const rows: Array<Record<string, number>> = [];
  let n = 0;
  for (const raw of lines(body)) {
    n++;
    // Fast path: a sample line in the plain form vmstat prints (digits, spaces, tabs) that fits the header.
    const nums = columns ? scanSampleLine(raw) : undefined;
    if (nums && nums.length === columns!.length) {
      const row: Record<string, number> = {};
      for (let i = 0; i < nums.length; i++) row[columns![i]!] = nums[i]!;
      rows.push(row);
      continue;
    }
    const line = raw.trim();
    if (!line) continue;
    const tokens = line.split(/\s+/);
    // The group line: "procs -----------memory---------- ---swap-- …" or "--procs-- ----memory----…".
    if (/^-*procs/.test(tokens[0]!)) continue;
    if (tokens.every((t) => INT.test(t))) {
      if (!columns) return bad(`vmstat: a sample (line ${n}) comes before the column header`);
      if (tokens.length !== columns.length)
        return bad(
          `vmstat: line ${n} has ${tokens.length} values but the header has ${columns.length} columns (${short(line)})`,
        );
      const row: Record<string, number> = {};
      columns.forEach((c, i) => (row[c] = Number(tokens[i])));
      rows.push(row);
      continue;
    }
    if (tokens.every((t) => /^[a-z]+$/.test(t))) {
      if (columns && columns.join(" ") !== tokens.join(" "))
        return bad(`vmstat: line ${n} is a second, different header`);
      const missing = VMSTAT_REQUIRED.filter((c) => !tokens.includes(c));
      if (missing.length)
        return bad(`vmstat: the header lacks column(s) ${missing.join(", ")} (${short(line)})`);
      if (new Set(tokens).size !== tokens.length)
        return bad(`vmstat: the header repeats a column (${short(line)})`);
      columns = tokens;
      continue;
    }
    return bad(`vmstat: line ${n} is neither a header nor a sample: ${short(line)}`);
  }
  if (!columns) return bad("vmstat: no column header (empty or not vmstat output)");
  if (rows.length === 0) return bad("vmstat: no samples");
  for (const [i, r] of rows.entries()) {
    for (const c of ["us", "sy", "id", "wa"])
      if ((r[c] ?? 0) > 100) return bad(`vmstat: sample ${i + 1} has ${c}=${r[c]}, more than 100 %`);
  }
  return good({ columns, rows, intervalSeconds: 1 });
}

// ───────────────────────────── free -m ─────────────────────────────

export function parseFree(body: string): Parsed<FreeMem> {
  const ls = lines(body)
    .map((l) => l.trim())
    .filter(Boolean);
  const header = ls.find((l) => /^total\b/.test(l));
  if (!header) return bad("free: no header line starting with 'total'");
  const cols = header.split(/\s+/);
  const row = (label: string): Record<string, number> | string | undefined => {
    const l = ls.find((x) => x.startsWith(`${label}:`));
    if (!l) return undefined;
    const vals = l
      .slice(label.length + 1)
      .trim()
      .split(/\s+/);
    if (!vals.every((v) => INT.test(v))) return `free: the ${label} line has a non-number: ${short(l)}`;
    if (vals.length > cols.length || vals.length < 3)
      return `free: the ${label} line has ${vals.length} values for ${cols.length} columns`;
    const r: Record<string, number> = {};
    vals.forEach((v, i) => (r[cols[i]!] = Number(v)));
    return r;
  };
  const mem = row("Mem");
  if (mem === undefined) return bad("free: no Mem: line");
  if (typeof mem === "string") return bad(mem);
  if (mem.total === undefined || mem.used === undefined || mem.free === undefined)
    return bad("free: the header lacks total/used/free");
  const value: FreeMem = { mem: { total: mem.total, used: mem.used, free: mem.free } };
  if (mem.available !== undefined) value.mem.available = mem.available;
  const swap = row("Swap");
  if (typeof swap === "string") return bad(swap);
  if (swap) {
    if (swap.total === undefined || swap.used === undefined || swap.free === undefined)
      return bad("free: the Swap: line is incomplete");
    value.swap = { total: swap.total, used: swap.used, free: swap.free };
  }
  return good(value);
}

// ───────────────────────────── /proc/meminfo ─────────────────────────────

const isBlank = (c: number) => c === 32 || c === 9;

/**
 * A meminfo line in the plain ASCII form (`Name:` spaces/tabs digits, optionally spaces/tabs `kB`,
 * optional trailing spaces/tabs) → [name, value, has kB]. Exactly what the regex of the general path
 * accepts for such lines; anything else → undefined (the general path decides, with its message).
 */
function scanMeminfoLine(line: string): [string, number, boolean] | undefined {
  const len = line.length;
  let i = 0;
  for (; i < len; i++) {
    const c = line.charCodeAt(i);
    if (!(
      (c >= 48 && c <= 57) ||
      (c >= 65 && c <= 90) ||
      (c >= 97 && c <= 122) ||
      c === 95 ||
      c === 40 ||
      c === 41
    ))
      break;
  }
  if (i === 0 || i >= len || line.charCodeAt(i) !== 58) return undefined;
  const name = line.slice(0, i);
  i++;
  const ws = i;
  while (i < len && isBlank(line.charCodeAt(i))) i++;
  if (i === ws) return undefined;
  const start = i;
  let n = 0;
  let c = 0;
  while (i < len && (c = line.charCodeAt(i)) >= 48 && c <= 57) {
    n = n * 10 + (c - 48);
    i++;
  }
  if (i === start) return undefined;
  const value = i - start > 15 ? Number(line.slice(start, i)) : n;
  const gap = i;
  while (i < len && isBlank(line.charCodeAt(i))) i++;
  if (i === len) return [name, value, false];
  if (i === gap || line.charCodeAt(i) !== 107 || line.charCodeAt(i + 1) !== 66) return undefined; // "kB"
  i += 2;
  while (i < len && isBlank(line.charCodeAt(i))) i++;
  return i === len ? [name, value, true] : undefined;
}

export function parseMeminfo(body: string): Parsed<Meminfo> {
  const kB: Record<string, number> = {};
  let n = 0;
  for (const raw of lines(body)) {
    n++;
    let key: string | undefined;
    let value: number;
    let unit: boolean;
    const fast = scanMeminfoLine(raw);
    if (fast) [key, value, unit] = fast;
    else {
      if (!raw.trim()) continue;
      const m = /^([A-Za-z0-9_()]+):\s+(\d+)(\s+kB)?\s*$/.exec(raw);
      if (!m) return bad(`meminfo: line ${n} is not "Name: value kB": ${short(raw)}`);
      [key, value, unit] = [m[1]!, Number(m[2]), m[3] !== undefined];
    }
    // Only the HugePages_* counters come without a unit; a kB field without one was cut off.
    if (!unit && !key.startsWith("HugePages_"))
      return bad(`meminfo: line ${n} (${key}) has no kB unit: cut off?`);
    if (key in kB) return bad(`meminfo: ${key} appears twice`);
    kB[key] = value;
  }
  if (Object.keys(kB).length === 0) return bad("meminfo: empty");
  if (kB.MemTotal === undefined) return bad("meminfo: no MemTotal line");
  if (kB.MemTotal === 0) return bad("meminfo: MemTotal is 0");
  return good({ kB });
}

// ───────────────────────────── load, nproc ─────────────────────────────

export function parseLoadavg(body: string): Parsed<LoadAvg> {
  const t = body.trim().split(/\s+/);
  if (t.length < 3 || !t.slice(0, 3).every((x) => DEC.test(x)))
    return bad(`loadavg: expected "1.00 0.50 0.25 …", got ${short(body)}`);
  const v: LoadAvg = { one: Number(t[0]), five: Number(t[1]), fifteen: Number(t[2]) };
  const rt = /^(\d+)\/(\d+)$/.exec(t[3] ?? "");
  if (rt) {
    v.running = Number(rt[1]);
    v.total = Number(rt[2]);
  }
  return good(v);
}

export function parseNproc(body: string): Parsed<number> {
  const t = body.trim();
  if (!INT.test(t) || Number(t) < 1) return bad(`nproc: expected a whole number of CPUs, got ${short(t)}`);
  return good(Number(t));
}

// ───────────────────────────── mountstats ─────────────────────────────

/** "\040" → " " (the kernel's escaping of paths in /proc mount files). */
export function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/**
 * Fast path for a (trimmed) per-op line in the plain form the kernel prints: `NAME: n n n …`, ASCII
 * name, numbers separated by spaces or tabs. Anything else → undefined, and the caller takes the regex
 * path (same verdicts, just slower). Numbers of more than 15 digits go through Number() like there.
 */
function scanOpLine(line: string): [string, number[]] | undefined {
  const len = line.length;
  let i = 0;
  for (; i < len; i++) {
    const c = line.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95)) break;
  }
  if (i === 0 || i >= len || line.charCodeAt(i) !== 58) return undefined;
  const name = line.slice(0, i);
  i++;
  const nums: number[] = [];
  let sawSpace = false;
  while (i < len) {
    let c = line.charCodeAt(i);
    if (c === 32 || c === 9) {
      sawSpace = true;
      i++;
      continue;
    }
    if (!sawSpace || c < 48 || c > 57) return undefined;
    const start = i;
    let n = 0;
    while (i < len && (c = line.charCodeAt(i)) >= 48 && c <= 57) {
      n = n * 10 + (c - 48);
      i++;
    }
    if (i < len && c !== 32 && c !== 9) return undefined;
    nums.push(i - start > 15 ? Number(line.slice(start, i)) : n);
    sawSpace = false;
  }
  return nums.length > 0 ? [name, nums] : undefined;
}

const DEVICE = /^device (\S+) mounted on (\S+) with fstype (\S+)(?: statvers=(\S+))?\s*$/;

/**
 * One mountstats entry (`device … mounted on … with fstype …` and its indented lines). Real kernel
 * format, net/sunrpc/stats.c: per-op lines are `NAME: ops trans timeouts bytes_sent bytes_recv queue rtt
 * execute [errors]`, cumulative, times in ms. `truncated` = the probe cut it (partial per-op block allowed).
 */
export function parseMountstatsEntry(text: string, truncated = false): Parsed<MountEntry> {
  return parseMountstatsLines(
    lines(text).filter((l) => l.trim() !== ""),
    truncated,
  );
}

/** parseMountstatsEntry over the entry's non-blank lines. */
function parseMountstatsLines(ls: readonly string[], truncated: boolean): Parsed<MountEntry> {
  const first = ls[0];
  if (first === undefined) return bad("mountstats: empty entry");
  const d = DEVICE.exec(first);
  if (!d)
    return bad(
      `mountstats: the entry does not start with "device … mounted on … with fstype …": ${short(first)}`,
    );
  const fstype = d[3]!;
  const entry: MountEntry = {
    device: d[1]!,
    mountPoint: unescapeMountPath(d[2]!),
    fstype,
    nfs: fstype === "nfs" || fstype === "nfs4",
  };
  if (d[4]) entry.statvers = d[4];
  if (truncated) entry.truncated = true;
  if (!entry.nfs) return good(entry);
  if (!entry.statvers) return bad(`mountstats: NFS entry without statvers= (${short(first)})`);

  let perOp = false;
  // Kernels print 8 numbers per op, newer ones 9 (the errors column), the same count on every line of
  // one entry: a line with another count than the first op line is damaged (or cut) input.
  let opFields: number | undefined;
  const ops: Record<string, NfsOpStats> = {};
  for (let k = 1; k < ls.length; k++) {
    const i = k - 1;
    const line = ls[k]!.trim();
    if (line === "per-op statistics") {
      perOp = true;
      continue;
    }
    if (perOp) {
      const fast = scanOpLine(line);
      let name: string | undefined;
      let v: number[] | undefined;
      if (fast) [name, v] = fast;
      else {
        const m = /^([A-Za-z0-9_]+):\s+(.*)$/.exec(line);
        const nums = m?.[2]?.trim().split(/\s+/) ?? [];
        if (m && nums.every((x) => INT.test(x))) [name, v] = [m[1]!, nums.map(Number)];
        else if (opFields === undefined && (nums.length === 8 || nums.length === 9)) opFields = nums.length;
      }
      if (v && opFields === undefined && (v.length === 8 || v.length === 9)) opFields = v.length;
      if (!v || name === undefined || v.length !== opFields) {
        if (truncated && i === ls.length - 2) break; // the last line may be the one the probe cut
        return bad(
          `mountstats line ${i + 2}: per-op line is not "OP: ${opFields ?? "8 or 9"} numbers" like the lines before it: ${short(line)}`,
        );
      }
      const op: NfsOpStats = {
        ops: v[0]!,
        transmissions: v[1]!,
        timeouts: v[2]!,
        bytesSent: v[3]!,
        bytesReceived: v[4]!,
        queueMs: v[5]!,
        rttMs: v[6]!,
        executeMs: v[7]!,
      };
      if (v[8] !== undefined) op.errors = v[8];
      if (name in ops) return bad(`mountstats line ${i + 2}: op ${name} appears twice`);
      ops[name] = op;
      continue;
    }
    // An op counter line outside the per-op block would be silently lost: refuse it (reordered input).
    if (/^[A-Z][A-Z0-9_]*:\s+\d+(?:\s+\d+){7,8}$/.test(line))
      return bad(`mountstats line ${i + 2}: per-op line before "per-op statistics": ${short(line)}`);
    const kv = /^([a-z0-9_-]+):\s*(.*)$/i.exec(line);
    if (!kv) continue; // e.g. "RPC iostats version: 1.1  p/v: 100003/4 (nfs)" matches; anything else is informational
    const [, key, value] = kv;
    if (key === "opts") {
      const opts: Record<string, string> = {};
      for (const part of value!.split(",").filter(Boolean)) {
        const j = part.indexOf("=");
        if (j < 0) opts[part] = "";
        else opts[part.slice(0, j)] = part.slice(j + 1);
      }
      entry.opts = opts;
      if (opts.vers) entry.nfsVersion = opts.vers;
    } else if (key === "age") {
      if (!INT.test(value!.trim()))
        return bad(`mountstats line ${i + 2}: age ${short(value!)} is not a number`);
      entry.ageSeconds = Number(value!.trim());
    } else if (key === "xprt") {
      const t = value!.trim().split(/\s+/);
      const proto = t[0] ?? "";
      const nums = t.slice(1);
      if (!proto || !nums.every((x) => INT.test(x)))
        return bad(`mountstats line ${i + 2}: xprt line is malformed: ${short(line)}`);
      const v = nums.map(Number);
      // tcp: srcport bind_count connect_count connect_time idle_time sends recvs bad_xids req_u bklog_u …
      // udp: srcport bind_count sends recvs bad_xids req_u bklog_u …
      const x: NfsXprt =
        proto === "tcp" && v.length >= 8
          ? { protocol: proto, connectCount: v[2], sends: v[5], receives: v[6], badXids: v[7] }
          : proto === "udp" && v.length >= 5
            ? { protocol: proto, sends: v[2], receives: v[3], badXids: v[4] }
            : { protocol: proto };
      // nconnect > 1 prints one xprt line per connection: add them up.
      if (entry.xprt && entry.xprt.protocol === x.protocol) {
        const sum = (a?: number, b?: number) =>
          a === undefined && b === undefined ? undefined : (a ?? 0) + (b ?? 0);
        entry.xprt = {
          protocol: x.protocol,
          connectCount: sum(entry.xprt.connectCount, x.connectCount),
          sends: sum(entry.xprt.sends, x.sends),
          receives: sum(entry.xprt.receives, x.receives),
          badXids: sum(entry.xprt.badXids, x.badXids),
        };
        for (const k of Object.keys(entry.xprt) as Array<keyof NfsXprt>)
          if (entry.xprt[k] === undefined) delete entry.xprt[k];
      } else entry.xprt = x;
    }
  }
  if (!perOp && !truncated) return bad("mountstats: the NFS entry has no per-op statistics block");
  entry.ops = ops;
  return good(entry);
}

export function parseMountSection(body: string): Parsed<MountInfo> {
  return parseMountReading(body).info;
}

/** The mount section and the /proc/uptime reading taken with it (for the window's length). */
interface MountReading {
  info: Parsed<MountInfo>;
  uptime?: number;
}

const ROLES: ReadonlySet<string> = new Set(["task-volume", "data-path", "host"]);
const FSID = /^fs-[0-9a-f]+$/;

function parseMountReading(body: string): MountReading {
  const ls = lines(body);
  const meta = new Map<string, string>();
  const rest: string[] = [];
  for (const l of ls) {
    const m = l.startsWith("pypictl.") ? /^pypictl\.([a-z_]+)=(.*)$/.exec(l) : null;
    if (m) meta.set(m[1]!, m[2]!);
    else rest.push(l);
  }
  if (meta.has("mode")) return parseMountV3(ls);
  const state = meta.get("path_state");
  if (state !== "dir" && state !== "absent" && state !== "other")
    return { info: bad(`mount: no valid path_state line (${short(state ?? "")})`) };
  const entries = meta.get("entries");
  if (entries === undefined || !INT.test(entries))
    return { info: bad("mount: no entries= line (the mountstats scan did not finish)") };
  const info: MountInfo = { path: "", pathState: state };
  if (Number(entries) === 0) {
    if (rest.some((l) => l.trim())) return { info: bad("mount: entries=0 but an entry follows") };
    return { info: good(info) };
  }
  // Without "\r" the entry's lines are `rest` as they are (joining and splitting them again is a no-op).
  const cut = meta.get("truncated") === "1";
  const entry = body.includes("\r")
    ? parseMountstatsEntry(rest.join("\n"), cut)
    : parseMountstatsLines(
        rest.filter((l) => l.trim() !== ""),
        cut,
      );
  if (!entry.ok) return { info: entry };
  info.path = entry.value.mountPoint;
  info.entry = entry.value;
  return { info: good(info) };
}

/** Probe v3's first reading: the NFS mounts listed, the pick, and each judged entry after its `pypictl.entry=` line. */
function parseMountV3(ls: readonly string[]): MountReading {
  const one = new Map<string, string>();
  const nfsMounts: NfsMountLine[] = [];
  const groups: Array<{ fsid: string; role: string; lines: string[] }> = [];
  for (const [i, l] of ls.entries()) {
    const m = l.startsWith("pypictl.") ? /^pypictl\.([a-z_]+)=(.*)$/.exec(l) : null;
    if (!m) {
      if (!l.trim()) continue;
      const g = groups[groups.length - 1];
      if (!g)
        return {
          info: bad(`mount line ${i + 1}: mountstats text before any pypictl.entry= line: ${short(l)}`),
        };
      g.lines.push(l);
      continue;
    }
    const [, key, value] = m as unknown as [string, string, string];
    if (key === "nfs") {
      const t = value.split(" ");
      if (t.length !== 4 || !ROLES.has(t[1]!))
        return { info: bad(`mount line ${i + 1}: malformed NFS mount line ${short(l)}`) };
      const line: NfsMountLine = {
        fileSystemId: t[0]!,
        role: t[1] as MountRole,
        mountPoint: unescapeMountPath(t[2]!),
        device: t[3]!,
      };
      if (line.fileSystemId === "-") delete line.fileSystemId;
      nfsMounts.push(line);
    } else if (key === "entry") {
      const t = value.split(" ");
      if (t.length !== 2 || !ROLES.has(t[1]!))
        return { info: bad(`mount line ${i + 1}: malformed entry line ${short(l)}`) };
      groups.push({ fsid: t[0]!, role: t[1]!, lines: [] });
    } else one.set(key, value);
  }
  const mode = one.get("mode");
  if (mode !== "discover" && mode !== "path")
    return { info: bad(`mount: mode ${short(mode ?? "")} is neither discover nor path`) };
  const state = one.get("path_state");
  if (state !== "dir" && state !== "absent" && state !== "other")
    return { info: bad(`mount: no valid path_state line (${short(state ?? "")})`) };
  const entries = one.get("entries");
  if (entries === undefined || !INT.test(entries))
    return { info: bad("mount: no entries= line (the mountstats scan did not finish)") };
  if (Number(entries) !== groups.length)
    return { info: bad(`mount: entries=${entries} but ${groups.length} entries follow`) };
  const pick = one.get("pick") ?? "";
  if (!/^[a-z-]+$/.test(pick)) return { info: bad(`mount: no valid pick line (${short(pick)})`) };
  const info: MountInfo = { path: "", pathState: state, mode, pick, nfsMounts, judged: [] };
  const fsid = one.get("fsid");
  if (fsid !== undefined) {
    if (!FSID.test(fsid)) return { info: bad(`mount: fsid ${short(fsid)} is not an EFS id`) };
    info.fileSystemId = fsid;
  }
  for (const k of ["nfs_more", "not_shown"] as const) {
    const v = one.get(k);
    if (v === undefined) continue;
    if (!INT.test(v)) return { info: bad(`mount: ${k} ${short(v)} is not a number`) };
    if (k === "nfs_more") info.moreNfsMounts = Number(v);
    else info.notShown = Number(v);
  }
  const cut = one.get("truncated") === "1";
  for (const [k, g] of groups.entries()) {
    const e = parseMountstatsLines(g.lines, cut && k === groups.length - 1);
    if (!e.ok) return { info: e };
    const j: JudgedMount = { ...e.value, role: g.role as MountRole };
    if (g.fsid !== "-") {
      if (!FSID.test(g.fsid)) return { info: bad(`mount: entry fs id ${short(g.fsid)} is not an EFS id`) };
      j.fileSystemId = g.fsid;
    }
    info.judged!.push(j);
  }
  if (mode === "path" && info.judged!.length > 0) info.path = info.judged![0]!.mountPoint;
  const out: MountReading = { info: good(info) };
  const up = uptimeOf(one.get("uptime"));
  if (up !== undefined) out.uptime = up;
  return out;
}

function uptimeOf(v: string | undefined): number | undefined {
  return v !== undefined && DEC.test(v) ? Number(v) : undefined;
}

/** The second reading: per judged entry (by device line) its age, xprt and the per-op lines that changed. */
export interface AfterReading {
  uptime?: number;
  entries: MountEntry[];
}

export function parseMountAfter(body: string): Parsed<AfterReading> {
  const meta = new Map<string, string>();
  const groups: string[][] = [];
  // Entries the probe cut at their own budget (`pypictl.cut=1` after the entry's lines, probe v4 with the
  // per-mount budget): only those mounts lose their deltas.
  const cut = new Set<number>();
  for (const l of lines(body)) {
    const m = l.startsWith("pypictl.") ? /^pypictl\.([a-z_]+)=(.*)$/.exec(l) : null;
    if (m && m[1] === "cut" && groups.length) {
      cut.add(groups.length - 1);
      continue;
    }
    if (m) {
      meta.set(m[1]!, m[2]!);
      continue;
    }
    if (!l.trim()) continue;
    if (l.startsWith("device ")) groups.push([l]);
    else if (groups.length) groups[groups.length - 1]!.push(l);
    else return bad(`mount_after: text before the first device line: ${short(l)}`);
  }
  // Probes before the per-mount budget cut the whole reading at one shared budget.
  if (meta.get("truncated") === "1")
    return bad("mount_after: the second mountstats reading was cut (too many busy mounts): no deltas");
  const n = meta.get("entries");
  if (n === undefined || !INT.test(n) || Number(n) !== groups.length)
    return bad("mount_after: the second mountstats reading is incomplete");
  const entries: MountEntry[] = [];
  for (const [k, g] of groups.entries()) {
    const e = parseMountstatsLines(g, cut.has(k));
    if (!e.ok) return bad(`mount_after: ${e.error}`);
    entries.push(e.value);
  }
  const value: AfterReading = { entries };
  const up = uptimeOf(meta.get("uptime"));
  if (up !== undefined) value.uptime = up;
  return good(value);
}

const OP_FIELDS = [
  "ops",
  "transmissions",
  "timeouts",
  "bytesSent",
  "bytesReceived",
  "queueMs",
  "rttMs",
  "executeMs",
  "errors",
] as const;

/** Attach to each judged mount what its counters did between the readings, or why that is unknown. */
function attachWindows(info: MountInfo, before: number | undefined, after: Parsed<AfterReading>): void {
  for (const j of info.judged ?? []) {
    const why = windowOf(j, before, after);
    if (typeof why === "string") j.windowError = why;
    else j.window = why;
  }
}

function windowOf(
  j: JudgedMount,
  before: number | undefined,
  after: Parsed<AfterReading>,
): NfsWindow | string {
  if (!after.ok) return after.error;
  const up = after.value.uptime;
  if (before === undefined || up === undefined) return "no /proc/uptime reading to time the window";
  const seconds = Math.round((up - before) * 100) / 100;
  if (!(seconds > 0)) return `the clock did not advance between the readings (${before} → ${up})`;
  const a = after.value.entries.find(
    (e) => e.device === j.device && e.mountPoint === j.mountPoint && e.fstype === j.fstype,
  );
  if (!a) return `${j.mountPoint} was not in the second reading (unmounted during the window?)`;
  if (a.truncated)
    return `${j.mountPoint}: its second reading was cut at the probe's per-mount budget (more ops moved than fit): no deltas`;
  if (a.ageSeconds !== undefined && j.ageSeconds !== undefined && a.ageSeconds < j.ageSeconds)
    return `${j.mountPoint} was mounted again during the window`;
  const ops: Record<string, NfsOpStats> = {};
  let partial = false;
  for (const [name, now] of Object.entries(a.ops ?? {})) {
    const was = j.ops?.[name];
    // An op the first reading did not show was 0 then — unless the probe cut that reading.
    if (!was && j.truncated) {
      partial = true;
      continue;
    }
    const d = {} as NfsOpStats;
    for (const f of OP_FIELDS) {
      const x = now[f];
      if (x === undefined) continue;
      const diff = x - (was?.[f] ?? 0);
      if (diff < 0)
        return `${j.mountPoint}: ${name} ${f} went down between the readings (${was?.[f]} → ${x})`;
      d[f] = diff;
    }
    if (OP_FIELDS.some((f) => (d[f] ?? 0) > 0)) ops[name] = d;
  }
  const w: NfsWindow = { seconds, ops };
  const x0 = j.xprt;
  const x1 = a.xprt;
  if (
    x0?.sends !== undefined &&
    x0.receives !== undefined &&
    x1?.sends !== undefined &&
    x1.receives !== undefined &&
    x1.sends >= x0.sends &&
    x1.receives >= x0.receives
  )
    w.xprt = { sends: x1.sends - x0.sends, receives: x1.receives - x0.receives };
  if (partial) w.partial = true;
  return w;
}

// ───────────────────────────── blocked tasks ─────────────────────────────

export function parseBlocked(body: string): Parsed<BlockedSamples> {
  const m = /^pypictl\.samples=(.*)$/m.exec(body);
  if (!m) return bad("blocked: no samples= line");
  const samples: BlockedSamples["samples"] = [];
  for (const t of m[1]!.trim().split(/\s+/).filter(Boolean)) {
    const p = /^(\d+)\/(\d+)$/.exec(t);
    if (!p) return bad(`blocked: sample ${short(t)} is not "D/NFS" counts`);
    const blocked = Number(p[1]);
    const nfs = Number(p[2]);
    if (nfs > blocked) return bad(`blocked: sample ${t} has more NFS waiters than blocked tasks`);
    samples.push({ blocked, nfs });
  }
  if (samples.length === 0) return bad("blocked: no samples");
  return good({ samples });
}

// ───────────────────────────── gunicorn processes, cgroup OOM kills (v4) ─────────────────────────────

export function parseProcs(body: string): Parsed<ProcessCounts> {
  const m = /^pypictl\.gunicorn=(\d+) (\d+)$/m.exec(body);
  if (!m) return bad("procs: no gunicorn= line");
  const gunicornProcesses = Number(m[1]);
  const gunicornWorkers = Number(m[2]);
  if (gunicornWorkers > gunicornProcesses)
    return bad(`procs: ${gunicornWorkers} workers of ${gunicornProcesses} gunicorn processes`);
  return good({ gunicornProcesses, gunicornWorkers });
}

export function parseOom(body: string): Parsed<CgroupOomKills> {
  let cgroup: CgroupOomKills["cgroup"] | undefined;
  const counters: CgroupOomKills["counters"] = [];
  let more: number | undefined;
  for (const l of lines(body)) {
    if (!l.trim()) continue;
    const meta = /^pypictl\.(cgroup|more)=(.*)$/.exec(l);
    if (meta) {
      if (meta[1] === "cgroup") {
        if (meta[2] !== "v1" && meta[2] !== "v2" && meta[2] !== "none")
          return bad(`oom: unknown cgroup kind ${short(meta[2]!)}`);
        cgroup = meta[2];
      } else if (INT.test(meta[2]!)) more = Number(meta[2]);
      else return bad(`oom: more=${short(meta[2]!)} is not a number`);
      continue;
    }
    const c = /^(\d+) (\S.*)$/.exec(l);
    if (!c) return bad(`oom: unexpected line ${short(l)}`);
    counters.push({ kills: Number(c[1]), path: c[2]! });
  }
  if (!cgroup) return bad("oom: no cgroup= line");
  const value: CgroupOomKills = { cgroup, counters };
  if (more !== undefined) value.more = more;
  return good(value);
}

// ───────────────────────────── package count ─────────────────────────────

export function parsePackages(body: string): Parsed<PackageCount> {
  const kv = new Map<string, string>();
  for (const l of lines(body)) {
    const m = /^pypictl\.([a-z_]+)=(.*)$/.exec(l);
    if (m) kv.set(m[1]!, m[2]!);
    else if (l.trim()) return bad(`packages: unexpected line ${short(l)}`);
  }
  const state = kv.get("dir_state");
  if (
    state !== "dir" &&
    state !== "absent" &&
    state !== "other" &&
    state !== "unreadable" &&
    state !== "none"
  )
    return bad(`packages: no valid dir_state line (${short(state ?? "")})`);
  const value: PackageCount = {
    dir: kv.get("dir") ?? "",
    dirState: state,
    files: 0,
    complete: state !== "dir",
  };
  if (state !== "dir") return good(value);
  const files = kv.get("files");
  if (files === undefined || !INT.test(files))
    return bad("packages: the count did not finish (no files= line)");
  const exit = kv.get("find_exit") ?? "";
  value.files = Number(files);
  value.complete = exit === "0";
  const limit = kv.get("limit_seconds");
  if (limit !== undefined && INT.test(limit)) value.limitSeconds = Number(limit);
  return good(value);
}

// ───────────────────────────── the whole output ─────────────────────────────

/**
 * Parse one host's probe stdout. `host` is the caller's id for the host (hostname locally, instance id
 * over SSM). `truncated`: the transport cut stdout (SSM keeps 24,000 characters).
 */
export function parseProbeOutput(
  host: string,
  stdout: string,
  opts: { truncated?: boolean } = {},
): HostResult {
  const text = typeof stdout === "string" ? stdout : "";
  const truncated = opts.truncated === true;
  let sections: Map<string, RawSection>;
  try {
    sections = splitSections(text);
  } catch (e) {
    return {
      host,
      ok: false,
      kind: "malformed",
      message: `probe output could not be split: ${String(e)}`,
      raw: text,
    };
  }
  if (!SECTION_NAMES.some((n) => sections.has(n))) {
    const what =
      text.trim() === ""
        ? "the probe printed nothing"
        : `no pypictl section markers in the output (starts ${short(text, 80)})`;
    return { host, ok: false, kind: "malformed", message: what, raw: text };
  }
  const snapshot: HostSnapshot = {
    meta: section(sections, "meta", parseMeta, truncated),
    vmstat: section(sections, "vmstat", parseVmstat, truncated),
    free: section(sections, "free", parseFree, truncated),
    meminfo: section(sections, "meminfo", parseMeminfo, truncated),
    loadavg: section(sections, "loadavg", parseLoadavg, truncated),
    nproc: section(sections, "nproc", parseNproc, truncated),
    mount: section(sections, "mount", parseMountSection, truncated),
    packages: section(sections, "packages", parsePackages, truncated),
  };
  // Probe v3: blocked tasks, and the second mountstats reading turned into per-mount deltas.
  if (sections.has("blocked") || sections.has("mount_after"))
    snapshot.blocked = section(sections, "blocked", parseBlocked, truncated);
  // Probe v4: gunicorn's workers and the memory cgroups' OOM kills.
  if (sections.has("procs") || sections.has("oom")) {
    snapshot.procs = section(sections, "procs", parseProcs, truncated);
    snapshot.oom = section(sections, "oom", parseOom, truncated);
  }
  if (snapshot.mount.ok && snapshot.mount.value.judged) {
    const first = sections.get("mount");
    const up = first ? parseMountReading(first.body).uptime : undefined;
    attachWindows(
      snapshot.mount.value,
      up,
      section(sections, "mount_after" as SectionName, parseMountAfter, truncated),
    );
  }
  // The paths are the probe's own: fill them from meta (mountstats shows them escaped, the count not at all).
  if (snapshot.meta.ok) {
    if (snapshot.mount.ok && !snapshot.mount.value.path)
      snapshot.mount.value.path = snapshot.meta.value.mountPath;
    if (snapshot.packages.ok && !snapshot.packages.value.dir)
      snapshot.packages.value.dir = snapshot.meta.value.packageDir;
  }
  const result: HostResult = { host, ok: true, snapshot, raw: text };
  if (truncated) result.truncated = true;
  return result;
}
