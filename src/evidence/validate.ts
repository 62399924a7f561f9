/**
 * Full validation of an evidence bundle's values before any check runs (issue 14): a replayed bundle with a
 * string, null, object or boolean where a number belongs, a negative or absurd series value, a prototype
 * key, a window ending before it starts or no sources at all must be exit 2 naming the field, never a verdict.
 *
 * Hand-written rather than a generic JSON-Schema interpreter so that a 200-instance × 1440-point bundle
 * still replays well under a second: one pass over the tree (prototype keys, non-finite numbers), then
 * typed checks of the sources the checks read. The shapes are those of src/sources/{aws,host}/*types.
 */
import { UsageError } from "../errors.js";
import { packedPointsOf, type PackedPoints } from "../sources/aws/packed-points.js";

type Obj = Record<string, unknown>;

/** Larger than any counter, byte count or percentage a fleet produces; 1e308 is garbage, not a reading. */
export const MAX_EVIDENCE_NUMBER = 1e15;
const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

class At {
  constructor(
    readonly file: string,
    readonly path: string,
  ) {}
  fail(what: string): never {
    throw new UsageError(
      `${this.file}: ${this.path || "(top level)"}: ${what}`,
      `${this.file}: ${this.path}`,
    );
  }
  at(key: string | number): At {
    return new At(
      this.file,
      typeof key === "number" ? `${this.path}[${key}]` : this.path ? `${this.path}.${key}` : key,
    );
  }
}

const kind = (v: unknown) =>
  v === null ? "null" : Array.isArray(v) ? "an array" : typeof v === "object" ? "an object" : `a ${typeof v}`;

function obj(v: unknown, a: At): Obj {
  if (typeof v !== "object" || v === null || Array.isArray(v)) a.fail(`must be an object (is ${kind(v)})`);
  return v as Obj;
}
function arr(v: unknown, a: At): unknown[] {
  if (!Array.isArray(v)) a.fail(`must be an array (is ${kind(v)})`);
  return v;
}
function str(v: unknown, a: At): string {
  if (typeof v !== "string") a.fail(`must be a string (is ${kind(v)})`);
  return v;
}
function optStr(o: Obj, k: string, a: At): void {
  if (o[k] !== undefined) str(o[k], a.at(k));
}
function num(v: unknown, a: At, min = 0, max = MAX_EVIDENCE_NUMBER): number {
  if (typeof v !== "number" || !Number.isFinite(v)) a.fail(`must be a number (is ${kind(v)})`);
  if (v < min) a.fail(`must be ≥ ${min} (is ${v})`);
  if (v > max) a.fail(`must be ≤ ${max} (is ${v})`);
  return v;
}
function int(v: unknown, a: At, min = 0, max = MAX_EVIDENCE_NUMBER): number {
  const n = num(v, a, min, max);
  if (!Number.isInteger(n)) a.fail(`must be a whole number (is ${n})`);
  return n;
}
function optNum(o: Obj, k: string, a: At, min = 0): void {
  if (o[k] !== undefined) num(o[k], a.at(k), min);
}
function optInt(o: Obj, k: string, a: At, min = 0): void {
  if (o[k] !== undefined) int(o[k], a.at(k), min);
}
function bool(v: unknown, a: At): boolean {
  if (typeof v !== "boolean") a.fail(`must be true or false (is ${kind(v)})`);
  return v;
}
export function isoTime(v: unknown, a: At): number {
  const s = str(v, a);
  const t = ISO.test(s) ? Date.parse(s) : NaN;
  if (Number.isNaN(t)) a.fail(`"${s.slice(0, 40)}" is not an ISO-8601 time`);
  return t;
}
function strings(v: unknown, a: At): void {
  arr(v, a).forEach((s, i) => str(s, a.at(i)));
}
function stringMap(v: unknown, a: At): void {
  for (const [k, s] of Object.entries(obj(v, a))) str(s, a.at(k));
}
function oneOf(v: unknown, a: At, choices: readonly string[]): void {
  if (typeof v !== "string" || !choices.includes(v)) a.fail(`must be one of ${choices.join(", ")}`);
}

/**
 * One pass over everything: no prototype keys, no non-finite numbers (JSON's 1e999 parses to Infinity).
 * The path is a stack, turned into text only on failure: this pass touches every number of the bundle.
 */
