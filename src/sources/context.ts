/** What a source gets when it gathers. */
import type { Window } from "../window.js";
import type { SourceKey, SourceResult } from "./model.js";
import type { Target } from "./target/model.js";
import type { AwsClientPool } from "./aws/pool.js";
import type { RequestStats } from "./request-log.js";

/** Options that shape gathering (not evaluation). Set from flags and the config file. */
export interface GatherSettings {
  /** vmstat samples (1 s apart); the first is the average since boot and is not judged. */
  samples: number;
  /** Where the package volume is mounted on hosts. */
  mountPath: string;
  /** Directory whose package files are counted (defaults to mountPath). */
  packageDir: string;
  /**
   * --mount-path (or the config's host.mountPath) was given: the probe judges exactly that path. Otherwise
   * it finds the package file system's NFS mounts (the ECS task volume on module hosts).
   */
  mountPathGiven?: boolean;
  /** --package-dir (or host.packageDir) was given: count there instead of in the judged mount. */
  packageDirGiven?: boolean;
  /**
   * The run's AWS clients, made by the command at the edge (one pool per run, never shared between runs).
   * It rides in the settings because they are what the runner hands every source unchanged; the AWS sources
   * read it through clientsOf(ctx). Absent where no AWS source runs (replay, hand-built contexts).
   */
  aws?: AwsClientPool;
  /** Extra named settings owned by a source family (aws, http, creds…), kept open on purpose. */
  [key: string]: unknown;
}

export const DEFAULT_GATHER_SETTINGS: GatherSettings = {
  samples: 5,
  mountPath: "/data/packages",
  packageDir: "/data/packages",
};

/** What the selected checks asked for, beyond source ids: shapes what a source gathers. */
export interface GatherPlan {
  /** CloudWatch series keys the selected checks declare; absent = every series (tools, old callers). */
  series?: ReadonlySet<string>;
}

export interface GatherContext {
  target: Target;
  /** Absent in hand-built contexts (tests): every series. */
  plan?: GatherPlan;
  window: Window;
  settings: GatherSettings;
  /** Aborted at the source's deadline. */
  signal: AbortSignal;
  /** When that deadline falls (Date.now() ms): a source with its own budget (the SSM probe) ends before. */
  deadlineAt?: number;
  /** Results of the sources named in the def's `deps`, already gathered. */
  dep<V>(key: SourceKey<V>): SourceResult<V>;
  /** This source's request log (`--verbose` timings, what it waits on at its deadline); set by the runner. */
  requests?: RequestStats;
}

export interface SourceDef<V = unknown> {
  id: string;
  title: string;
  /**
   * Other sources this one reads (e.g. the discovered fleet); gathered first. A function when they
   * depend on the target (the host probe needs the fleet's instances only when run over SSM).
   */
  deps?: readonly string[] | ((target: Target, plan?: GatherPlan) => readonly string[]);
  /** Milliseconds; the runner's default applies when absent. */
  deadlineMs?: number;
  /**
   * On the run's critical path (the host probe: its remote script takes seconds): when a dependency it
   * shares with other sources is ready, it resumes before them, so its calls go out first and its waits
   * overlap their work instead of queueing behind it.
   */
  startFirst?: boolean;
  /**
   * Gather the evidence. May throw: the runner classifies the error (AWS faults by name) into a
   * failed result, so one failing source never aborts the run.
   */
  gather(ctx: GatherContext): Promise<SourceResult<V>>;
}
