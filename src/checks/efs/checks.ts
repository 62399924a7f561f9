/**
 * EFS checks (slow-listing playbook), corrected per FACTS §3: PercentIOLimit is the General Purpose
 * I/O-operations ceiling (not throughput); throughput saturation is Sum(MeteredIOBytes)/period ÷
 * PermittedThroughput; BurstCreditBalance means something only in bursting mode.
 */
import { defineCheck, type Verdict } from "../model.js";
import { EFS_BURST_CREDITS, EFS_PERCENT_IO_LIMIT, EFS_THROUGHPUT_UTILIZATION } from "../thresholds/efs.js";
import { read } from "../../sources/model.js";
import { FILE_SYSTEM, METRICS, type FileSystemEvidence, type MetricsEvidence } from "../../sources/aws/types.js";
import { describeSeries, need, hasData, maxOf, minOf, observedFrom, round, seriesOf, seriesProblem, values } from "../../sources/aws/series.js";
import type { Evidence } from "../../sources/model.js";

const ELASTIC_HINT = 'Switch the file system to Elastic throughput: stack prop efsThroughputMode: "elastic" / Terraform efs_throughput_mode = "elastic" (the module\'s default).';

function fileSystem(evidence: Evidence): FileSystemEvidence | undefined {
  const r = read(evidence, FILE_SYSTEM);
  return r?.ok ? r.value : undefined;
}

/** Shared preamble: no file system identified → skip; nothing at all from EFS → error (wrong id or permission). */
function efsPrecheck(m: MetricsEvidence): Verdict | undefined {
  if (!m.context.fileSystemId)
    return { status: "skip", messageId: "no-file-system", data: { reason: m.unavailable.efs ?? "no EFS file system identified" } };
  const permitted = seriesOf(m, "efs.PermittedThroughput");
  const problem = seriesProblem(permitted) ?? seriesProblem(seriesOf(m, "efs.PercentIOLimit"));
  if (problem) return { status: "error", messageId: "no-metrics", data: { cause: problem }, hints: ["Grant cloudwatch:GetMetricData (pypictl doctor --print-iam-policy)."] };
  if (!hasData(permitted))
    return {
      status: "error",
      messageId: "no-metrics",
      data: { cause: `no datapoints for ${permitted ? describeSeries(permitted) : "AWS/EFS PermittedThroughput"}: EFS publishes it every minute, so the file system id ${m.context.fileSystemId} is wrong or in another region` },
      hints: ["Check --file-system-id / the task definition's EFS volume and --region."],
    };
  return undefined;
}

const COMMON_MESSAGES = {
  "no-file-system": "Not evaluated: {{reason}}.",
  "no-metrics": "Could not evaluate: {{cause}}.",
};

export const efsPercentIoLimit = defineCheck({
  id: "efs.percent-io-limit",
  title: "EFS I/O-operations limit (PercentIOLimit)",
  description:
    "Peak AWS/EFS PercentIOLimit (Maximum): how close the General Purpose file system came to its I/O-operations ceiling. Near 100 % every listing waits; this is operations, not throughput.",
  playbooks: ["slow-listing", "iowait"],
  needs: [METRICS.id],
  series: ["efs.PercentIOLimit", "efs.PermittedThroughput"],
  uses: [FILE_SYSTEM.id],
  scope: "fleet",
  thresholds: EFS_PERCENT_IO_LIMIT,
  messages: {
    ...COMMON_MESSAGES,
    "not-general-purpose": "Not evaluated: {{fileSystemId}} uses the {{performanceMode}} performance mode, which has no PercentIOLimit.",
    idle: "No PercentIOLimit datapoints for {{fileSystemId}} in the window: no I/O reached the file system.",
    high: "PercentIOLimit peaked at {{peak}} % on {{fileSystemId}} (limit {{limit}} %): the file system is at its I/O-operations ceiling.",
    ok: "PercentIOLimit peaked at {{peak}} % on {{fileSystemId}} (limit {{limit}} %).",
  },
  evaluate({ evidence, limits }): Verdict {
    const m = need(evidence, METRICS);
    const pre = efsPrecheck(m);
    if (pre) return pre;
    const fsId = m.context.fileSystemId!;
    const fs = fileSystem(evidence);
    if (fs?.performanceMode && fs.performanceMode !== "generalPurpose")
      return { status: "skip", messageId: "not-general-purpose", data: { fileSystemId: fsId, performanceMode: fs.performanceMode } };
    const s = seriesOf(m, "efs.PercentIOLimit");
    if (!hasData(s)) return { status: "skip", messageId: "idle", data: { fileSystemId: fsId } };
    const peak = maxOf(values(s))!;
    const threshold = { name: "maxPercent", value: limits.maxPercent, unit: "%" };
    const data = { fileSystemId: fsId, peak: round(peak), limit: limits.maxPercent };
    const observed = observedFrom(s!.points, peak, "%");
    if (peak > limits.maxPercent)
      return {
        status: "fail",
        messageId: "high",
        data,
        observed,
        threshold,
        hints: [
          "Cut the operations per listing: pypiserver's simple-dir backend re-reads every file per request (stack prop backend; with several tasks keep simple-dir, cached-dir does not see other hosts' uploads).",
          "Serve /simple/ through a cache (CloudFront) when the index has more than 1,000 package files.",
          "Check the hosts' page cache: pypictl doctor --only host (MemAvailable, swap).",
        ],
      };
    return { status: "pass", messageId: "ok", data, observed, threshold };
  },
});

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
  messages: {
    ...COMMON_MESSAGES,
    idle: "No MeteredIOBytes datapoints for {{fileSystemId}} in the window: no I/O, nothing to throttle.",
    high: "EFS {{fileSystemId}} used up to {{peak}} % of its permitted throughput ({{permittedMiBps}} MiB/s, {{mode}} mode).",
    ok: "EFS {{fileSystemId}} used up to {{peak}} % of its permitted throughput ({{permittedMiBps}} MiB/s, {{mode}} mode).",
  },
  evaluate({ evidence, limits }): Verdict {
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
    const data = { fileSystemId: fsId, peak: round(peak), permittedMiBps: round(fallback / 1048576, 1), mode };
    const observed = observedFrom(pct, peak, "%");
    const hints: string[] = [];
    if (mode === "bursting") hints.push(ELASTIC_HINT);
    if (mode === "provisioned")
      hints.push("Raise the provisioned throughput (stack prop efsProvisionedMibps / Terraform efs_provisioned_throughput_in_mibps), or switch to elastic.");
    hints.push("Reduce bytes read per listing: fewer package files per project, or a cache (CloudFront) in front of /simple/.");
    if (peak > limits.failPercent)
      return { status: "fail", messageId: "high", data, observed, threshold: { name: "failPercent", value: limits.failPercent, unit: "%" }, hints };
    if (peak > limits.warnPercent)
      return { status: "warn", messageId: "high", data, observed, threshold: { name: "warnPercent", value: limits.warnPercent, unit: "%" }, hints };
    return { status: "pass", messageId: "ok", data, observed, threshold: { name: "warnPercent", value: limits.warnPercent, unit: "%" } };
  },
});

