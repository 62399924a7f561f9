/**
 * ecs.service-events: the service scheduler's event messages (DescribeServices events[], the latest 100)
 * matched against every trouble text ECS documents (service-event-messages docs).
 *
 * Time, as ECS logs it: a repeated message is omitted until its cause is resolved or six hours pass, so an
 * ongoing cause may have its only event before the window. The newest event of each kind is kept — from
 * the window or the six hours before it — unless a later "has reached a steady state" (or "deployment
 * completed") event closes it. A closed one that happened in the window is a warn with the recovery time.
 */
import { defineCheck, renderMessage } from "../model.js";
import { fleetHostCount, placementFill } from "../capacity-targets.js";
import type { Status } from "../model.js";
import { SERVICE, type EcsServiceEvent } from "../../sources/aws/types.js";
import { need } from "../series.js";

interface EventRule {
  re: RegExp;
  status: "fail" | "warn";
  what: string;
  hint: string;
}

/** Trouble texts from the ECS developer guide's "service event messages" page, with what each means. */
export const EVENT_RULES: readonly EventRule[] = [
  {
    // "(service s) was unable to place a task because no container instance met all of its requirements. …"
    re: /unable to place a task/i,
    status: "fail",
    what: "placement failure",
    hint: "The instances lack free memory/CPU for another task: a bigger instance type, {{bigger}} (stack `--instance-type`, Terraform `asg_instance_type`), more instances, {{more}} (stack `--max-instances`, Terraform: the auto-scaling group's maximum), or a smaller memory reservation (stack `--container-memory-reservation`, Terraform `container_memory_reservation`).",
  },
  {
    // "(service s) (task t) (port p) is unhealthy in (target-group g) due to (reason r)"
    re: /is unhealthy in \(?(?:target-group|elb)/i,
    status: "fail",
    what: "target unhealthy",
    hint: "Tasks fail the ALB health check: `pypictl doctor --only alb.target-health` shows the reason codes.",
  },
  {
    // "(service s) is unable to consistently start tasks successfully." — the scheduler's throttled restarts;
    // only for tasks that fail before RUNNING (service-throttle-logic docs).
    re: /unable to consistently start tasks/i,
    status: "fail",
    what: "tasks keep failing to start",
    hint: "Tasks stop soon after they start and ECS now throttles restarts: `pypictl doctor --only ecs.oom-kills,alb.target-health` shows why (memory, health check path, image).",
  },
  {
    // "(service s) was unable to stop or start tasks during a deployment because of the service deployment
    // configuration. Update the minimumHealthyPercent or maximumPercent value and try again."
    re: /unable to stop or start tasks during a deployment/i,
    status: "fail",
    what: "stuck deployment",
    hint: "The deployment cannot proceed within minimumHealthyPercent/maximumPercent: with one task per instance and no spare instance, allow maximumPercent 200 or minimumHealthyPercent below 100, or add a spare instance: {{spare}} (stack `--max-instances`, Terraform: the auto-scaling group's maximum).",
  },
  {
    // "(service s) (deployment d) deployment failed: tasks failed to start." and the circuit breaker's rollback.
    re: /circuit breaker|deployment failed|rolling back/i,
    status: "fail",
    what: "failed deployment",
    hint: "A deployment failed: check the tasks' stopped reason (`pypictl doctor --only ecs.oom-kills`) and the image tag.",
  },
  {
    re: /CannotPullContainer|failed to launch|unable to launch|ResourceInitializationError/i,
    status: "fail",
    what: "task launch failure",
    hint: "Tasks cannot start: check the image tag and the instances' network path to the registry.",
  },
  {
    // "service (s) failed to register targets in (target-group g) with (error …)" / "… deregister targets …"
    re: /failed to (?:de)?register targets/i,
    status: "fail",
    what: "target registration failure",
    hint: "ECS could not (de)register tasks with the target group: check the target group still exists and the ECS service-linked role.",
  },
  {
    re: /failed container health checks/i,
    status: "warn",
    what: "container health check failure",
    hint: "The container's own health check failed: the server is overloaded or not answering: `pypictl doctor --only ecs.cpu-utilization,host.iowait`.",
  },
  {
    // "(service s) operations are being throttled. Will try again later."
    re: /operations are being throttled/i,
    status: "warn",
    what: "ECS API throttling",
    hint: "ECS throttles the service's own API calls: usually transient; if it repeats, look for tools polling ECS hard in the account.",
  },
];

/** Events that mean the service converged: they close every trouble event logged before them. */
export const STEADY_STATE = /has reached a steady state|deployment completed/i;

/** How ECS spaces repeats of an unchanged message (service-event-messages docs). */
export const EVENT_REPEAT_HOURS = 6;

interface Hit {
  e: EcsServiceEvent;
  rule: EventRule;
  earlier: boolean;
  closedAt?: string;
}

/** The newest event of each trouble kind, with the steady-state event that closed it, if any. */
export function troubleByKind(
  inWindow: readonly EcsServiceEvent[],
  earlier: readonly EcsServiceEvent[],
  windowEnd: string,
): Hit[] {
  const end = Date.parse(windowEnd);
  const all = [
    ...earlier
      .filter((e) => end - Date.parse(e.at) <= EVENT_REPEAT_HOURS * 3_600_000)
      .map((e) => ({ e, earlier: true })),
    ...inWindow.map((e) => ({ e, earlier: false })),
  ].sort((a, b) => Date.parse(a.e.at) - Date.parse(b.e.at));
  const newest = new Map<string, Hit>();
  let steady: string | undefined;
  // Walk newest first, remembering the last steady-state event met: for each hit it is the first steady
  // state after it (the recovery time).
  for (const x of [...all].reverse()) {
    if (STEADY_STATE.test(x.e.message)) {
      steady = x.e.at;
      continue;
    }
    const rule = EVENT_RULES.find((r) => r.re.test(x.e.message));
    if (!rule || newest.has(rule.what)) continue;
    newest.set(rule.what, { e: x.e, rule, earlier: x.earlier, ...(steady ? { closedAt: steady } : {}) });
  }
  return [...newest.values()].sort((a, b) => Date.parse(a.e.at) - Date.parse(b.e.at));
}

export const ecsServiceEvents = defineCheck({
  id: "ecs.service-events",
  title: "Service events that mean trouble",
  description:
    "ECS service events matched against every trouble text ECS documents: unable to place a task, unhealthy in the target group, unable to consistently start tasks, unable to stop or start tasks during a deployment (stuck deployment), failed deployments, task launch failures, target (de)registration failures (fail); failed container health checks, throttled operations (warn). ECS omits a repeated message until its cause is resolved or six hours pass, so the newest event of each kind from up to six hours before the window still counts unless a later steady-state event closed it; one closed inside the window is a warn with the time it recovered. Why a container exited is on the stopped task (ecs.oom-kills, ecs.running-tasks), not in service events.",
  playbooks: ["bursts", "oom", "upload"],
  needs: [SERVICE.id],
  scope: "fleet",
  thresholds: {},
  hints: Object.fromEntries(EVENT_RULES.map((r) => [r.what, r.hint])),
  messages: {
    trouble: "{{open}} ongoing trouble in the service events ({{kinds}}); latest: {{latest}}{{recovered}}",
    recovered:
      "Service events show trouble that has since recovered: {{recoveredList}}. Nothing ongoing since the last steady state.",
    ok: "No troubling service events among {{total}} in the window.",
  },
  evaluate({ evidence, window }) {
    const svc = need(evidence, SERVICE);
    const hits = troubleByKind(svc.events, svc.earlierEvents ?? [], window.end);
    // A kind closed before the window opened is history; one closed inside it is news (a warn).
    const relevant = hits.filter((h) => !h.closedAt || Date.parse(h.closedAt) >= Date.parse(window.start));
    const open = relevant.filter((h) => !h.closedAt);
    const closed = relevant.filter((h) => h.closedAt);
    const total = svc.events.length;
    if (relevant.length === 0)
      return { status: "pass", messageId: "ok", data: { total }, observed: { value: 0, unit: "events" } };
    const describeOpen = (h: Hit) =>
      `${h.e.at} ${h.e.message}${h.earlier ? ` (logged before the window; ECS repeats an unchanged event only every ${EVENT_REPEAT_HOURS} h and no steady-state event followed)` : ""}`;
    const recoveredList = closed
      .map((h) => `${h.rule.what} at ${h.e.at}, steady state again at ${h.closedAt}`)
      .join("; ");
    const resources = relevant.map((h) => ({
      id: h.e.at,
      status: (h.closedAt ? "warn" : h.rule.status) as Status,
      message: h.closedAt ? `${h.e.message} — recovered: steady state at ${h.closedAt}` : describeOpen(h),
    }));
    // The placement hint names the capacity model's targets for this service's tasks on the fleet's hosts.
    const hosts = fleetHostCount(evidence);
    const fill = {
      ...placementFill(evidence, svc.taskDefinition, svc.desiredCount),
      // A rolling replacement needs room for one more task than runs: one host more than the fleet has.
      spare:
        hosts !== undefined
          ? `${hosts + 1} instances where ${hosts} run now (\`--max-instances ${hosts + 1}\`)`
          : "one more than the fleet runs (its instances were not read)",
    };
    const hints = [...new Set(relevant.map((h) => renderMessage(h.rule.hint, fill)))];
    const data = {
      open: open.length,
      count: open.length,
      kinds: open.map((h) => h.rule.what).join(", "),
      latest: open.length ? describeOpen(open.at(-1)!) : "",
      recovered: closed.length ? `. Recovered: ${recoveredList}` : "",
      recoveredList,
      recoveredAt: closed.map((h) => h.closedAt),
      total,
    };
    if (open.length === 0)
      return {
        status: "warn",
        messageId: "recovered",
        data,
        observed: { value: closed.length, unit: "events" },
        resources,
      };
    const status = open.some((h) => h.rule.status === "fail") ? "fail" : "warn";
    return {
      status,
      messageId: "trouble",
      data,
      observed: { value: open.length, unit: "events" },
      hints,
      resources,
    };
  },
});
