/**
 * Host thresholds (on-host probe, `--local` or SSM). From the troubleshooting guide, corrected by FACTS.md.
 * One source of truth: checks use these as defaults and the stack's alarms use the same numbers.
 */
import type { Threshold } from "../model.js";

export const HOST_SWAP_ACTIVITY = {
  maxSwapKiBPerSecond: {
    unit: "KiB/s",
    default: 0,
    min: 0,
    description:
      "Highest vmstat si or so (KiB/s swapped in/out) in any sample after the first (the since-boot average); above this fails.",
  },
} satisfies Record<string, Threshold>;

export const HOST_SWAP_USED = {
  maxSwapUsedMiB: {
    unit: "MiB",
    default: 0,
    min: 0,
    description:
      "SwapTotal − SwapFree above this, while swap is moving (see maxSwapMovingKiBPerSecond), fails.",
  },
  maxSwapMovingKiBPerSecond: {
    unit: "KiB/s",
    default: 0,
    min: 0,
    description:
      "Swap in use counts as moving when vmstat si or so is above this in any sample after the first; swap that does not move (swapped out during an old spike) is a pass.",
  },
} satisfies Record<string, Threshold>;

export const HOST_MEMORY_AVAILABLE = {
  minAvailableMiB: {
    unit: "MiB",
    default: 500,
    min: 0,
    description: "MemAvailable below this fails: too little left for the EFS page cache.",
  },
} satisfies Record<string, Threshold>;

export const HOST_IOWAIT = {
  maxIowaitPercent: {
    unit: "%",
    default: 10,
    min: 0,
    max: 100,
    description: "Mean vmstat `wa` over the samples after the first; at or above this fails.",
  },
  maxBlockedPerCpu: {
    unit: "tasks per CPU",
    default: 1,
    min: 0,
    description:
      "Mean count of tasks in uninterruptible sleep (state D: disk or NFS waits) per CPU over the samples; at or above this fails. NFS metadata waits (LOOKUP, GETATTR, READDIR) add nothing to `wa` and vmstat `b` (both count only io_schedule sleepers), so they are counted from the task states. A judgement call: the usual rule of thumb is blocked tasks above the CPU count.",
  },
} satisfies Record<string, Threshold>;

export const HOST_PACKAGE_COUNT = {
  maxPackages: {
    unit: "count",
    default: 1000,
    min: 0,
    description:
      "More package files than this warns: simple-dir rescans and re-hashes every file per request.",
  },
} satisfies Record<string, Threshold>;

export const HOST_EFS_MOUNT = {
  maxOpRttMs: {
    unit: "ms",
    default: 20,
    min: 0,
    description:
      "Mean round-trip time of an NFS operation used for listing (LOOKUP, GETATTR, READDIR, READ, ACCESS, OPEN) during the probe's window above this warns. A judgement call: EFS answers these in a few ms when not throttled.",
  },
  failOpRttMs: {
    unit: "ms",
    default: 100,
    min: 0,
    description:
      "Mean round-trip time of a listing operation during the window above this fails: simple-dir looks at every file on each listing, so at 100 ms per round trip a listing of 150 files takes 15 s, pip's default timeout.",
  },
  minWindowOps: {
    unit: "count",
    default: 5,
    min: 1,
    description:
      "Calls of an operation needed in the window before its mean round-trip time is judged (one slow call is noise).",
  },
  maxRetransPercent: {
    unit: "%",
    default: 0.1,
    min: 0,
    max: 100,
    description:
      "RPC retransmissions as a share of the RPCs sent during the probe's window above this warns (any retransmission means a reply came late or not at all).",
  },
} satisfies Record<string, Threshold>;