function walk(v: unknown, file: string): void {
  const path: Array<string | number> = [];
  const failAt = (what: string): never => {
    let a = new At(file, "");
    for (const k of path) a = a.at(k);
    return a.fail(what);
  };
  const visit = (x: unknown, depth: number): void => {
    if (depth > 64) failAt("nested too deeply");
    if (Array.isArray(x)) {
      for (let i = 0; i < x.length; i++) {
        const e = x[i];
        if (typeof e === "number") {
          if (e - e !== 0) {
            path.push(i);
            failAt("must be a finite number");
          }
        } else if (typeof e === "object" && e !== null) {
          path.push(i);
          visit(e, depth + 1);
          path.pop();
        }
      }
      return;
    }
    // Points the bundle parser read itself (held packed) are strings and finite numbers only: nothing to
    // find inside, and reading them would build every pair.
    const packed = depth < 62 && packedPointsOf(x) !== undefined;
    for (const k in x as Obj) {
      if (!Object.prototype.hasOwnProperty.call(x, k)) continue;
      if (packed && k === "points") continue;
      const e = (x as Obj)[k];
      if (FORBIDDEN.has(k)) {
        path.push(k);
        failAt(`the key "${k}" is not allowed`);
      }
      if (typeof e === "number") {
        if (e - e !== 0) {
          path.push(k);
          failAt("must be a finite number");
        }
      } else if (typeof e === "object" && e !== null) {
        path.push(k);
        visit(e, depth + 1);
        path.pop();
      }
    }
  };
  if (typeof v === "object" && v !== null) visit(v, 0);
}

// ---- the sources -------------------------------------------------------------------------------------

function metrics(v: unknown, a: At): void {
  const m = obj(v, a);
  int(m.periodSeconds, a.at("periodSeconds"), 1, 86_400);
  const start = isoTime(m.start, a.at("start"));
  const end = isoTime(m.end, a.at("end"));
  if (end < start) a.at("end").fail("ends before start");
  const series = a.at("series");
  const seenTimes = new Set<string>();
  // The time last found valid at each position: series share their minutes, and the bundle parser shares
  // their strings, so most points are checked by one comparison that does not even read the text.
  const validAt: string[] = [];
  /** Per time axis of packed series (shared between series): the index of its first bad time, or -1. */
  const axisProblems = new Map<readonly string[], number>();
  for (const [key, raw] of Object.entries(obj(m.series, series))) {
    const sa = series.at(key);
    const s = obj(raw, sa);
    for (const k of ["namespace", "metric", "stat", "status"]) str(s[k], sa.at(k));
    stringMap(s.dimensions, sa.at("dimensions"));
    int(s.period, sa.at("period"), 1, 86_400);
    const pa = sa.at("points");
    const packed = packedPointsOf(s);
    if (packed) {
      packedPoints(packed, pa, axisProblems, seenTimes);
      continue;
    }
    const points = arr(s.points, pa);
    for (let i = 0; i < points.length; i++) {
      const p = points[i] as unknown[];
      if (!Array.isArray(p) || p.length !== 2) pa.at(i).fail("must be a [time, value] pair");
      const t = p[0];
      // Series share their times (every instance's CPU series has the same minutes): each checked once.
      if (t === validAt[i]) {
        // the same time at the same position as in an earlier series
      } else if (typeof t !== "string") pa.at(i).at(0).fail("must be an ISO-8601 time");
      else {
        if (!seenTimes.has(t)) {
          if (!ISO.test(t)) pa.at(i).at(0).fail("must be an ISO-8601 time");
          seenTimes.add(t);
        }
        validAt[i] = t;
      }
      const x = p[1];
      if (typeof x !== "number" || x < 0 || x > MAX_EVIDENCE_NUMBER) num(x, pa.at(i).at(1));
    }
  }
  if (m.unavailable !== undefined) stringMap(m.unavailable, a.at("unavailable"));
  if (m.messages !== undefined) strings(m.messages, a.at("messages"));
  if (m.context !== undefined) {
    const c = obj(m.context, a.at("context"));
    if (c.instances !== undefined) strings(c.instances, a.at("context").at("instances"));
  }
}

/**
 * Points the bundle parser held packed: pairs of a string and a finite number already. The first failure
 * is the one a pass over the pairs would meet first (at one index the time before the value); the times
 * of an axis, shared by many series, are checked once.
 */
