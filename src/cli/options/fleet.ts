/**
 * Fleet identity flags shared by doctor and creds: --stack, --cluster, … and their config-file keys.
 * Flags override the config file's `target` section.
 */
import { Command as CommandClass, type Command } from "commander";
import { FLEET_IDENTITY_KEYS, type FleetIdentity, type FleetTarget } from "../../sources/target/model.js";
import type { TargetConfig } from "../../config/config.js";

/** One flag per identity field (the Auto Scaling group is discovered or read from the config file). */
export interface FleetFlags extends Omit<FleetIdentity, "autoScalingGroup"> {
  terraformOutputs?: string;
}

export const DEFAULT_STACK = "pypiserver";

/** The target flags `creds` reads (it needs the secret and the URL, not the ECS/ALB/EFS identity). */
export const CREDS_TARGET_FLAGS = [
  "--stack",
  "--region",
  "--profile",
  "--url",
  "--secret-id",
  "--terraform-outputs",
] as const;

/** Add the fleet identity flags; `only` limits them to the ones a command uses, so its --help lists no other. */
export function addFleetOptions(cmd: Command, only?: readonly string[]): Command {
  const scratch = addAll(new CommandClass());
  for (const o of scratch.options) if (!only || only.includes(o.long ?? "")) cmd.addOption(o);
  return cmd;
}

function addAll(cmd: Command): Command {
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
    .option(
      "--terraform-outputs <file>",
      "JSON of `terraform output -json` from the Terraform module ('-' for stdin)",
    );
}

/** Flags over config; what is still unknown is discovered by the fleet sources. */
export function fleetTargetFrom(flags: Partial<FleetFlags>, config: TargetConfig): FleetTarget {
  const t: FleetTarget = { kind: "fleet" };
  for (const k of FLEET_IDENTITY_KEYS) {
    const v = (k === "autoScalingGroup" ? undefined : flags[k]) ?? config[k];
    if (v !== undefined) t[k] = v;
  }
  return t;
}

/**
 * The fleet as flags and the config file name it, with the defaults every command shares. doctor, creds and
 * synth/diff/deploy/destroy all start here, so they agree on the stack (DEFAULT_STACK unless named), the
 * region and the profile (flag, else the config file's `target`, else the SDK's chain: AWS_REGION,
 * AWS_DEFAULT_REGION, AWS_PROFILE, the profile's region). No I/O: resolve-fleet.ts reads the stack.
 */
export interface FleetRequest {
  /** Flags over config. */
  target: FleetTarget;
  /** The stack to read or deploy: the one named, else DEFAULT_STACK. */
  stack: string;
  /** Whether a flag or the config file named the stack (a default stack that does not exist is no error of theirs). */
  stackNamed: boolean;
}

export function fleetRequest(flags: Partial<FleetFlags>, config: TargetConfig = {}): FleetRequest {
  const target = fleetTargetFrom(flags, config);
  return { target, stack: target.stack ?? DEFAULT_STACK, stackNamed: target.stack !== undefined };
}
