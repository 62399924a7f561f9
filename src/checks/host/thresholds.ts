/**
 * Host thresholds (on-host probe, `--local` or SSM). From the troubleshooting guide, corrected by FACTS.md.
 * One source of truth: checks use these as defaults and the stack's alarms use the same numbers.
 */
import type { Threshold } from "../model.js";

/** Consecutive one-second samples of page-ins that make swap-in "sustained" (a judgement call). */
export const MIN_SWAP_IN_SECONDS = 3;

export const HOST_SWAP_ACTIVITY = {
  maxSwapKiBPerSecond: {
    unit: "KiB/s",
    default: 0,
    min: 0,
    description:
      "vmstat so (KiB/s swapped out) above this in any sample after the first (the since-boot average) fails; si (swapped in) above it fails only when sustained (minSwapInSeconds).",
  },
  minSwapInSeconds: {
    unit: "s",
    default: MIN_SWAP_IN_SECONDS,
    min: 1,
    description:
      "Pages read back from swap (si) count as pressure only when they keep coming for this many consecutive one-second samples; pages written out (so) count in any sample. Module hosts carry a 2×RAM swapfile (terraform-aws-ecs), so parked swap and an occasional page-in are normal.",
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
      "Swap in use counts as moving when vmstat so is above this in any sample after the first, or si for minSwapInSeconds in a row; swap that does not move (swapped out during an old spike) is a pass.",
  },
  minSwapInSeconds: {
    unit: "s",
    default: MIN_SWAP_IN_SECONDS,
    min: 1,
    description:
      "Pages read back from swap (si) count as pressure only when they keep coming for this many consecutive one-second samples; pages written out (so) count in any sample. Module hosts carry a 2×RAM swapfile (terraform-aws-ecs), so parked swap and an occasional page-in are normal.",
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
  maxNfsWaitingWorkersPercent: {
    unit: "% of workers",
    default: 50,
    min: 0,
    max: 100,
    description:
      "Tasks waiting on NFS (state D, wchan in the SUNRPC/NFS client such as rpc_wait_bit_killable) as a share of the gunicorn workers found on the host: present in every sample and on average at or above this share fails — those workers serve nothing, however many CPUs sit idle. A judgement call: a healthy EFS answers in milliseconds, so a one-second sample rarely catches more than a few workers waiting.",
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
      "Mean time per call of an NFS operation used for listing (LOOKUP, GETATTR, READDIR, READ, ACCESS, OPEN) during the probe's window above this warns: mountstats' execute time (queue wait for a transport slot + round trip), what a worker waits; the name stays for compatibility. A judgement call: EFS answers these in a few ms when not throttled.",
  },
  failOpRttMs: {
    unit: "ms",
    default: 100,
    min: 0,
    description:
      "Mean time per call (execute: queue + round trip) of a listing operation during the window above this fails: simple-dir looks at every file on each listing, so at 100 ms per call a listing of 150 files takes 15 s, pip's default timeout.",
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
