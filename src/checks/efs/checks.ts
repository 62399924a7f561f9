/**
 * EFS checks (slow-listing playbook), corrected per FACTS §3: PercentIOLimit is the General Purpose
 * I/O-operations ceiling (not throughput); throughput saturation is Sum(MeteredIOBytes)/period ÷
 * PermittedThroughput; BurstCreditBalance means something only in bursting mode.
 */
import { defineCheck, limitRef, type Verdict } from "../model.js";
import { EFS_BURST_CREDITS, EFS_PERCENT_IO_LIMIT, EFS_THROUGHPUT_UTILIZATION } from "./thresholds.js";
import { read } from "../../sources/model.js";
import {
  FILE_SYSTEM,
  METRICS,
  type FileSystemEvidence,
  type MetricsEvidence,
} from "../../sources/aws/types.js";
import {
  describeSeries,
  need,
  hasData,
  maxOf,
  minOf,
  observedFrom,
  round,
  seriesOf,
  seriesProblem,
  values,
} from "../series.js";
import type { Evidence } from "../../sources/model.js";

/** Hints of the precheck every EFS metric check shares. */
const PRECHECK_HINTS = {
  permission:
    "Grant cloudwatch:GetMetricData: `pypictl doctor --print-iam-policy` prints the policy doctor needs.",
  "name-fs":
    "Name the file system and its region: `pypictl doctor --file-system-id <fs-id> --region <region>` (the id is in the task definition's `volumes[].efsVolumeConfiguration.fileSystemId`).",
};

const ELASTIC_HINT =
  'Switch the file system to Elastic throughput: stack `pypictl deploy --efs-throughput-mode elastic` with the flags you deployed with, Terraform `efs_throughput_mode = "elastic"` (the module\'s default).';

function fileSystem(evidence: Evidence): FileSystemEvidence | undefined {
  const r = read(evidence, FILE_SYSTEM);
  return r?.ok ? r.value : undefined;
}

/** Shared preamble: no file system identified → skip; nothing at all from EFS → error (wrong id or permission). */
function efsPrecheck(m: MetricsEvidence): Verdict<keyof typeof COMMON_MESSAGES, never> | undefined {
  if (!m.context.fileSystemId)
    return {
      status: "skip",
      messageId: "no-file-system",
      data: { reason: m.unavailable.efs ?? "no EFS file system identified" },
    };
  const permitted = seriesOf(m, "efs.PermittedThroughput");
  const problem = seriesProblem(permitted) ?? seriesProblem(seriesOf(m, "efs.PercentIOLimit"));
  if (problem)
    return {
      status: "error",
      messageId: "no-metrics",
      data: { cause: problem },
      hints: [PRECHECK_HINTS.permission],
    };
  if (!hasData(permitted))
    return {
      status: "error",
      messageId: "no-metrics",
      data: {
        cause: `no datapoints for ${permitted ? describeSeries(permitted) : "AWS/EFS PermittedThroughput"}: EFS publishes it every minute, so the file system id ${m.context.fileSystemId} is wrong or in another region`,
      },
      hints: [PRECHECK_HINTS["name-fs"]],
    };
  return undefined;
}

const COMMON_MESSAGES = {
  "no-file-system": "Not evaluated: {{reason}}.",
  "no-metrics": "Could not evaluate: {{cause}}.",
};

const percentIoHints = {
  ...PRECHECK_HINTS,
  backend:
    "Cut the operations per listing: pypiserver's simple-dir backend re-reads every file per request (stack prop `backend`; with several tasks keep simple-dir: cached-dir does not see other hosts' uploads).",
  cache: "Serve /simple/ through a cache (CloudFront) when the index has more than 1,000 package files.",
  "page-cache": "Check the hosts' page cache (MemAvailable, swap): `pypictl doctor --only host`.",
};