function packedPoints(
  p: PackedPoints,
  pa: At,
  axisProblems: Map<readonly string[], number>,
  seenTimes: Set<string>,
): void {
  let badTime = axisProblems.get(p.times);
  if (badTime === undefined) {
    badTime = -1;
    for (let i = 0; i < p.times.length; i++) {
      const t = p.times[i]!;
      if (seenTimes.has(t)) continue;
      if (!ISO.test(t)) {
        badTime = i;
        break;
      }
      seenTimes.add(t);
    }
    axisProblems.set(p.times, badTime);
  }
  const values = p.values;
  const end = badTime < 0 ? values.length : badTime;
  for (let i = 0; i < end; i++) {
    const x = values[i]!;
    if (!(x >= 0 && x <= MAX_EVIDENCE_NUMBER)) num(x, pa.at(i).at(1));
  }
  if (badTime >= 0) pa.at(badTime).at(0).fail("must be an ISO-8601 time");
}

function service(v: unknown, a: At): void {
  const s = obj(v, a);
  str(s.cluster, a.at("cluster"));
  str(s.service, a.at("service"));
  for (const k of ["desiredCount", "runningCount", "pendingCount"]) int(s[k], a.at(k));
  arr(s.deployments, a.at("deployments")).forEach((d, i) => {
    const da = a.at("deployments").at(i);
    const o = obj(d, da);
    str(o.id, da.at("id"));
    str(o.status, da.at("status"));
    for (const k of ["desired", "running", "pending", "failedTasks"]) int(o[k], da.at(k));
  });
  for (const k of ["events", "earlierEvents"]) {
    if (k === "earlierEvents" && s[k] === undefined) continue;
    arr(s[k], a.at(k)).forEach((e, i) => {
      const o = obj(e, a.at(k).at(i));
      isoTime(o.at, a.at(k).at(i).at("at"));
      str(o.message, a.at(k).at(i).at("message"));
    });
  }
  strings(s.targetGroupArns, a.at("targetGroupArns"));
  const td = obj(s.taskDefinition, a.at("taskDefinition"));
  const ta = a.at("taskDefinition");
  str(td.arn, ta.at("arn"));
  optInt(td, "taskMemoryMiB", ta);
  optNum(td, "taskCpu", ta);
  strings(td.fileSystemIds, ta.at("fileSystemIds"));
  arr(td.containers, ta.at("containers")).forEach((c, i) => {
    const ca = ta.at("containers").at(i);
    const o = obj(c, ca);
    str(o.name, ca.at("name"));
    bool(o.essential, ca.at("essential"));
    for (const k of ["memoryMiB", "memoryReservationMiB", "cpu", "keepAliveSeconds"]) optNum(o, k, ca);
  });
}

function stoppedTasks(v: unknown, a: At): void {
  const s = obj(v, a);
  int(s.listed, a.at("listed"));
  arr(s.tasks, a.at("tasks")).forEach((t, i) => {
    const ta = a.at("tasks").at(i);
    const o = obj(t, ta);
    str(o.taskArn, ta.at("taskArn"));
    str(o.taskId, ta.at("taskId"));
    for (const k of ["stoppedAt", "stoppingAt"]) if (o[k] !== undefined) isoTime(o[k], ta.at(k));
    for (const k of ["stopCode", "stoppedReason", "taskDefinitionArn", "startedBy", "group"])
      optStr(o, k, ta);
    if (o.startedAt !== undefined) isoTime(o.startedAt, ta.at("startedAt"));
    if (o.stopKind !== undefined)
      oneOf(o.stopKind, ta.at("stopKind"), ["self", "health-check", "scheduler", "user", "infrastructure"]);
    arr(o.containers, ta.at("containers")).forEach((c, j) => {
      const ca = ta.at("containers").at(j);
      const co = obj(c, ca);
      str(co.name, ca.at("name"));
      if (co.exitCode !== undefined) int(co.exitCode, ca.at("exitCode"), -2_147_483_648, 2_147_483_647);
      optStr(co, "reason", ca);
    });
  });
}

function taskCounts(v: unknown, a: At): void {
  const s = obj(v, a);
  for (const k of ["byStatus", "runningByTaskDefinition"]) {
    const m = obj(s[k], a.at(k));
    for (const [name, n] of Object.entries(m)) int(n, a.at(k).at(name));
  }
  if (s.oldestProvisioningAt !== undefined) isoTime(s.oldestProvisioningAt, a.at("oldestProvisioningAt"));
}

function gunicornLogs(v: unknown, a: At): void {
  const s = obj(v, a);
  str(s.logGroup, a.at("logGroup"));
  bool(s.truncated, a.at("truncated"));
  arr(s.lines, a.at("lines")).forEach((l, i) => {
    const la = a.at("lines").at(i);
    const o = obj(l, la);
    isoTime(o.at, la.at("at"));
    oneOf(o.kind, la.at("kind"), ["oom", "timeout"]);
    str(o.stream, la.at("stream"));
    optInt(o, "pid", la);
  });
}

