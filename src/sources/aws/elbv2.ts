/**
 * ELBv2 evidence: target health (state, reason code, description) of the service's target group, and the
 * attributes that explain intermittent 502s (ALB idle timeout) and slow deployments (deregistration delay).
 */
import {
  DescribeLoadBalancerAttributesCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type TargetHealthDescription,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import { ok, type SourceResult } from "../model.js";
import type { GatherContext, SourceDef } from "../context.js";
import { AWS_SOURCE_IDS, SERVICE, type TargetHealthEntry, type TargetsEvidence } from "./types.js";
import { clientsOf, fleetOf, SourceFailure } from "./shared.js";
import type { Target } from "../target/model.js";
import { compareText } from "../compare-text.js";

/** The target group: given (stack outputs, --target-group) or discovered from DescribeServices. */
export function targetGroupOf(ctx: GatherContext): string {
  const t = fleetOf(ctx);
  if (t.targetGroup) return t.targetGroup;
  const svc = ctx.dep(SERVICE);
  if (!svc.ok && svc.kind === "no-identity")
    throw new SourceFailure(
      "no-identity",
      "no target group identified: pass --target-group, --cluster/--service or --stack",
    );
  if (!svc.ok)
    throw new SourceFailure(
      "not-found",
      `no target group: --target-group not given and ${SERVICE.id} failed (${svc.message})`,
    );
  const tg = svc.value.targetGroupArns[0];
  if (!tg)
    throw new SourceFailure(
      "not-found",
      `ECS service ${svc.value.service} is not behind a load balancer (no target group)`,
    );
  return tg;
}

function entry(d: TargetHealthDescription): TargetHealthEntry {
  const e: TargetHealthEntry = { id: d.Target?.Id ?? "?", state: d.TargetHealth?.State ?? "unknown" };
  if (d.Target?.Port !== undefined) e.port = d.Target.Port;
  if (d.Target?.AvailabilityZone) e.availabilityZone = d.Target.AvailabilityZone;
  if (d.TargetHealth?.Reason) e.reason = d.TargetHealth.Reason;
  if (d.TargetHealth?.Description) e.description = d.TargetHealth.Description;
  return e;
}

function numberAttr(
  attrs: Array<{ Key?: string; Value?: string }> | undefined,
  key: string,
): number | undefined {
  const v = attrs?.find((a) => a.Key === key)?.Value;
  const n = Number(v);
  return v !== undefined && Number.isFinite(n) ? n : undefined;
}

export async function gatherTargets(ctx: GatherContext): Promise<SourceResult<TargetsEvidence>> {
  const t = fleetOf(ctx);
  const targetGroupArn = targetGroupOf(ctx);
  const elb = await clientsOf(ctx).elbv2();
  const opts = { abortSignal: ctx.signal };
  let loadBalancerArn = t.loadBalancer;
  if (!loadBalancerArn) {
    const r = await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [targetGroupArn] }), opts);
    loadBalancerArn = r.TargetGroups?.[0]?.LoadBalancerArns?.[0];
  }
  const [health, tgAttrs, lbAttrs] = await Promise.all([
    elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }), opts),
    elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: targetGroupArn }), opts),
    loadBalancerArn
      ? elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: loadBalancerArn }), opts)
      : undefined,
  ]);
  const out: TargetsEvidence = {
    targetGroupArn,
    targets: (health.TargetHealthDescriptions ?? [])
      .map(entry)
      .sort((a, b) => compareText(a.id, b.id) || (a.port ?? 0) - (b.port ?? 0)),
  };
  if (loadBalancerArn) out.loadBalancerArn = loadBalancerArn;
  const idle = numberAttr(lbAttrs?.Attributes, "idle_timeout.timeout_seconds");
  if (idle !== undefined) out.idleTimeoutSeconds = idle;
  const dereg = numberAttr(tgAttrs.Attributes, "deregistration_delay.timeout_seconds");
  if (dereg !== undefined) out.deregistrationDelaySeconds = dereg;
  return ok(out);
}

export const targetsSource: SourceDef<TargetsEvidence> = {
  id: AWS_SOURCE_IDS.targets,
  title: "ALB target health and attributes",
  deps: (target: Target) => (target.kind === "fleet" && target.targetGroup ? [] : [AWS_SOURCE_IDS.service]),
  gather: gatherTargets,
};