export const efsPercentIoLimit = defineCheck({
  id: "efs.percent-io-limit",
  title: "EFS I/O-operations limit (PercentIOLimit)",
  description:
    "AWS/EFS PercentIOLimit: how close the General Purpose file system is to its I/O-operations ceiling, judged sustained (minutes in a row above the limit, like the module's alarm), not by a one-minute peak. Near 100 % every listing waits; this is operations, not throughput.",
  playbooks: ["slow-listing", "iowait"],
  needs: [METRICS.id],
  series: ["efs.PercentIOLimit", "efs.PermittedThroughput"],
  uses: [FILE_SYSTEM.id],
  scope: "fleet",
  thresholds: EFS_PERCENT_IO_LIMIT,
  hints: percentIoHints,
  messages: {
    ...COMMON_MESSAGES,
    "not-general-purpose":
      "Not evaluated: {{fileSystemId}} uses the {{performanceMode}} performance mode, which has no PercentIOLimit.",
    idle: "No PercentIOLimit datapoints for {{fileSystemId}} in the window: no I/O reached the file system.",
    high: "PercentIOLimit stayed above {{limit}} % for {{minutes}} min on {{fileSystemId}} (peak {{peak}} %): the file system is at its I/O-operations ceiling.",
    ok: "PercentIOLimit peaked at {{peak}} % on {{fileSystemId}}; longest run above {{limit}} %: {{minutes}} min (fails at {{sustained}} min).",
  },
  evaluate({ evidence, limits }) {
    const m = need(evidence, METRICS);
    const pre = efsPrecheck(m);
    if (pre) return pre;
    const fsId = m.context.fileSystemId!;
    const fs = fileSystem(evidence);
    if (fs?.performanceMode && fs.performanceMode !== "generalPurpose")
      return {
        status: "skip",
        messageId: "not-general-purpose",
        data: { fileSystemId: fsId, performanceMode: fs.performanceMode },
      };
    const s = seriesOf(m, "efs.PercentIOLimit");
    if (!hasData(s)) return { status: "skip", messageId: "idle", data: { fileSystemId: fsId } };
    const peak = maxOf(values(s))!;
    let run = 0;
    let longest = 0;
    for (const [, v] of s!.points) {
      run = v > limits.maxPercent ? run + 1 : 0;
      longest = Math.max(longest, run);
    }
    const minutes = (longest * s!.period) / 60;
    const threshold = limitRef(limits, "maxPercent", "%");
    const data = {
      fileSystemId: fsId,
      peak: round(peak),
      limit: limits.maxPercent,
      minutes: round(minutes),
      sustained: limits.sustainedMinutes,
    };
    const observed = observedFrom(s!.points, peak, "%");
    if (minutes >= limits.sustainedMinutes)
      return {
        status: "fail",
        messageId: "high",
        data,
        observed,
        threshold,
        hints: [percentIoHints.backend, percentIoHints.cache, percentIoHints["page-cache"]],
      };
    return { status: "pass", messageId: "ok", data, observed, threshold };
  },
});

const throughputHints = {
  ...PRECHECK_HINTS,
  elastic: ELASTIC_HINT,
  provisioned:
    "Raise the provisioned throughput (stack prop `efsProvisionedMibps`, `--efs-provisioned-mibps`; Terraform `efs_provisioned_throughput_in_mibps`), or switch to elastic.",
  bytes:
    "Reduce bytes read per listing: fewer package files per project, or a cache (CloudFront) in front of /simple/.",
};

export const efsThroughputUtilization = defineCheck({
  id: "efs.throughput-utilization",
  title: "EFS throughput utilisation",
  description:
    "Peak Sum(MeteredIOBytes) per second ÷ PermittedThroughput for the same minute: how much of the throughput EFS allowed was used. Near 100 % the file system throttles reads.",
  playbooks: ["slow-listing", "iowait"],
  needs: [METRICS.id],
  series: ["efs.MeteredIOBytes", "efs.PermittedThroughput", "efs.PercentIOLimit"],
  uses: [FILE_SYSTEM.id],
  scope: "fleet",
  thresholds: EFS_THROUGHPUT_UTILIZATION,
  hints: throughputHints,
  messages: {
    ...COMMON_MESSAGES,
    idle: "No MeteredIOBytes datapoints for {{fileSystemId}} in the window: no I/O, nothing to throttle.",
    high: "EFS {{fileSystemId}} used up to {{peak}} % of its permitted throughput ({{permittedMiBps}} MiB/s, {{mode}} mode).",
    ok: "EFS {{fileSystemId}} used up to {{peak}} % of its permitted throughput ({{permittedMiBps}} MiB/s, {{mode}} mode).",
  },
  evaluate({ evidence, limits }) {
    const m = need(evidence, METRICS);
    const pre = efsPrecheck(m);
    if (pre) return pre;
    const fsId = m.context.fileSystemId!;
    const metered = seriesOf(m, "efs.MeteredIOBytes");
    const permitted = seriesOf(m, "efs.PermittedThroughput")!;
    if (!hasData(metered)) return { status: "skip", messageId: "idle", data: { fileSystemId: fsId } };
    const permittedAt = new Map(permitted.points);
    const fallback = minOf(values(permitted))!;
    const period = metered!.period;
    const pct: Array<[string, number]> = metered!.points.map(([t, bytes]) => {
      const allowed = permittedAt.get(t) ?? fallback;
      return [t, allowed > 0 ? (bytes / period / allowed) * 100 : 0];
    });
    const peak = maxOf(pct.map((p) => p[1]))!;
    const fs = fileSystem(evidence);
    const mode = fs?.throughputMode ?? "unknown";
    const data = {
      fileSystemId: fsId,
      peak: round(peak),
      permittedMiBps: round(fallback / 1048576, 1),
      mode,
    };
    const observed = observedFrom(pct, peak, "%");
    const hints: string[] = [];
    if (mode === "bursting") hints.push(throughputHints.elastic);
    if (mode === "provisioned") hints.push(throughputHints.provisioned);
    hints.push(throughputHints.bytes);
    if (peak > limits.failPercent)
      return {
        status: "fail",
        messageId: "high",
        data,
        observed,
        threshold: limitRef(limits, "failPercent", "%"),
        hints,
      };
    if (peak > limits.warnPercent)
      return {
        status: "warn",
        messageId: "high",
        data,
        observed,
        threshold: limitRef(limits, "warnPercent", "%"),
        hints,
      };
    return {
      status: "pass",
      messageId: "ok",
      data,
      observed,
      threshold: limitRef(limits, "warnPercent", "%"),
    };
  },
});

