/**
 * ALB checks (bursts playbook). 5xx rate = (ELB + target 5xx) ÷ RequestCount (FACTS §4: 5xx counts are
 * published only when non-zero, so absent = 0 when RequestCount exists; nothing is published without
 * traffic). The ALB routes per request; intermittent 502s come from a back-end keep-alive shorter than the
 * ALB idle timeout (FACTS §3), not from "keep-alive stickiness".
 */
import { defineCheck, type Verdict } from "../model.js";
import { ALB_5XX_RATE, ALB_P95_LATENCY, ALB_UNHEALTHY_HOSTS } from "../thresholds/alb.js";
import { METRICS, SERVICE, TARGETS, type MetricsEvidence } from "../../sources/aws/types.js";
import { describeSeries, hasData, maxOf, maybe, need, observedFrom, round, seriesOf, seriesProblem, sumOf, values } from "../../sources/aws/series.js";

/** gunicorn's default keep-alive (seconds) when the task definition does not set one. */
export const GUNICORN_DEFAULT_KEEPALIVE_SECONDS = 2;
/** The ALB's default idle timeout. */
export const ALB_DEFAULT_IDLE_TIMEOUT_SECONDS = 60;

const REASON_HINTS: Record<string, string> = {
  "Target.ResponseCodeMismatch":
    "The health check got an unexpected status: the check path must answer 200 without credentials (pypiserver's / and /health do; /simple/ answers 401).",
  "Target.Timeout": "The health check timed out: the task is overloaded or stuck on EFS (see ecs.cpu-utilization, efs.percent-io-limit, host iowait).",
  "Target.FailedHealthChecks": "The target stopped answering health checks: see ecs.oom-kills and the host checks.",
  "Target.NotRegistered": "The target is not registered: the task stopped or is being replaced.",
  "Target.NotInUse": "The target group is not used by the load balancer's listener, or the AZ is not enabled.",
  "Target.DeregistrationInProgress": "The target is draining (deployment or scale-in).",
  "Elb.InitialHealthChecking": "The target just registered and is still passing its first health checks.",
};

function noAlb(m: MetricsEvidence): Verdict | undefined {
  if (m.context.loadBalancer) return undefined;
  return { status: "error", messageId: "no-metrics", data: { cause: m.unavailable.alb ?? "no load balancer identified" }, hints: ["Pass --load-balancer or --stack."] };
}

export const albTargetHealth = defineCheck({
  id: "alb.target-health",
  title: "ALB target health",
  description: "DescribeTargetHealth of the service's target group: every target should be healthy; the reason codes say why one is not.",
  playbooks: ["bursts"],
  needs: [TARGETS.id],
  scope: "fleet",
  thresholds: ALB_UNHEALTHY_HOSTS,
  messages: {
    none: "No targets are registered in {{targetGroup}}: the ALB has nothing to send requests to (503s).",
    unhealthy: "{{bad}} of {{total}} target(s) not healthy in {{targetGroup}} ({{reasons}}).",
    transition: "All targets serve, but {{transitioning}} of {{total}} are in transition ({{reasons}}).",
    ok: "All {{total}} target(s) healthy in {{targetGroup}}.",
  },
  evaluate({ evidence, limits }): Verdict {
    const tg = need(evidence, TARGETS);
    const name = tg.targetGroupArn.split(":").pop() ?? tg.targetGroupArn;
    const total = tg.targets.length;
    const threshold = { name: "maxUnhealthy", value: limits.maxUnhealthy, unit: "count" };
    if (total === 0)
      return { status: "fail", messageId: "none", data: { targetGroup: name, total }, observed: { value: 0, unit: "targets" }, threshold, hints: ["Check the service's running tasks: pypictl doctor --only ecs.running-tasks,ecs.service-events."] };
    const transitional = new Set(["initial", "draining"]);
    const bad = tg.targets.filter((t) => t.state !== "healthy" && !transitional.has(t.state));
    const moving = tg.targets.filter((t) => transitional.has(t.state));
    const reasons = (xs: typeof bad) => [...new Set(xs.map((t) => `${t.state}${t.reason ? ` ${t.reason}` : ""}`))].join(", ");
    const resources = tg.targets.map((t) => ({
      id: `${t.id}${t.port !== undefined ? `:${t.port}` : ""}`,
      status: (t.state === "healthy" ? "pass" : transitional.has(t.state) ? "warn" : "fail") as "pass" | "warn" | "fail",
      message: `${t.state}${t.reason ? ` (${t.reason})` : ""}${t.description ? `: ${t.description}` : ""}`,
    }));
    const hints = [...new Set([...bad, ...moving].map((t) => (t.reason ? REASON_HINTS[t.reason] : undefined)).filter((h): h is string => !!h))];
    const data = { targetGroup: name, total, bad: bad.length, transitioning: moving.length, reasons: reasons(bad.length ? bad : moving) };
    const observed = { value: bad.length, unit: "targets" };
    if (bad.length > limits.maxUnhealthy) return { status: "fail", messageId: "unhealthy", data, observed, threshold, hints, resources };
    if (moving.length > 0) return { status: "warn", messageId: "transition", data, observed, threshold, hints, resources };
    return { status: "pass", messageId: "ok", data, observed, threshold, resources };
  },
});

