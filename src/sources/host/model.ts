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

/** The package mount: does the path exist, and which mountstats entry (the last one) is mounted on it. */
export interface MountInfo {
  path: string;
  /** "dir" exists as a directory, "absent" does not exist, "other" exists but is not a directory. */
  pathState: "dir" | "absent" | "other";
  /** Undefined when nothing is mounted exactly on the path. */
  entry?: MountEntry;
}

export interface PackageCount {
  dir: string;
  dirState: "dir" | "absent" | "other" | "unreadable";
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
}

export type SectionName = keyof HostSnapshot;
export const SECTION_NAMES: readonly SectionName[] = ["meta", "vmstat", "free", "meminfo", "loadavg", "nproc", "mount", "packages"];

export type HostResult =
  | { host: string; ok: true; snapshot: HostSnapshot; raw: string; truncated?: boolean }
  | { host: string; ok: false; kind: FailureKind; message: string; raw?: string };

export interface HostProbeEvidence {
  hosts: HostResult[];
}

export const HOST_PROBE = sourceKey<HostProbeEvidence>("host.probe");
