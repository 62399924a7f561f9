/**
 * `pypictl size` for people: verdict first, then the changes in order of effect with their reasons and the
 * command, the load shape against each profile's tested burst, then current vs recommended in detail.
 */
import type { SizeReport, ConfigView } from "../../capacity/size-report.js";

const n = (v: number) => (Number.isInteger(v) ? v.toLocaleString("en-US") : v.toFixed(1));
const money = (v: number) => `$${v.toFixed(2)}`;

const VERDICT: Record<SizeReport["verdict"], string> = {
  undersized: "UNDERSIZED: the load outgrew this configuration",
  oversized: "OVER-PROVISIONED: a smaller configuration carries this load",
  fits: "FITS: this configuration carries the load with room to spare",
};

function configLine(c: ConfigView): string {
  const efs =
    c.efsThroughputMode + (c.efsProvisionedMibps !== undefined ? ` ${c.efsProvisionedMibps} MiB/s` : "");
  return `${c.size ? `${c.size}: ` : ""}${c.minHosts}–${c.maxHosts} × ${c.instanceType}, tasks ${c.tasksMin}–${c.tasksMax}, ${c.containerMemory} MiB (reserve ${c.containerMemoryReservation}), ${c.gunicornWorkers} workers, ${c.containerCpu} CPU units, EFS ${efs}`;
}

function capacityLines(c: ConfigView): string[] {
  const k = c.capacity;
  return [
    `    slots: ${k.slotsPerHost}/host, ${k.slotsAtMinHosts} at ${c.minHosts} hosts, ${k.slotsAtMaxHosts} at ${c.maxHosts}`,
    `    memory per host after the agent's reserve: ${n(k.memoryHeadroomMiB)} MiB free of reservations, ${n(k.hardLimitHeadroomMiB)} MiB if every task hits its hard limit`,
    `    carries ≈ ${n(k.requestsPerMinute)} requests/min (${n(k.requestsPerMinuteAtMax)} at max), ${n(k.workerProcesses)} worker processes holding ${n(k.concurrentRequests)} requests at once`,
  ];
}

/** One bar of `width` cells for value against max. */
function bar(value: number, max: number, width: number): string {
  const cells = max > 0 ? Math.round((Math.min(value, max) / max) * width) : 0;
  return "█".repeat(cells) + "·".repeat(width - cells);
}

