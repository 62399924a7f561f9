/**
 * The host probe's evidence: what the probe script printed on each host, parsed section by section.
 * Plain JSON (it is stored in evidence bundles as is). The `host.*` checks read it through `HOST_PROBE`.
 *
 * Contract shared with the SSM fleet runner (`src/sources/aws/ssm-probe.ts`): it runs the same script
 * (`buildProbeScript`) on each instance and turns each instance's stdout into a `HostResult` with
 * `parseProbeOutput(instanceId, stdout, { truncated })`; a host it could not run on is `{ ok: false }`.
 */
import { sourceKey, type FailureKind } from "../model.js";

/** One section's parse: a value, or why there is none. `missing` = the tool or file is absent on the host. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string; missing?: boolean };

export interface ProbeMeta {
  /** Probe output format version (the `probe=` line). */
  probeVersion: number;
  hostname: string;
  kernel: string;
  /** ISO-8601 UTC time the probe started (just before vmstat ran). */
  time: string;
  samples: number;
  mountPath: string;
  packageDir: string;
}

/** `vmstat 1 N`: one row per sample, keyed by vmstat's column names (r b swpd free … si so … us sy id wa st). */
export interface VmstatSamples {
  columns: string[];
  /** rows[0] is the average since boot; rows[1..] are the 1-second samples that are judged. */
  rows: Array<Record<string, number>>;
  /** Seconds between samples (the probe always uses 1). */
  intervalSeconds: number;
}

/** `free -m` in MiB. `available` is absent on old procps/busybox builds. */
export interface FreeMem {
  mem: { total: number; used: number; free: number; available?: number };
  swap?: { total: number; used: number; free: number };
}

/** `/proc/meminfo` as given: kB values by field name (HugePages_* are counts, kept as numbers too). */
export interface Meminfo {
  kB: Record<string, number>;
}

export interface LoadAvg {
  one: number;
  five: number;
  fifteen: number;
  running?: number;
  total?: number;
}

/** One NFS operation's counters from the `per-op statistics` block of mountstats. */
export interface NfsOpStats {
  ops: number;
  transmissions: number;
  timeouts: number;
  bytesSent: number;
  bytesReceived: number;
  /** Cumulative milliseconds. */
  queueMs: number;
  rttMs: number;
  executeMs: number;
  /** Kernel ≥ 4.x adds an errors column. */
  errors?: number;
}

export interface NfsXprt {
  protocol: string;
  connectCount?: number;
  sends?: number;
  receives?: number;
  badXids?: number;
}

export interface MountEntry {
  device: string;
  mountPoint: string;
  fstype: string;
  /** True for nfs and nfs4. */
  nfs: boolean;
  /** From `statvers=` on NFS entries. */
  statvers?: string;
  /** `opts:` line, key → value ("" for flags), NFS only. */
  opts?: Record<string, string>;
  /** e.g. "4.1" from opts vers=. */
  nfsVersion?: string;
  /** Seconds since mount (`age:`). */
  ageSeconds?: number;
  xprt?: NfsXprt;
  /** Per-op counters by op name (READ, GETATTR…); ops with zero calls are trimmed by the probe. */
  ops?: Record<string, NfsOpStats>;
  /** The probe cut the entry to stay under the SSM output limit. */
  truncated?: boolean;
}

/** What the counters of one judged mount did between the probe's two mountstats readings. */
export interface NfsWindow {
  /** Seconds between the readings (from /proc/uptime). */
  seconds: number;
  /** Per-op counter increases in the window; ops that did not move are left out. */
  ops: Record<string, NfsOpStats>;
  /** Increases of the transport's sends and receives (all connections), when both readings had them. */
  xprt?: { sends: number; receives: number };
  /**
   * The first reading of this entry was cut by the probe: ops it did not show have no delta (they are
   * left out rather than counted from zero).
   */
  partial?: boolean;
}

/** Where a judged mount sits: an ECS task volume, the probe's mount path, or elsewhere on the host. */
export type MountRole = "task-volume" | "data-path" | "host";

/** A mount the probe judged: its mountstats entry (first reading) and, when taken, the window's deltas. */
export interface JudgedMount extends MountEntry {
  role: MountRole;
  /** The EFS file system it mounts, when the device name or efs-utils' state files tell. */
  fileSystemId?: string;
  window?: NfsWindow;
  /** Why there is no window (second reading missing, cut, remounted in between…). */
  windowError?: string;
}