function instances(v: unknown, a: At): void {
  const s = obj(v, a);
  oneOf(s.via, a.at("via"), ["autoscaling-group", "container-instances"]);
  arr(s.instances, a.at("instances")).forEach((x, i) => {
    const ia = a.at("instances").at(i);
    const o = obj(x, ia);
    str(o.instanceId, ia.at("instanceId"));
    optStr(o, "instanceType", ia);
    optInt(o, "runningTasks", ia);
  });
}

function targets(v: unknown, a: At): void {
  const s = obj(v, a);
  str(s.targetGroupArn, a.at("targetGroupArn"));
  optNum(s, "idleTimeoutSeconds", a);
  optNum(s, "deregistrationDelaySeconds", a);
  arr(s.targets, a.at("targets")).forEach((t, i) => {
    const ta = a.at("targets").at(i);
    const o = obj(t, ta);
    str(o.id, ta.at("id"));
    str(o.state, ta.at("state"));
    optInt(o, "port", ta);
  });
}

function fileSystem(v: unknown, a: At): void {
  const s = obj(v, a);
  str(s.fileSystemId, a.at("fileSystemId"));
  for (const k of ["performanceMode", "throughputMode", "lifeCycleState", "name"]) optStr(s, k, a);
  optNum(s, "provisionedThroughputMiBps", a);
  optNum(s, "sizeBytes", a);
}

function section(v: unknown, a: At, value: (v: unknown, a: At) => void): void {
  const s = obj(v, a);
  if (bool(s.ok, a.at("ok"))) value(s.value, a.at("value"));
  else str(s.error, a.at("error"));
}

const numberRecord = (v: unknown, a: At) => {
  for (const [k, x] of Object.entries(obj(v, a))) num(x, a.at(k));
};

/** A mountstats entry as the host checks read it (device, mount point, fstype, NFS flag, per-op counters). */
function mountEntry(v: unknown, a: At): Obj {
  const e = obj(v, a);
  for (const k of ["device", "mountPoint", "fstype"]) str(e[k], a.at(k));
  bool(e.nfs, a.at("nfs"));
  if (e.ops !== undefined)
    for (const [op, s] of Object.entries(obj(e.ops, a.at("ops")))) numberRecord(s, a.at("ops").at(op));
  return e;
}

