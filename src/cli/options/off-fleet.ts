/**
 * `doctor --local` on a machine that is not one of the fleet's hosts (a laptop, a CI runner): the checks of
 * the package volume (host.efs-mount, host.package-count) do not apply there, and reporting them as a
 * failed mount would be a false alarm. They are reported `skip` with the reason instead.
 *
 * "Not a fleet host" needs all three: the mount path is the default (nobody pointed doctor at a volume),
 * that path does not exist, and there is no ECS agent config. A fleet host always has both: the stack's
 * user data runs `mkdir -p /data/packages` before mounting, and the ECS-optimized AMI has
 * /etc/ecs/ecs.config — so a fleet host whose mount failed still fails host.efs-mount.
 */
import { existsSync } from "node:fs";
import type { Check, Finding } from "../../checks/model.js";
import type { Evidence, SourceResult } from "../../sources/model.js";

export const VOLUME_CHECK_IDS = ["host.efs-mount", "host.package-count"] as const;
export const ECS_AGENT_CONFIG = "/etc/ecs/ecs.config";

export interface OffFleetInput {
  mountPath: string;
  defaultMountPath: string;
  /** --mount-path, --package-dir or their config keys were given. */
  volumeGiven: boolean;
  exists?: (path: string) => boolean;
}

/** The reason the volume checks do not apply here, or undefined when they do. */
export function offFleetReason(i: OffFleetInput): string | undefined {
  const exists = i.exists ?? existsSync;
  if (i.volumeGiven || i.mountPath !== i.defaultMountPath) return undefined;
  if (exists(i.mountPath) || exists(ECS_AGENT_CONFIG)) return undefined;
  return `not applicable off-fleet: this host has no ${i.mountPath} and no ECS agent (${ECS_AGENT_CONFIG}), so it is not a pypiserver host of the fleet. On a fleet host run it there (or pypictl doctor --stack NAME); to check a package volume here, pass --mount-path / --package-dir`;
}

export function notApplicableFinding(check: Check, reason: string): Finding {
  return {
    checkId: check.id,
    title: check.title,
    playbooks: check.playbooks,
    status: "skip",
    messageId: "not-applicable-off-fleet",
    data: { reason },
    message: reason,
    hints: [],
  };
}

/**
 * The decision is kept in the evidence bundle (`--save-evidence`) as its own entry, so a replay of a run
 * on a laptop reports what the run reported instead of a mount failure.
 */
export const HOST_ROLE_SOURCE = "host.role";

export interface HostRole {
  fleetHost: false;
  reason: string;
}

export function hostRoleEvidence(reason: string, at: Date): SourceResult<HostRole> {
  return { ok: true, value: { fleetHost: false, reason }, at: at.toISOString() };
}

export function offFleetFromEvidence(evidence: Evidence): string | undefined {
  const r = evidence[HOST_ROLE_SOURCE];
  if (!r?.ok) return undefined;
  const v = r.value as Partial<HostRole> | undefined;
  return v && v.fleetHost === false && typeof v.reason === "string" && v.reason ? v.reason : undefined;
}