export const alb5xxRate = defineCheck({
  id: "alb.5xx-rate",
  title: "ALB 5xx rate",
  description:
    "(HTTPCode_ELB_5XX_Count + HTTPCode_Target_5XX_Count) ÷ RequestCount over the window (Sums, LoadBalancer dimension). Under 1 % is normal even in extreme bursts.",
  playbooks: ["bursts", "upload"],
  needs: [METRICS.id],
  series: ["alb.RequestCount", "alb.HTTPCode_ELB_5XX_Count", "alb.HTTPCode_Target_5XX_Count", "alb.HTTPCode_ELB_502_Count", "alb.HTTPCode_ELB_503_Count", "alb.HTTPCode_ELB_504_Count"],
  scope: "fleet",
  thresholds: ALB_5XX_RATE,
  messages: {
    "no-metrics": "Could not evaluate: {{cause}}.",
    "no-traffic": "No requests reached {{loadBalancer}} in the window (the ALB publishes no datapoints without traffic).",
    high: "{{rate}} % of {{requests}} requests failed with 5xx ({{elb}} from the ALB: {{e502}}×502, {{e503}}×503, {{e504}}×504; {{target}} from targets).",
    ok: "{{rate}} % of {{requests}} requests failed with 5xx ({{elb}} ALB, {{target}} targets).",
  },
  evaluate({ evidence, limits }): Verdict {
    const m = need(evidence, METRICS);
    const pre = noAlb(m);
    if (pre) return pre;
    const req = seriesOf(m, "alb.RequestCount");
    const problem = seriesProblem(req) ?? seriesProblem(seriesOf(m, "alb.HTTPCode_ELB_5XX_Count"));
    if (problem) return { status: "error", messageId: "no-metrics", data: { cause: problem } };
    if (!hasData(req) || sumOf(values(req)) === 0) return { status: "skip", messageId: "no-traffic", data: { loadBalancer: m.context.loadBalancer! } };
    const total = (k: string) => sumOf(values(seriesOf(m, k)));
    const requests = total("alb.RequestCount");
    const elb = total("alb.HTTPCode_ELB_5XX_Count");
    const target = total("alb.HTTPCode_Target_5XX_Count");
    const rate = ((elb + target) / requests) * 100;
    const at = (k: string) => new Map(seriesOf(m, k)?.points ?? []);
    const elbAt = at("alb.HTTPCode_ELB_5XX_Count");
    const tgtAt = at("alb.HTTPCode_Target_5XX_Count");
    const series = req!.points.map(([t, n]) => [t, n > 0 ? (((elbAt.get(t) ?? 0) + (tgtAt.get(t) ?? 0)) / n) * 100 : 0] as [string, number]);
    const e502 = total("alb.HTTPCode_ELB_502_Count");
    const e503 = total("alb.HTTPCode_ELB_503_Count");
    const e504 = total("alb.HTTPCode_ELB_504_Count");
    const data = { rate: round(rate, 2), requests, elb, target, e502, e503, e504 };
    const observed = observedFrom(series, rate, "%");
    const threshold = { name: "maxPercent", value: limits.maxPercent, unit: "%" };
    if (rate > limits.maxPercent) {
      const hints: string[] = [];
      if (e502 > 0)
        hints.push("502s: make the back end's keep-alive longer than the ALB idle timeout (alb.idle-timeout), and check for crashing tasks (ecs.oom-kills).");
      if (e503 > 0) hints.push("503s: no healthy target at times — see alb.target-health and ecs.running-tasks.");
      if (e504 > 0) hints.push("504s: targets too slow — see alb.p95-latency, efs.percent-io-limit and host iowait.");
      hints.push(
        "More CPU per instance for bursts: instanceType / asg_instance_type c6a.xlarge or c6a.2xlarge (FACTS sizing: 0.05 % errors under 500-request bursts on c6a.xlarge).",
        "Stagger CI jobs (0–60 s random jitter) so bursts arrive spread out.",
      );
      return { status: "fail", messageId: "high", data, observed, threshold, hints };
    }
    return { status: "pass", messageId: "ok", data, observed, threshold };
  },
});

