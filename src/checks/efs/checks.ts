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
  minOf,
  observedFrom,
  round,
  seriesOf,
  seriesProblem,
  values,
} from "../series.js";
import {
  RECENT_TREND_MINUTES,
  judgeSustained,
  runSpan,
  spacingSeconds,
  timed,
  trendOf,
} from "../series-judge.js";
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
    "AWS/EFS PercentIOLimit: how close the General Purpose file system is to its I/O-operations ceiling, judged by wall-clock time: above maxPercent for sustainedMinutes fails (like the module's alarm); shorter runs of warnMinutes, or a single minute at the ceiling, warn. Near 100 % every listing waits; this is operations, not throughput.",
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
    high: "PercentIOLimit stayed above {{limit}} % for {{minutes}} min{{span}} on {{fileSystemId}} (peak {{peak}} %; {{total}} min above in {{runs}} run(s)): the file system is at its I/O-operations ceiling.",
    short:
      "PercentIOLimit was above {{limit}} % for {{total}} min in {{runs}} run(s) on {{fileSystemId}}, the longest {{minutes}} min{{span}} (peak {{peak}} %): listings were throttled then; fails at {{sustained}} min in a row.",
    touched:
      "PercentIOLimit touched {{peak}} % on {{fileSystemId}} (the I/O-operations ceiling) for a moment; longest run above {{limit}} %: {{minutes}} min.",
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
    const pts = timed(s!.points);
    const judged = judgeSustained(pts, spacingSeconds(pts, s!.period), {
      limit: limits.maxPercent,
      failMinutes: limits.sustainedMinutes,
      warnMinutes: limits.warnMinutes,
      extreme: limits.extremePercent,
    });
    const top = judged.longest;
    const threshold = limitRef(limits, "maxPercent", "%");
    const data = {
      fileSystemId: fsId,
      peak: round(judged.peak),
      limit: limits.maxPercent,
      minutes: round(top?.minutes ?? 0),
      span: top ? ` (${runSpan(top)})` : "",
      runs: judged.runs.length,
      total: round(judged.minutesAbove),
      sustained: limits.sustainedMinutes,
    };
    const observed = observedFrom(s!.points, judged.peak, "%");
    const hints = [percentIoHints.backend, percentIoHints.cache, percentIoHints["page-cache"]];
    if (judged.status === "fail")
      return { status: "fail", messageId: "high", data, observed, threshold, hints };
    if (judged.status === "warn")
      return {
        status: "warn",
        messageId: judged.why === "extreme" ? "touched" : "short",
        data,
        observed,
        threshold: limitRef(
          limits,
          judged.why === "extreme" ? "extremePercent" : "warnMinutes",
          judged.why === "extreme" ? "%" : "min",
        ),
        hints,
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
    "Sum(MeteredIOBytes) per second ÷ PermittedThroughput for the same minute: how much of the throughput EFS allowed was used, judged by wall-clock time. Above failPercent for sustainedMinutes fails (the file system throttles reads); a peak above warnPercent, or a shorter run, warns.",
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
    high: "EFS {{fileSystemId}} used more than {{fail}} % of its permitted throughput ({{permittedMiBps}} MiB/s, {{mode}} mode) for {{minutes}} min{{span}}, up to {{peak}} %: reads are throttled.",
    peak: "EFS {{fileSystemId}} used up to {{peak}} % of its permitted throughput ({{permittedMiBps}} MiB/s, {{mode}} mode); above {{fail}} % for {{minutes}} min at most (fails at {{sustained}} min).",
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
    const pts = timed(pct);
    const judged = judgeSustained(pts, spacingSeconds(pts, period), {
      limit: limits.failPercent,
      failMinutes: limits.sustainedMinutes,
      extreme: limits.warnPercent,
    });
    const peak = judged.peak;
    const fs = fileSystem(evidence);
    const mode = fs?.throughputMode ?? "unknown";
    const data = {
      fileSystemId: fsId,
      peak: round(peak),
      permittedMiBps: round(fallback / 1048576, 1),
      mode,
      minutes: round(judged.longest?.minutes ?? 0),
      span: judged.longest ? ` (${runSpan(judged.longest)})` : "",
      fail: limits.failPercent,
      sustained: limits.sustainedMinutes,
    };
    const observed = observedFrom(pct, peak, "%");
    const hints: string[] = [];
    if (mode === "bursting") hints.push(throughputHints.elastic);
    if (mode === "provisioned") hints.push(throughputHints.provisioned);
    hints.push(throughputHints.bytes);
    if (judged.status === "fail")
      return {
        status: "fail",
        messageId: "high",
        data,
        observed,
        threshold: limitRef(limits, "failPercent", "%"),
        hints,
      };
    if (judged.status === "warn")
      return {
        status: "warn",
        messageId: "peak",
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

/**
 * The minimum burst rate of a bursting file system: 100 MiB/s (EFS docs, performance.html "Bursting
 * throughput": file systems burst to 100 MiB/s regardless of size, or 100 MiB/s per TiB stored above 1 TiB).
 */
const MIN_BURST_BYTES_PER_SECOND = 100 * 1048576;

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
    "Bursting throughput mode only: BurstCreditBalance now and its trend over the window. Fails when the credits are gone or will be within minHoursLeft at the drain rate — the steeper of the last 15 minutes' slope and the window's, so a balance that recharged most of the hour and drains now is judged by the drain (throughput then falls to the baseline of 50 KiB/s per GiB stored). A balance below the module's alarm threshold warns, draining or not (a 100 MiB/s burst uses 20 GB in about 3 minutes). A large balance that is not running out passes.",
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
      "Burst credits of {{fileSystemId}} run out in about {{left}} at {{rateFrom}} ({{nowTiB}} TiB left, {{drainTiBPerHour}} TiB/h).",
    low: "Burst credits of {{fileSystemId}} are below the alarm threshold ({{nowGB}} GB < {{thresholdTiB}} TiB{{drainNote}}): a 100 MiB/s burst would use them up in about {{burstMinutes}} min.",
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
    const pts = timed(s!.points);
    const now = pts[pts.length - 1]!.v;
    const trend = trendOf(pts);
    const slope = trend.falling;
    const hoursLeft = slope < 0 ? now / -slope : Infinity;
    const tib = (b: number) => round(b / 2 ** 40, 3);
    const burstMinutes = now / MIN_BURST_BYTES_PER_SECOND / 60;
    const data = {
      fileSystemId: fs.fileSystemId,
      nowTiB: tib(now),
      nowGB: round(now / 1e9, 1),
      lowestTiB: tib(minOf(values(s))!),
      thresholdTiB: tib(limits.minBalanceBytes),
      drainTiBPerHour: tib(-slope),
      rateFrom:
        trend.from === "recent"
          ? `the last ${RECENT_TREND_MINUTES} minutes' drain rate`
          : "the window's drain rate",
      hoursLeft: Number.isFinite(hoursLeft) ? round(hoursLeft, 1) : "∞",
      left: !Number.isFinite(hoursLeft)
        ? "never"
        : hoursLeft < 1
          ? `${Math.max(1, Math.round(hoursLeft * 60))} min`
          : `${round(hoursLeft, 1)} h`,
      burstMinutes: round(burstMinutes, 1),
      drainNote: slope < 0 ? `, draining ${tib(-slope)} TiB/h` : ", not draining",
      trend:
        slope < 0
          ? `draining ${tib(-slope)} TiB/h (about ${Number.isFinite(hoursLeft) ? round(hoursLeft, 0) : "∞"} h left)`
          : "not draining",
    };
    const observed = observedFrom(s!.points, now, "bytes");
    // Bytes against the balance threshold, unless hours left decided the verdict (then hours against hours).
    const threshold = limitRef(limits, "minBalanceBytes", "bytes");
    const hints = [burstHints.elastic, burstHints.provision];
    // "Gone": under 1 % of the alarm threshold (10 GB by default: about 100 s of bursting at 100 MiB/s).
    if (now < limits.minBalanceBytes * 0.01)
      return { status: "fail", messageId: "exhausted", data, observed, threshold, hints };
    if (hoursLeft <= limits.minHoursLeft)
      return {
        status: "fail",
        messageId: "running-out",
        data,
        observed: { value: round(hoursLeft, 2), unit: "h" },
        threshold: limitRef(limits, "minHoursLeft", "h"),
        hints,
      };
    // Below the alarm the module (and the stack) ship: their alarm fires, draining or not.
    if (now < limits.minBalanceBytes)
      return {
        status: "warn",
        messageId: "low",
        data,
        observed,
        threshold,
        hints,
      };
    return { status: "pass", messageId: "ok", data, observed, threshold };
  },
});
