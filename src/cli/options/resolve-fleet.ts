/**
 * Complete a fleet target before gathering. Sources, lowest precedence first: the CloudFormation outputs
 * of the stack (`--stack`, default `pypiserver` when nothing else identifies the fleet), `--terraform-outputs
 * FILE|-`, then explicit flags and the config file's `target` section. What none of them gives (the
 * Terraform module has no target group or file system output) is discovered by the sources.
 * Missing credentials or region → CredentialsError (exit 2) saying how to provide them.
 */
import type { FleetTarget } from "../../sources/target/model.js";
import { fleetRequest, type FleetFlags } from "./fleet.js";
import type { Io } from "../io.js";
import { CredentialsError, IncompleteError, UsageError } from "../../errors.js";
import { parseTerraformOutputs, type TerraformFleet } from "../../sources/target/terraform.js";
import { StackNotFoundError } from "../../sources/target/stack.js";
import type { AwsClientPool } from "../../sources/aws/pool.js";
import type { AwsClients } from "../../sources/aws/clients.js";
import { assertProfileExists, noRegionError, profileIndex } from "./aws-preflight.js";
import {
  MAX_TERRAFORM_OUTPUTS_BYTES,
  inputDeadline,
  readInput,
  readStdinInput,
  type InputSpec,
} from "../../input/read-input.js";

const IDENTITY_KEYS = [
  "cluster",
  "service",
  "fileSystemId",
  "loadBalancer",
  "targetGroup",
  "url",
  "secretId",
] as const;

export const CREDENTIALS_HELP =
  "Provide AWS credentials: set AWS_PROFILE or pass --profile (for SSO profiles run `aws sso login --profile NAME` first), " +
  "or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials), or run on an instance/container with a role.";
export const REGION_HELP =
  "Set the AWS region: pass --region or set AWS_REGION or AWS_DEFAULT_REGION (or a region in the profile).";

/** Turn an SDK credential/region failure into a CredentialsError; anything else is returned unchanged. */
export function credentialsProblem(
  e: unknown,
  ctx: { profile?: string; env?: NodeJS.ProcessEnv } = {},
): Error | undefined {
  const err = e as { name?: string; message?: string };
  const msg = err.message ?? String(e);
  if (
    err.name === "CredentialsProviderError" ||
    err.name === "NoCredentials" ||
    /could not load credentials|credentials? (is|are) missing|token (has )?expired|sso session/i.test(msg)
  )
    return new CredentialsError(
      `AWS credentials are missing or expired (${msg.split("\n")[0]}). ${CREDENTIALS_HELP}`,
      "credentials",
    );
  if (/region is missing/i.test(msg)) return noRegionError(ctx.profile, ctx.env);
  return undefined;
}

export interface ResolveDeps {
  /** The run's AWS clients (the command's pool); a pool of its own when not given. */
  aws?: AwsClientPool;
  /** The clients for a target, when the command checks more first (creds: the region); default: the pool's. */
  clients?: (t: FleetTarget) => AwsClients;
  /** Called with the credentials found in Terraform outputs (pypi_username / pypi_password). */
  onCredentials?: (c: { username: string; password: string }) => void;
  /**
   * Whether flags, config and Terraform outputs identify what the command needs, so the default stack is
   * not read (a named stack always is). doctor: any identity field; creds: the secret or the credentials.
   */
  identified?: (known: FleetTarget, tf: TerraformFleet | undefined) => boolean;
  /** The error for a default stack that does not exist: names the flags that would do instead. */
  noDefaultStack?: (stack: string, region: string | undefined) => UsageError;
  /** When no stack is read, check credentials and region now (doctor: exit 2 before gathering). Default true. */
  checkCredentials?: boolean;
  /** The run's deadline (`--timeout`): reading the stack's outputs is part of the run. */
  deadlineAt?: number;
}

/** doctor's rule: any identity field, or Terraform outputs, identifies the fleet. */
export function anyIdentity(known: FleetTarget, tf: TerraformFleet | undefined): boolean {
  return IDENTITY_KEYS.some((k) => known[k] !== undefined) || Object.keys(tf?.target ?? {}).length > 0;
}

const noDefaultFleet = (stack: string, region: string | undefined) =>
  new UsageError(
    `no fleet identified: the default stack ${stack} does not exist${region ? ` in ${region}` : ""}. Pass --stack NAME, --terraform-outputs FILE, or --cluster and --service.`,
    "--stack",
  );

/**
 * The run's pool, bounded by the run's deadline when given: the pool keeps these apart from the sources'
 * unbounded clients, which outlive it (each --watch round has its own deadline).
 */