export const albP95Latency = defineCheck({
  id: "alb.p95-latency",
  title: "ALB p95 response time",
  description: "Peak p95 TargetResponseTime (LoadBalancer dimension). 10–20 s is expected in bursts (warn); beyond 20 s clients time out (fail).",
  playbooks: ["bursts", "slow-listing"],
  needs: [METRICS.id],
  series: ["alb.TargetResponseTime.p95"],
  scope: "fleet",
  thresholds: ALB_P95_LATENCY,
  messages: {
    "no-metrics": "Could not evaluate: {{cause}}.",
    "no-traffic": "No requests reached {{loadBalancer}} in the window, so there is no response time to judge.",
    slow: "p95 response time peaked at {{peak}} s (warn above {{warn}} s, fail above {{fail}} s).",
    ok: "p95 response time peaked at {{peak}} s.",
  },
  evaluate({ evidence, limits }): Verdict {
    const m = need(evidence, METRICS);
    const pre = noAlb(m);
    if (pre) return pre;
    const s = seriesOf(m, "alb.TargetResponseTime.p95");
    const problem = seriesProblem(s);
    if (problem) return { status: "error", messageId: "no-metrics", data: { cause: problem } };
    if (!hasData(s)) return { status: "skip", messageId: "no-traffic", data: { loadBalancer: m.context.loadBalancer! } };
    const peak = maxOf(values(s))!;
    const data = { peak: round(peak, 2), warn: limits.warnSeconds, fail: limits.failSeconds };
    const observed = observedFrom(s!.points, peak, "s");
    const hints = [
      "Slow listings: check efs.percent-io-limit, efs.throughput-utilization and host iowait/swap.",
      "More CPU per instance: instanceType / asg_instance_type c6a.xlarge (FACTS sizing: p95 < 5 s for medium load on c6a.large).",
    ];
    if (peak > limits.failSeconds) return { status: "fail", messageId: "slow", data, observed, threshold: { name: "failSeconds", value: limits.failSeconds, unit: "s" }, hints };
    if (peak > limits.warnSeconds) return { status: "warn", messageId: "slow", data, observed, threshold: { name: "warnSeconds", value: limits.warnSeconds, unit: "s" }, hints };
    return { status: "pass", messageId: "ok", data, observed, threshold: { name: "warnSeconds", value: limits.warnSeconds, unit: "s" } };
  },
});

export const albIdleTimeout = defineCheck({
  id: "alb.idle-timeout",
  title: "ALB idle timeout vs back-end keep-alive",
  description:
    "The ALB reuses connections to targets; if the back end closes an idle connection before the ALB's idle timeout, a request sent on it gets a 502. gunicorn's keep-alive must be longer than the ALB idle timeout.",
  playbooks: ["bursts"],
  needs: [TARGETS.id],
  uses: [SERVICE.id],
  scope: "fleet",
  thresholds: {},
  messages: {
    short: "The back end keeps idle connections {{keepAlive}} s{{assumed}}, less than the ALB idle timeout of {{idle}} s: requests on connections the back end just closed get 502s.",
    ok: "The back end keeps idle connections {{keepAlive}} s, longer than the ALB idle timeout of {{idle}} s.",
    unknown: "ALB idle timeout is {{idle}} s; the back-end keep-alive could not be read (ecs.service not gathered).",
  },
  evaluate({ evidence }): Verdict {
    const tg = need(evidence, TARGETS);
    const svc = maybe(evidence, SERVICE);
    const idle = tg.idleTimeoutSeconds ?? ALB_DEFAULT_IDLE_TIMEOUT_SECONDS;
    if (!svc) return { status: "skip", messageId: "unknown", data: { idle } };
    const set = svc.taskDefinition.containers.map((c) => c.keepAliveSeconds).find((k) => k !== undefined);
    const keepAlive = set ?? GUNICORN_DEFAULT_KEEPALIVE_SECONDS;
    const data = { idle, keepAlive, assumed: set === undefined ? " (not set: gunicorn's default)" : "" };
    const observed = { value: keepAlive, unit: "s" };
    const threshold = { name: "albIdleTimeout", value: idle, unit: "s" };
    if (keepAlive <= idle)
      return {
        status: "warn",
        messageId: "short",
        data,
        observed,
        threshold,
        hints: [
          `Set gunicorn's keep-alive above the idle timeout: --keep-alive ${idle + 15} (or keepalive = ${idle + 15} in the gunicorn config).`,
          "pypictl's stack does this for you (albIdleTimeoutSeconds; keep-alive = idle timeout + 15 s). With the Terraform module, pass the setting in the container command.",
        ],
      };
    return { status: "pass", messageId: "ok", data, observed, threshold };
  },
});

/** Series checks that say "no traffic" instead of "wrong dimension" rely on the ALB being found at all. */
export function describeAlbSeries(m: MetricsEvidence, key: string): string {
  const s = seriesOf(m, key);
  return s ? describeSeries(s) : key;
}