const HOST_SECTIONS: Record<string, (v: unknown, a: At) => void> = {
  meta: (v, a) => {
    const m = obj(v, a);
    int(m.probeVersion, a.at("probeVersion"), 1);
    for (const k of ["hostname", "mountPath", "packageDir"]) str(m[k], a.at(k));
    isoTime(m.time, a.at("time"));
    int(m.samples, a.at("samples"), 1, 1000);
  },
  vmstat: (v, a) => {
    const m = obj(v, a);
    strings(m.columns, a.at("columns"));
    num(m.intervalSeconds, a.at("intervalSeconds"), 0.001);
    arr(m.rows, a.at("rows")).forEach((r, i) => numberRecord(r, a.at("rows").at(i)));
  },
  free: (v, a) => {
    const m = obj(v, a);
    const mem = obj(m.mem, a.at("mem"));
    for (const k of ["total", "used", "free"]) num(mem[k], a.at("mem").at(k));
    optNum(mem, "available", a.at("mem"));
    if (m.swap !== undefined) {
      const sw = obj(m.swap, a.at("swap"));
      for (const k of ["total", "used", "free"]) num(sw[k], a.at("swap").at(k));
    }
  },
  meminfo: (v, a) => numberRecord(obj(v, a).kB, a.at("kB")),
  loadavg: (v, a) => {
    const m = obj(v, a);
    for (const k of ["one", "five", "fifteen"]) num(m[k], a.at(k));
    optInt(m, "running", a);
    optInt(m, "total", a);
  },
  nproc: (v, a) => void int(v, a, 1, 1_000_000),
  mount: (v, a) => {
    const m = obj(v, a);
    str(m.path, a.at("path"));
    oneOf(m.pathState, a.at("pathState"), ["dir", "absent", "other"]);
    if (m.entry !== undefined) mountEntry(m.entry, a.at("entry"));
    // Probe v3: the mounts found and judged, each with its window's deltas.
    if (m.mode !== undefined) oneOf(m.mode, a.at("mode"), ["discover", "path"]);
    for (const k of ["fileSystemId", "pick"]) optStr(m, k, a);
    optInt(m, "moreNfsMounts", a);
    optInt(m, "notShown", a);
    if (m.nfsMounts !== undefined)
      arr(m.nfsMounts, a.at("nfsMounts")).forEach((n, i) => {
        const o = obj(n, a.at("nfsMounts").at(i));
        for (const k of ["mountPoint", "device", "role"]) str(o[k], a.at("nfsMounts").at(i).at(k));
      });
    if (m.judged !== undefined)
      arr(m.judged, a.at("judged")).forEach((j, i) => {
        const ja = a.at("judged").at(i);
        const e = mountEntry(j, ja);
        oneOf(e.role, ja.at("role"), ["task-volume", "data-path", "host"]);
        optStr(e, "windowError", ja);
        if (e.window !== undefined) {
          const w = obj(e.window, ja.at("window"));
          num(w.seconds, ja.at("window").at("seconds"));
          for (const [op, s] of Object.entries(obj(w.ops, ja.at("window").at("ops"))))
            numberRecord(s, ja.at("window").at("ops").at(op));
          if (w.xprt !== undefined) numberRecord(w.xprt, ja.at("window").at("xprt"));
        }
      });
  },
  blocked: (v, a) =>
    arr(obj(v, a).samples, a.at("samples")).forEach((x, i) => {
      const o = obj(x, a.at("samples").at(i));
      int(o.blocked, a.at("samples").at(i).at("blocked"));
      int(o.nfs, a.at("samples").at(i).at("nfs"));
    }),
  procs: (v, a) => {
    const m = obj(v, a);
    int(m.gunicornProcesses, a.at("gunicornProcesses"));
    int(m.gunicornWorkers, a.at("gunicornWorkers"));
  },
  oom: (v, a) => {
    const m = obj(v, a);
    oneOf(m.cgroup, a.at("cgroup"), ["v1", "v2", "none"]);
    arr(m.counters, a.at("counters")).forEach((c, i) => {
      const o = obj(c, a.at("counters").at(i));
      str(o.path, a.at("counters").at(i).at("path"));
      int(o.kills, a.at("counters").at(i).at("kills"));
    });
    optInt(m, "more", a);
  },
  packages: (v, a) => {
    const m = obj(v, a);
    str(m.dir, a.at("dir"));
    oneOf(m.dirState, a.at("dirState"), ["dir", "absent", "other", "unreadable", "none"]);
    int(m.files, a.at("files"));
    bool(m.complete, a.at("complete"));
    optNum(m, "limitSeconds", a);
  },
};

function hostProbe(v: unknown, a: At): void {
  const s = obj(v, a);
  arr(s.hosts, a.at("hosts")).forEach((h, i) => {
    const ha = a.at("hosts").at(i);
    const o = obj(h, ha);
    str(o.host, ha.at("host"));
    if (!bool(o.ok, ha.at("ok"))) {
      str(o.message, ha.at("message"));
      return;
    }
    const snap = obj(o.snapshot, ha.at("snapshot"));
    for (const [name, check] of Object.entries(HOST_SECTIONS))
      if (snap[name] !== undefined) section(snap[name], ha.at("snapshot").at(name), check);
  });
}

/** Typed checks per source id; sources not listed here get the generic pass only. */
const SOURCE_VALUES: Record<string, (v: unknown, a: At) => void> = {
  "cloudwatch.metrics": metrics,
  "ecs.service": service,
  "ecs.stopped-tasks": stoppedTasks,
  "ecs.tasks": taskCounts,
  "logs.gunicorn": gunicornLogs,
  "fleet.instances": instances,
  "elb.targets": targets,
  "efs.file-system": fileSystem,
  "host.probe": hostProbe,
};

/**
 * Validate the parts of a bundle the envelope parser (bundle.ts) does not: every number finite, no
 * prototype keys, a window that ends after it starts, at least one source, and each known source's value
 * shaped as its checks read it. Throws a UsageError naming the file and the field path.
 */
export function validateBundleValues(root: unknown, file: string): void {
  const top = new At(file, "");
  walk(root, file);
  const b = obj(root, top);
  const w = obj(b.window, top.at("window"));
  const start = isoTime(w.start, top.at("window").at("start"));
  const end = isoTime(w.end, top.at("window").at("end"));
  if (end < start) top.at("window").at("end").fail("ends before window.start");
  const sources = obj(b.sources, top.at("sources"));
  if (Object.keys(sources).length === 0)
    top.at("sources").fail("is empty: the bundle holds no evidence to replay");
  for (const [id, raw] of Object.entries(sources)) {
    const sa = top.at("sources").at(id);
    const s = obj(raw, sa);
    if (s.ok === true && SOURCE_VALUES[id]) SOURCE_VALUES[id](s.value, sa.at("value"));
  }
}