/** One line per NFS mount on the host (judged or not), for the message. */
export interface NfsMountLine {
  mountPoint: string;
  device: string;
  role: MountRole;
  fileSystemId?: string;
}

/**
 * The package mount.
 * - Probe v1/v2 (and old bundles): `path` with its state and the entry mounted exactly on it (`entry`).
 * - Probe v3: `mode` says how the mounts were chosen; `judged` holds the chosen ones (discover mode: the
 *   file system's task-volume mounts first), each with the delta over the sampling window.
 */
export interface MountInfo {
  path: string;
  /** "dir" exists as a directory, "absent" does not exist, "other" exists but is not a directory. */
  pathState: "dir" | "absent" | "other";
  /** v1/v2: undefined when nothing is mounted exactly on the path. */
  entry?: MountEntry;
  /** v3: `discover` (find the file system's mounts) or `path` (--mount-path). */
  mode?: "discover" | "path";
  /** v3: the file system looked for, when known. */
  fileSystemId?: string;
  /** v3: how the judged mounts were picked: fsid, efs, efs-unverified, nfs, path, or none. */
  pick?: string;
  /** v3: every NFS mount on the host (up to the probe's listing bound). */
  nfsMounts?: NfsMountLine[];
  /** v3: NFS mounts beyond the listing bound, and picked mounts beyond the judged bound. */
  moreNfsMounts?: number;
  notShown?: number;
  /** v3: the mounts judged (empty: none found). */
  judged?: JudgedMount[];
}

/** Tasks in uninterruptible sleep (state D) per one-second sample, and those waiting in the NFS client. */
export interface BlockedSamples {
  samples: Array<{ blocked: number; nfs: number }>;
}

/** Probe v4: gunicorn's processes on the host (every task's arbiter and the workers it forked). */
export interface ProcessCounts {
  gunicornProcesses: number;
  /** Processes whose parent is a gunicorn process: the workers that serve requests. */
  gunicornWorkers: number;
}

/** Probe v4: memory cgroups whose OOM killer has killed something (only non-zero counters are listed). */
export interface CgroupOomKills {
  /** Which cgroup hierarchy the host runs (v2 unified, v1, or none found). */
  cgroup: "v1" | "v2" | "none";
  /** oom_kill from memory.events (v2) or memory.oom_control (v1), cumulative since the cgroup was made. */
  counters: Array<{ path: string; kills: number }>;
  /** Counters beyond the probe's listing bound. */
  more?: number;
}

export interface PackageCount {
  dir: string;
  /** "none": discover mode found no mount to count in (and no --package-dir). */
  dirState: "dir" | "absent" | "other" | "unreadable" | "none";
  /** Regular, non-hidden files under dir (recursive). A lower bound when `complete` is false. */
  files: number;
  /** False when the count hit its time limit (or find reported errors): `files` is then a lower bound. */
  complete: boolean;
  /** The bound the probe put on the count, in seconds (undefined when `timeout` is not installed). */
  limitSeconds?: number;
}

export interface HostSnapshot {
  meta: Parsed<ProbeMeta>;
  vmstat: Parsed<VmstatSamples>;
  free: Parsed<FreeMem>;
  meminfo: Parsed<Meminfo>;
  loadavg: Parsed<LoadAvg>;
  nproc: Parsed<number>;
  mount: Parsed<MountInfo>;
  packages: Parsed<PackageCount>;
  /** Probe v3; absent in older bundles. */
  blocked?: Parsed<BlockedSamples>;
  /** Probe v4; absent in older bundles. */
  procs?: Parsed<ProcessCounts>;
  oom?: Parsed<CgroupOomKills>;
}

export type SectionName = keyof HostSnapshot;
export const SECTION_NAMES: readonly SectionName[] = [
  "meta",
  "vmstat",
  "free",
  "meminfo",
  "loadavg",
  "nproc",
  "mount",
  "packages",
  "blocked",
  "procs",
  "oom",
];

export type HostResult =
  | { host: string; ok: true; snapshot: HostSnapshot; raw: string; truncated?: boolean }
  | { host: string; ok: false; kind: FailureKind; message: string; raw?: string };

export interface HostProbeEvidence {
  hosts: HostResult[];
}

export const HOST_PROBE = sourceKey<HostProbeEvidence>("host.probe");
