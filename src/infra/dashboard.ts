/**
 * A CloudWatch dashboard built from the very series doctor reads (src/sources/aws/metric-catalogue.ts: same
 * namespace, metric, statistic and dimensions), with the doctor's thresholds drawn as lines (ALARM_SPECS, which
 * come from src/checks/<area>/thresholds.ts). Per-instance EC2 series are left out: their instance ids change.
 */
import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import { Construct } from "constructs";
import {
  SERIES,
  type DimensionSource,
  type SeriesDef,
  type SeriesKey,
} from "../sources/aws/metric-catalogue.js";
import { ALARM_SPECS } from "./alarms.js";

export type DashboardContext = Record<Exclude<DimensionSource, "instanceId">, string>;

/** Threshold lines: the series an alarm watches, at the alarm's (the doctor's) value. */
export const DASHBOARD_THRESHOLDS: Partial<Record<SeriesKey, { label: string; value: number }>> = {
  "efs.PercentIOLimit": {
    label: ALARM_SPECS.efsPercentIoLimit.checkId,
    value: ALARM_SPECS.efsPercentIoLimit.value,
  },
  "efs.BurstCreditBalance": {
    label: ALARM_SPECS.efsBurstCredits.checkId,
    value: ALARM_SPECS.efsBurstCredits.value,
  },
  "alb.TargetResponseTime.p95": {
    label: ALARM_SPECS.p95Latency.checkId,
    value: ALARM_SPECS.p95Latency.value,
  },
  "alb.UnHealthyHostCount": {
    label: ALARM_SPECS.unhealthyHosts.checkId,
    value: ALARM_SPECS.unhealthyHosts.value,
  },
};

/** The catalogue's series the dashboard can draw (everything not per instance). */
export function dashboardSeries(): SeriesKey[] {
  return (Object.keys(SERIES) as SeriesKey[]).filter((k) => !(SERIES[k] as SeriesDef).perInstance);
}

export class PypiServerDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, ctx: DashboardContext) {
    super(scope, id);
    this.dashboard = new cloudwatch.Dashboard(this, "Dashboard", { defaultInterval: Duration.hours(3) });
    const widgets = dashboardSeries().map((key) => {
      const def: SeriesDef = SERIES[key];
      const metric = new cloudwatch.Metric({
        namespace: def.namespace,
        metricName: def.metric,
        statistic: def.stat,
        period: Duration.minutes(1),
        dimensionsMap: Object.fromEntries(
          Object.entries(def.dimensions).map(([name, source]) => [
            name,
            ctx[source as keyof DashboardContext],
          ]),
        ),
      });
      const threshold = DASHBOARD_THRESHOLDS[key];
      return new cloudwatch.GraphWidget({
        title: `${key} (${def.stat})`,
        left: [metric],
        width: 8,
        ...(threshold
          ? { leftAnnotations: [{ value: threshold.value, label: `doctor ${threshold.label}` }] }
          : {}),
      });
    });
    for (let i = 0; i < widgets.length; i += 3) this.dashboard.addWidgets(...widgets.slice(i, i + 3));
  }
}
