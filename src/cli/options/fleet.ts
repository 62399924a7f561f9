/**
 * Fleet identity flags shared by doctor and creds: --stack, --cluster, … and their config-file keys.
 * Flags override the config file's `target` section.
 */
import type { Command } from "commander";
import { FLEET_IDENTITY_KEYS, type FleetIdentity, type FleetTarget } from "../../sources/target/model.js";
import type { TargetConfig } from "../../config/config.js";

/** One flag per identity field (the Auto Scaling group is discovered or read from the config file). */
export interface FleetFlags extends Omit<FleetIdentity, "autoScalingGroup"> {
  terraformOutputs?: string;
}

export const DEFAULT_STACK = "pypiserver";

export function addFleetOptions(cmd: Command): Command {
  return cmd
    .option("--stack <name>", `CloudFormation stack deployed by pypictl deploy (default: ${DEFAULT_STACK})`)
    .option("--region <region>", "AWS region (default: the SDK's: AWS_REGION, profile)")
    .option("--profile <name>", "AWS profile (default: the SDK's credential chain)")
    .option("--cluster <name>", "ECS cluster name")
    .option("--service <name>", "ECS service name")
    .option("--file-system-id <id>", "EFS file system id (fs-…)")
    .option("--load-balancer <arn>", "ALB ARN")
    .option("--target-group <arn>", "target group ARN")
    .option("--url <url>", "index base URL, e.g. https://pypi.example.com")
    .option("--secret-id <id>", "Secrets Manager secret id or ARN with {username, password}")
    .option("--terraform-outputs <file>", "JSON of `terraform output -json` from the Terraform module ('-' for stdin)");
}

/** Flags over config; what is still unknown is discovered by the fleet sources. */
export function fleetTargetFrom(flags: FleetFlags, config: TargetConfig): FleetTarget {
  const t: FleetTarget = { kind: "fleet" };
  for (const k of FLEET_IDENTITY_KEYS) {
    const v = (k === "autoScalingGroup" ? undefined : flags[k]) ?? config[k];
    if (v !== undefined) t[k] = v;
  }
  return t;
}