export const efsBurstCredits = defineCheck({
  id: "efs.burst-credits",
  title: "EFS burst credits (bursting mode)",
  description:
    "Bursting throughput mode only: the lowest BurstCreditBalance and whether it is draining. Once the credits are gone, throughput falls to the baseline of 50 KiB/s per GiB stored.",
  playbooks: ["slow-listing"],
  needs: [METRICS.id, FILE_SYSTEM.id],
  series: ["efs.BurstCreditBalance", "efs.PermittedThroughput", "efs.PercentIOLimit"],
  scope: "fleet",
  thresholds: EFS_BURST_CREDITS,
  messages: {
    ...COMMON_MESSAGES,
    "not-bursting": "Not applicable: {{fileSystemId}} uses {{mode}} throughput (burst credits only matter in bursting mode).",
    "no-data": "No BurstCreditBalance datapoints for bursting file system {{fileSystemId}} although EFS publishes them every minute.",
    draining: "Burst credits of {{fileSystemId}} are draining and low: {{lowestTiB}} TiB at the lowest (threshold {{thresholdTiB}} TiB), {{changeTiB}} TiB over the window.",
    low: "Burst credits of {{fileSystemId}} are low ({{lowestTiB}} TiB, threshold {{thresholdTiB}} TiB) but not draining.",
    ok: "Burst credits of {{fileSystemId}}: lowest {{lowestTiB}} TiB (threshold {{thresholdTiB}} TiB), change {{changeTiB}} TiB over the window.",
  },
  evaluate({ evidence, limits }): Verdict {
    const m = need(evidence, METRICS);
    const fs = need(evidence, FILE_SYSTEM);
    if (fs.throughputMode !== "bursting")
      return { status: "skip", messageId: "not-bursting", data: { fileSystemId: fs.fileSystemId, mode: fs.throughputMode ?? "unknown" } };
    const pre = efsPrecheck(m);
    if (pre) return pre;
    const s = seriesOf(m, "efs.BurstCreditBalance");
    if (!hasData(s)) return { status: "error", messageId: "no-data", data: { fileSystemId: fs.fileSystemId } };
    const vs = values(s);
    const lowest = minOf(vs)!;
    const change = vs[vs.length - 1]! - vs[0]!;
    const tib = (b: number) => round(b / 2 ** 40, 3);
    const data = { fileSystemId: fs.fileSystemId, lowestTiB: tib(lowest), thresholdTiB: tib(limits.minBalanceBytes), changeTiB: tib(change) };
    const observed = observedFrom(s!.points, lowest, "bytes");
    const threshold = { name: "minBalanceBytes", value: limits.minBalanceBytes, unit: "bytes" };
    const hints = [ELASTIC_HINT, "Or provision throughput: efsThroughputMode: \"provisioned\" with efsProvisionedMibps / Terraform efs_provisioned_throughput_in_mibps."];
    if (lowest < limits.minBalanceBytes && change < 0) return { status: "fail", messageId: "draining", data, observed, threshold, hints };
    if (lowest < limits.minBalanceBytes) return { status: "warn", messageId: "low", data, observed, threshold, hints };
    return { status: "pass", messageId: "ok", data, observed, threshold };
  },
});