async function poolClients(deps: ResolveDeps): Promise<(t: FleetTarget) => AwsClients> {
  const aws = deps.aws ?? new (await import("../../sources/aws/pool.js")).AwsClientPool();
  const limits = deps.deadlineAt !== undefined ? { deadlineAt: deps.deadlineAt } : {};
  return (t) => aws.for({ region: t.region, profile: t.profile }, limits);
}

/**
 * `--terraform-outputs FILE|-`: at most MAX_TERRAFORM_OUTPUTS_BYTES, and a FIFO, a device or standard input
 * no longer than the run's --timeout (INPUT_WAIT_MS without one).
 */
async function readTerraform(file: string, io: Io, deadlineAt?: number): Promise<TerraformFleet> {
  const spec: InputSpec = {
    flag: "--terraform-outputs",
    what: "a Terraform outputs file",
    maxBytes: MAX_TERRAFORM_OUTPUTS_BYTES,
    limitName: "MAX_TERRAFORM_OUTPUTS_BYTES",
    ...(deadlineAt !== undefined ? { deadlineAt, deadlineName: "--timeout" } : inputDeadline()),
  };
  const bytes = file === "-" ? await readStdinInput(io.stdin, spec) : await readInput(file, spec);
  return parseTerraformOutputs(bytes.toString("utf8"), file === "-" ? "--terraform-outputs (stdin)" : file);
}

/**
 * The one fleet-target resolver (doctor, creds): the target flags and config named (fleetRequest), completed
 * from Terraform outputs and the stack's outputs, lowest precedence first: stack, Terraform, flags/config.
 */
export async function resolveFleet(
  target: FleetTarget,
  flags: Pick<FleetFlags, "terraformOutputs">,
  io: Io,
  deps: ResolveDeps = {},
): Promise<FleetTarget> {
  const clientsOf = deps.clients ?? (await poolClients(deps));
  const tfFleet = flags.terraformOutputs
    ? await readTerraform(flags.terraformOutputs, io, deps.deadlineAt)
    : undefined;
  // The module outputs the credentials too: hand them to the caller (the auth probes), never to the target.
  if (tfFleet?.credentials) deps.onCredentials?.(tfFleet.credentials);
  const tf: Partial<FleetTarget> = tfFleet?.target ?? {};
  const request = fleetRequest({}, target);
  const identified = (deps.identified ?? anyIdentity)({ ...tf, ...target } as FleetTarget, tfFleet);
  const region = target.region ?? tf.region;
  const base: FleetTarget = {
    kind: "fleet",
    ...(region ? { region } : {}),
    ...(target.profile ? { profile: target.profile } : {}),
  };
  let fromStack: Partial<FleetTarget> = {};
  const stackName = request.stackNamed || !identified ? request.stack : undefined;
  if (stackName || deps.checkCredentials !== false) {
    assertProfileExists(target.profile, io.env, await profileIndex(io.env));
    const clients = clientsOf(base);
    try {
      if (stackName) {
        const { readStackOutputs } = await import("../../sources/target/stack.js");
        try {
          fromStack = await readStackOutputs(clients, stackName, region);
        } catch (e) {
          if (e instanceof StackNotFoundError && !request.stackNamed)
            throw (deps.noDefaultStack ?? noDefaultFleet)(stackName, region);
          throw e;
        }
      } else {
        // No AWS call here: check credentials and region now, so a missing login is exit 2, not a report of errors.
        const cfn = await clients.cloudformation();
        await cfn.config.region();
        await cfn.config.credentials();
      }
    } catch (e) {
      const cred = credentialsProblem(e, {
        ...(target.profile ? { profile: target.profile } : {}),
        env: io.env,
      });
      if (cred || e instanceof UsageError) throw cred ?? e;
      // Anything else stops the command before it can gather: say what and why, never a stack trace.
      const { classifyError } = await import("../../sources/classify.js");
      const f = classifyError(e, "cloudformation:DescribeStacks");
      const what = stackName ? `cannot read the outputs of stack ${stackName}` : "cannot reach AWS";
      if (!f.ok && f.kind === "access-denied")
        throw new UsageError(
          `${what}: ${f.message}. Grant ${f.action ?? "cloudformation:DescribeStacks"} or identify the fleet with --cluster and --service.`,
          "--stack",
        );
      throw new IncompleteError(
        `${what}: ${f.ok ? String(e) : `${f.kind}: ${f.message}`}. Check the network, --region and AWS_ENDPOINT_URL*, then run again.`,
      );
    }
  }
  const merged: FleetTarget = { ...base, ...fromStack, ...tf } as FleetTarget;
  for (const [k, v] of Object.entries(target))
    if (v !== undefined) (merged as unknown as Record<string, unknown>)[k] = v;
  merged.kind = "fleet";
  // A target without a cluster is not an error here: identity is per source. The sources that need a
  // cluster skip their checks naming the flag, and doctor exits 2 only when nothing selected can run.
  return merged;
}