/** Least-squares slope of a series, in value units per hour (robust to one noisy point at either end). */
function slopePerHour(points: ReadonlyArray<readonly [string, number]>): number {
  if (points.length < 2) return 0;
  const xs = points.map(([t]) => Date.parse(t) / 3_600_000);
  const ys = points.map(([, v]) => v);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den > 0 ? num / den : 0;
}

const burstHints = {
  ...PRECHECK_HINTS,
  elastic: ELASTIC_HINT,
  provision:
    'Or provision throughput: stack `pypictl deploy --efs-throughput-mode provisioned --efs-provisioned-mibps <MiB/s>` with the flags you deployed with, Terraform `efs_throughput_mode = "provisioned"` with `efs_provisioned_throughput_in_mibps`.',
};

export const efsBurstCredits = defineCheck({
  id: "efs.burst-credits",
  title: "EFS burst credits (bursting mode)",
  description:
    "Bursting throughput mode only: BurstCreditBalance now and its trend over the window. Fails when the credits are gone or will be within minHoursLeft at the current drain rate (throughput then falls to the baseline of 50 KiB/s per GiB stored); a balance below the module's alarm threshold that is draining more slowly warns. A large balance, or a low one that is not draining, passes.",
  playbooks: ["slow-listing"],
  needs: [METRICS.id, FILE_SYSTEM.id],
  series: ["efs.BurstCreditBalance", "efs.PermittedThroughput", "efs.PercentIOLimit"],
  scope: "fleet",
  thresholds: EFS_BURST_CREDITS,
  hints: burstHints,
  messages: {
    ...COMMON_MESSAGES,
    "not-bursting":
      "Not applicable: {{fileSystemId}} uses {{mode}} throughput (burst credits only matter in bursting mode).",
    "no-data":
      "No BurstCreditBalance datapoints for bursting file system {{fileSystemId}} although EFS publishes them every minute.",
    exhausted:
      "Burst credits of {{fileSystemId}} are used up ({{nowTiB}} TiB): throughput is held to the baseline.",
    "running-out":
      "Burst credits of {{fileSystemId}} run out in about {{hoursLeft}} h at the window's drain rate ({{nowTiB}} TiB left, {{drainTiBPerHour}} TiB/h).",
    low: "Burst credits of {{fileSystemId}} are below the alarm threshold ({{nowTiB}} TiB < {{thresholdTiB}} TiB) and draining: about {{hoursLeft}} h left at the window's rate.",
    ok: "Burst credits of {{fileSystemId}}: {{nowTiB}} TiB now, {{trend}}.",
  },
  evaluate({ evidence, limits }) {
    const m = need(evidence, METRICS);
    const fs = need(evidence, FILE_SYSTEM);
    if (fs.throughputMode !== "bursting")
      return {
        status: "skip",
        messageId: "not-bursting",
        data: { fileSystemId: fs.fileSystemId, mode: fs.throughputMode ?? "unknown" },
      };
    const pre = efsPrecheck(m);
    if (pre) return pre;
    const s = seriesOf(m, "efs.BurstCreditBalance");
    if (!hasData(s))
      return { status: "error", messageId: "no-data", data: { fileSystemId: fs.fileSystemId } };
    const now = s!.points[s!.points.length - 1]![1];
    const slope = slopePerHour(s!.points);
    const hoursLeft = slope < 0 ? now / -slope : Infinity;
    const tib = (b: number) => round(b / 2 ** 40, 3);
    const data = {
      fileSystemId: fs.fileSystemId,
      nowTiB: tib(now),
      lowestTiB: tib(minOf(values(s))!),
      thresholdTiB: tib(limits.minBalanceBytes),
      drainTiBPerHour: tib(-slope),
      hoursLeft: Number.isFinite(hoursLeft) ? round(hoursLeft, 1) : "∞",
      trend:
        slope < 0
          ? `draining ${tib(-slope)} TiB/h (about ${Number.isFinite(hoursLeft) ? round(hoursLeft, 0) : "∞"} h left)`
          : "not draining",
    };
    const observed = observedFrom(s!.points, now, "bytes");
    const threshold = limitRef(limits, "minHoursLeft", "h");
    const hints = [burstHints.elastic, burstHints.provision];
    // "Gone": under 1 % of the alarm threshold (10 GB by default: about 100 s of bursting at 100 MiB/s).
    if (now < limits.minBalanceBytes * 0.01)
      return { status: "fail", messageId: "exhausted", data, observed, threshold, hints };
    if (hoursLeft <= limits.minHoursLeft)
      return { status: "fail", messageId: "running-out", data, observed, threshold, hints };
    if (now < limits.minBalanceBytes && slope < 0)
      return {
        status: "warn",
        messageId: "low",
        data,
        observed,
        threshold: limitRef(limits, "minBalanceBytes", "bytes"),
        hints,
      };
    return { status: "pass", messageId: "ok", data, observed, threshold };
  },
});