export function renderSizeText(r: SizeReport): string {
  const L: string[] = [];
  const o = r.observed;
  L.push(`pypictl size — ${r.target}`);
  L.push(
    `window ${r.window.start} → ${r.window.end} (${r.window.since}); ${r.resolution.why}, ${r.resolution.periodSeconds}-s periods (hosts ${r.resolution.hostPeriodSeconds} s)`,
  );
  L.push("");
  L.push(
    VERDICT[r.verdict] +
      (r.stillShort ? " — even the largest candidate is short; see the first limit below" : ""),
  );
  L.push("");
  if (r.changes.length) {
    L.push("Changes, in order of effect:");
    r.changes.forEach((c, i) => L.push(`  ${i + 1}. ${c.field} ${c.from} → ${c.to}: ${c.reason}`));
    L.push("");
    L.push(
      r.fleetKind === "terraform"
        ? "Terraform variables:"
        : r.fleetKind === "stack"
          ? "Apply:"
          : "Apply (stack / Terraform module):",
    );
    for (const line of r.apply) L.push(`  ${line}`);
    L.push("");
  } else {
    L.push("No change: every limit is within its target at the observed bursts.");
    L.push("");
  }

  L.push("Load:");
  if (o.requests) {
    const q = o.requests;
    const avg = o.perMinuteIsAverage
      ? ` (average minute of each ${o.periodSeconds / 60}-min period; a single minute peaks higher)`
      : "";
    L.push(
      `  requests/min: peak ${n(q.peakPerMinute)} at ${q.peakAt}, burst (99.9th pct) ${n(q.burstPerMinute)}, p99 ${n(q.p99PerMinute)}, median ${n(q.medianPerMinute)}${avg}`,
    );
    L.push(
      `  ${n(q.total)} requests; ${q.shape.bursts} bursts above what the current fleet carries, longest ${n(q.shape.longestBurstMinutes)} min; idle ${Math.round(q.shape.idleShare * 100)} % of the time`,
    );
  }
  if (o.busiest) {
    const b = o.busiest;
    const parts = [
      b.p95Seconds !== undefined && `p95 ${n(b.p95Seconds)} s`,
      b.errorPercent !== undefined && `5xx ${n(b.errorPercent)} %`,
      b.hostCpuPercent !== undefined && `host CPU ${n(b.hostCpuPercent)} %`,
      b.taskMemoryPercentOfLimit !== undefined && `task memory ${n(b.taskMemoryPercentOfLimit)} % of limit`,
    ].filter(Boolean);
    L.push(`  at the busiest minutes: ${parts.join(", ") || "nothing else measured"}`);
  }
  if (o.hostCpu)
    L.push(
      `  host CPU: peak ${n(o.hostCpu.peakPercent)} %, held ${n(o.hostCpu.sustainedPercent)} % for 10 min (${o.hostCpu.hosts} hosts)`,
    );
  if (o.taskMemory)
    L.push(
      `  task memory: peak ${n(o.taskMemory.peakPercentOfLimit)} % of the hard limit (${n(o.taskMemory.peakPercentOfReservation)} % of the reservation)`,
    );
  if (o.efs) {
    const e = o.efs;
    const parts = [
      e.ioSustainedPercent !== undefined && `PercentIOLimit held ${n(e.ioSustainedPercent)} %`,
      e.throughputSustainedPercent !== undefined &&
        `throughput held ${n(e.throughputSustainedPercent)} % of permitted`,
      e.creditsMinBytes !== undefined &&
        `burst credits ${(e.creditsFirstBytes! / 2 ** 40).toFixed(2)} → ${(e.creditsLastBytes! / 2 ** 40).toFixed(2)} TiB (min ${(e.creditsMinBytes / 2 ** 40).toFixed(2)})`,
    ].filter(Boolean);
    L.push(`  EFS: ${parts.join(", ")}`);
  }
  if (o.runningTasks)
    L.push(`  running tasks ${n(o.runningTasks.min)}–${n(o.runningTasks.max)}; ${o.hostsNow} hosts now`);
  if (o.packages)
    L.push(
      `  packages: ${n(o.packages.files)} files (${o.packages.source}); every request walks them: ${o.packages.carryFactor < 1 ? `+${n(o.packages.extraMsPerRequest)} ms each beyond the profiles' 500, ${Math.round((1 - o.packages.carryFactor) * 100)} % less carried` : "within the profiles' 500, no listing cost beyond theirs"}`,
    );
  L.push("");

  if (o.requests) {
    const burst = o.requests.burstPerMinute;
    const max = Math.max(burst, ...r.profiles.map((p) => p.testedBurstPerMinute)) * 1.1;
    L.push("Bursts against each profile's tested burst (█ tested, ▲ this fleet's 99.9th-pct minute):");
    for (const p of r.profiles) {
      const mark = Math.round((Math.min(burst, max) / max) * 30);
      const b = bar(p.testedBurstPerMinute, max, 30).split("");
      b[Math.min(29, mark)] = "▲";
      L.push(
        `  ${p.size.padEnd(10)} ${b.join("")} ${p.burstLabel.padEnd(11)} ${n(p.minutesAbove)} min above (${p.hosts}×${p.instanceType})`,
      );
    }
    L.push("");
  }

  L.push("Current:");
  L.push(`  ${configLine(r.current)}`);
  L.push(...capacityLines(r.current));
  L.push(
    `    first limit: ${r.placement.current.first.limit} at ${Math.round(r.placement.current.first.used * 100)} % (target ${Math.round(r.placement.current.first.target * 100)} %)`,
  );
  L.push("Recommended:");
  L.push(`  ${configLine(r.recommended)}`);
  L.push(...capacityLines(r.recommended));
  L.push(
    `    first limit: ${r.placement.recommended.first.limit} at ${Math.round(r.placement.recommended.first.used * 100)} % (target ${Math.round(r.placement.recommended.first.target * 100)} %)`,
  );
  L.push("");
  if (r.cost.available)
    L.push(
      `Cost (on-demand hosts, ${r.cost.source}): ${money(r.cost.currentMonthly)}/month now → ${money(r.cost.recommendedMonthly)}/month recommended`,
    );
  else L.push(`Cost: not shown — ${r.cost.reason}`);
  if (r.assumed.length) {
    L.push("");
    L.push("Assumed (not read):");
    for (const a of r.assumed) L.push(`  - ${a}`);
  }
  if (r.missing.length) {
    L.push("");
    L.push("Not measured:");
    for (const m of r.missing) L.push(`  - ${m}`);
  }
  if (r.metricCalls !== undefined)
    L.push("", `${r.metricCalls} GetMetricData call${r.metricCalls === 1 ? "" : "s"}.`);
  return `${L.join("\n")}\n`;
}
