/**
 * `pypictl synth | diff | deploy | destroy | bootstrap`: the bundled CDK stack, driven in-process by
 * @aws-cdk/toolkit-lib. Registration imports only light modules (the prop table for the flags);
 * aws-cdk-lib, toolkit-lib and the stack are imported inside the actions, so other commands never pay
 * for them. Toolkit progress goes to stderr, results (template, diff, outputs) to stdout.
 */
import { Command, Option } from "commander";
import { mkdir } from "node:fs/promises";
import { createInterface } from "node:readline";
import nodeModule from "node:module";
import { dirname, resolve } from "node:path";
import { type Io, out, err } from "../io.js";
import { EXIT } from "../exit-codes.js";
import { UsageError, errorMessage } from "../../errors.js";
import { parseConfig, type PypictlConfig } from "../../config/config.js";
import { MAX_CONFIG_BYTES, inputDeadline, readInput } from "../../input/read-input.js";
import { writeAtomic } from "../write-file.js";
import { DEFAULT_STACK, fleetRequest } from "../options/fleet.js";
import {
  PROP_FIELDS,
  PROP_KEYS,
  flagFor,
  needsEnvironment,
  resolveProps,
  type PypiServerStackProps,
} from "../../infra/props.js";
import { SIZES, SIZE_PRESETS } from "../../infra/sizing.js";
import { parseDeployConfig, parseDeployFlags, type DeployFlagValues } from "../../infra/options.js";
import { DeclinedError, InfraError } from "../../infra/errors.js";
import type { IoSink, RequireApproval, StackRunOptions } from "../../infra/toolkit.js";
import { STACK_OUTPUT_KEYS } from "../../sources/target/outputs.js";
import { layerProps, parseResets, type LayeredProps } from "../../infra/layers.js";
import { formatPlan, planProps, type Plan } from "../../infra/plan.js";
import { deployedNatGateways, holdDeployedNat } from "../../infra/nat-hold.js";
import {
  STATEFUL_KINDS,
  statefulChanges,
  type StatefulKind,
  type TemplateJson,
} from "../../infra/stateful.js";
import type { DeployedStack } from "../../infra/deployed.js";
import type { AdoptedFileSystem } from "../../infra/adopted-fs.js";
import { importWithCdk } from "../options/cdk-optional.js";
import { formatOfExtension, outputFile } from "../options/output-flag.js";

/** Where `deploy` saves the stack outputs (cdk's --outputs-file format: { "<stack>": { "<OutputKey>": value } }). */
export const DEFAULT_OUTPUTS_FILE = ".pypictl/outputs.json";

interface InfraFlags extends DeployFlagValues {
  stack?: string;
  reset?: string[];
  region?: string;
  profile?: string;
  config?: string;
  nag: boolean;
  verbose?: boolean;
}

interface SynthFlags extends InfraFlags {
  output?: string;
  /** The old name of --output, hidden. */
  out?: string;
  validate?: boolean;
  offline?: boolean;
}

interface DiffFlags extends InfraFlags {
  failOnDiff?: boolean;
}

interface DeployFlags extends InfraFlags {
  yes?: boolean;
  allowReplace?: StatefulKind[];
  requireApproval?: RequireApproval;
  outputsFile?: string;
}

const list = (v: string, prev: string[] = []) => [...prev, v];

function addCommonOptions(cmd: Command, withProps: boolean, withStack = true): Command {
  if (withStack) cmd.option("--stack <name>", `CloudFormation stack name (default: ${DEFAULT_STACK})`);
  cmd
    .option("--region <region>", "AWS region (default: the SDK's: AWS_REGION, profile)")
    .option("--profile <name>", "AWS profile (default: the SDK's credential chain)")
    .option(
      "-c, --config <file>",
      "JSON config file: its `deploy` section sets stack props, `target` the stack/region/profile",
    )
    .option("-v, --verbose", "show the toolkit's debug messages");
  if (!withProps) return cmd;
  cmd.option("--no-nag", "skip the cdk-nag AwsSolutions checks during synthesis");
  cmd.option(
    "--reset <prop>",
    "return a deployed prop to its default (a flag's name, e.g. container-memory; repeatable; `all` for every prop)",
    list,
  );
  for (const key of PROP_KEYS) {
    const spec = PROP_FIELDS[key];
    const flag = flagFor(key);
    if (spec.kind === "bool") cmd.option(flag, spec.help);
    else if (spec.kind === "enum")
      cmd.addOption(new Option(`${flag} <value>`, spec.help).choices([...spec.choices]));
    else if (spec.kind === "cidrs")
      cmd.option(`${flag} <cidrs>`, `${spec.help} (comma-separated, repeatable)`, list);
    else cmd.option(`${flag} <value>`, spec.help);
  }
  return cmd;
}

export function registerInfraCommands(program: Command, io: Io, setExit: (code: number) => void): void {
  const sizes = SIZES.map(
    (s) =>
      `  ${s.padEnd(11)} ${SIZE_PRESETS[s].instanceType}, ${SIZE_PRESETS[s].containerMemory} MiB: ${SIZE_PRESETS[s].profile}`,
  ).join("\n");
  const run = (fn: () => Promise<number>) => async () => setExit(await fn());

  const synth = addCommonOptions(
    program
      .command("synth")
      .description(
        "Print (or write) the CloudFormation template of the pypiserver stack. Offline: no AWS account needed.",
      ),
    true,
  )
    .option("-o, --output <file>", "write the template to this file instead of stdout (- for stdout)")
    // The flag's name before issue 22 (doctor and creds say --output): kept working, out of the help.
    .addOption(new Option("--out <file>").hideHelp())
    .option(
      "--offline",
      "with --stack: do not read the deployed stack's props (flags, config and defaults only; no AWS call)",
    )
    .option("--validate", "also run aws-cdk-lib's CloudFormation schema validation (slower)")
    .addHelpText("after", `\nSize presets (--size):\n${sizes}\n`);
  synth.action(async (flags: SynthFlags) => run(() => synthAction(flags, io))());

  const diff = addCommonOptions(
    program.command("diff").description("Show what `pypictl deploy` would change in the deployed stack."),
    true,
  ).option("--fail-on-diff", "exit 1 when there are differences (for CI; like `cdk diff --fail`)");
  diff.action(async (flags: DiffFlags) => run(() => diffAction(flags, io))());

  const deploy = addCommonOptions(
    program
      .command("deploy")
      .description(
        "Deploy (or update) the pypiserver stack with the bundled CDK app; saves the outputs for doctor/creds.",
      ),
    true,
  )
    .option("-y, --yes", "approve without asking (security-sensitive changes included)")
    .addOption(
      new Option(
        "--allow-replace <what>",
        "allow this deploy to create, replace or orphan stateful resources (repeatable)",
      )
        .choices([...STATEFUL_KINDS])
        .argParser((v: string, prev: string[] = []) => {
          if (!(STATEFUL_KINDS as readonly string[]).includes(v))
            throw new UsageError(
              `--allow-replace: "${v}" is not one of ${STATEFUL_KINDS.join(", ")}`,
              "--allow-replace",
            );
          return [...prev, v];
        }),
    )
    .addOption(
      new Option("--require-approval <level>", "when to ask before deploying (default: broadening)").choices([
        "never",
        "any-change",
        "broadening",
      ]),
    )
    .option("--outputs-file <file>", `where to save the stack outputs (default: ${DEFAULT_OUTPUTS_FILE})`)
    .addHelpText("after", `\nSize presets (--size):\n${sizes}\n`);
  deploy.action(async (flags: DeployFlags) => run(() => deployAction(flags, io))());

  const destroy = addCommonOptions(
    program
      .command("destroy")
      .description(
        "Delete the pypiserver stack. The EFS file system (your packages), the backup vault and the credentials secret are kept; destroy prints how to redeploy onto them.",
      ),
    false,
  ).option("-y, --yes", "do not ask for confirmation");
  destroy.action(async (flags: DeployFlags) => run(() => destroyAction(flags, io))());

  const bootstrap = addCommonOptions(
    program
      .command("bootstrap")
      .description(
        "Prepare the AWS account/region for CDK deployments (the CDKToolkit stack). Once per account and region.",
      ),
    false,
    false, // no --stack: bootstrap prepares the account/region, not a stack
  );
  bootstrap.action(async (flags: InfraFlags) => run(() => bootstrapAction(flags, io))());
}

// ---------------------------------------------------------------------------------------------- helpers

async function loadConfig(file: string | undefined): Promise<PypictlConfig | undefined> {
  if (!file) return undefined;
  // At most MAX_CONFIG_BYTES; a FIFO or device no longer than INPUT_WAIT_MS (these commands have no --timeout).
  const bytes = await readInput(file, {
    flag: "--config",
    what: "a config file",
    maxBytes: MAX_CONFIG_BYTES,
    limitName: "MAX_CONFIG_BYTES",
    ...inputDeadline(),
  });
  return parseConfig(bytes.toString("utf8"), file);
}

/** The stack, region and profile, read the way doctor and creds read them (fleetRequest). */
export function infraTarget(
  flags: Pick<InfraFlags, "stack" | "region" | "profile">,
  config: PypictlConfig | undefined,
): { stackName: string; region?: string; profile?: string } {
  const { stack: stackName, target } = fleetRequest(
    { stack: flags.stack, region: flags.region, profile: flags.profile },
    config?.target,
  );
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName))
    throw new UsageError(
      `--stack: "${stackName}" is not a valid CloudFormation stack name (letters, digits, hyphens; starts with a letter)`,
      "--stack",
    );
  return {
    stackName,
    ...(target.region ? { region: target.region } : {}),
    ...(target.profile ? { profile: target.profile } : {}),
  };
}

interface Prepared {
  run: StackRunOptions;
  props: PypiServerStackProps;
  /** What is deployed (when read: diff, deploy, synth --stack). */
  deployed?: DeployedStack;
  /** The props in words (diff, deploy, synth --stack). */
  plan?: Plan;
  /** The adopted file system as read from AWS (diff, deploy). */
  fileSystem?: AdoptedFileSystem;
}

/**
 * Flags + config (+ the deployed stack's props, for diff/deploy/synth --stack) → validated props and run
 * options. Flags and config are validated before anything loads or calls AWS (a typo costs milliseconds).
 * `preview` lets synth/destroy proceed without a TLS decision (plain HTTP, with a warning).
 */
async function prepare(
  flags: InfraFlags,
  io: Io,
  o: { online: boolean; preview: boolean; withProps: boolean; readDeployed?: boolean; template?: boolean },
): Promise<Prepared> {
  const config = await loadConfig(flags.config);
  const fromConfig = o.withProps && config?.deploy ? parseDeployConfig(config.deploy, flags.config!) : {};
  const fromFlags = o.withProps ? parseDeployFlags(pickPropFlags(flags)) : {};
  const reset = parseResets(flags.reset);
  const { stackName, region, profile } = infraTarget(flags, config);
  let deployed: DeployedStack | undefined;
  if (o.withProps && o.readDeployed) {
    deployed = await readDeployed({ stackName, region, profile }, o.template === true);
    if (!deployed.exists && deployed.failedCreate) {
      const { failedCreateNotice } = await import("../../infra/failed-create.js");
      err(io, failedCreateNotice(stackName, deployed.failedCreate.status, deployed.failedCreate.leftovers));
    }
    if (deployed.exists) {
      err(
        io,
        `Starting from the props stack ${stackName} was deployed with (${deployed.origin === "recorded" ? "recorded by pypictl" : "read back from its template: deployed before pypictl recorded props"}); flags and config override them.\n`,
      );
      if (deployed.ignored.length > 0)
        err(
          io,
          `warning: recorded props this pypictl does not know, ignored: ${deployed.ignored.join(", ")}\n`,
        );
    }
  }
  let layered = layerProps({
    deployed: deployed?.exists ? deployed.props : undefined,
    config: fromConfig,
    flags: fromFlags,
    reset,
  });
  // A deployed stack keeps its NAT gateways when only a default would move them (nat-hold.ts).
  if (deployed?.exists && deployed.template)
    layered = holdDeployedNat(layered, deployedNatGateways(deployed.template), reset).layered;
  let props = layered.props;
  if (
    o.preview &&
    props.certificateArn === undefined &&
    props.hostedZoneId === undefined &&
    props.allowHttp === undefined
  ) {
    props = { ...props, allowHttp: true };
    if (o.withProps)
      err(
        io,
        "note: no --certificate-arn or --domain-name/--hosted-zone-id given: this template serves plain HTTP; `pypictl deploy` will insist on a choice.\n",
      );
  }
  const resolved = resolveWithOrigin(props, layered);
  if (o.withProps) for (const w of resolved.warnings) err(io, `warning: ${w}\n`);
  let plan: Plan | undefined;
  let fileSystem: AdoptedFileSystem | undefined;
  if (deployed) {
    const before = deployed.exists ? tryResolve(deployed.props) : undefined;
    // diff and deploy read the adopted file system's own throughput (synth --stack does not).
    fileSystem =
      o.online && resolved.fileSystemId
        ? await readFileSystem(resolved.fileSystemId, { region, profile })
        : undefined;
    plan = planProps(before, resolved, layered, {
      update: deployed.exists,
      facts: fileSystem ? { fileSystem } : {},
    });
  }
  return {
    props,
    ...(deployed ? { deployed } : {}),
    ...(plan ? { plan } : {}),
    ...(fileSystem ? { fileSystem } : {}),
    run: {
      stackName,
      props,
      region,
      profile,
      nag: flags.nag !== false,
      online: o.online,
      ...(io.env.PYPICTL_CDK_CONTEXT ? { context: parseContextEnv(io.env.PYPICTL_CDK_CONTEXT) } : {}),
    },
  };
}

function tryResolve(props: PypiServerStackProps) {
  try {
    return resolveProps(props);
  } catch {
    return undefined;
  }
}

/** resolveProps, with the deployed origin of the offending prop in the message (and how to reset it). */
function resolveWithOrigin(props: PypiServerStackProps, layered: LayeredProps) {
  try {
    return resolveProps(props);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    const fromDeployed = PROP_KEYS.filter((k) => layered.sources[k] === "deployed");
    if (fromDeployed.length === 0) throw e;
    throw new UsageError(
      `${e.message}\n(starting from the deployed props: ${fromDeployed.map((k) => `${k}=${JSON.stringify(props[k])}`).join(", ")}; \`--reset PROP\` returns one to its default)`,
      e.subject,
    );
  }
}

/** The deployed stack, read with the command's region/profile (loads only the CloudFormation client). */
async function readDeployed(
  o: { stackName: string; region?: string; profile?: string },
  template: boolean,
): Promise<DeployedStack> {
  const { readDeployedStack } = await import("../../infra/deployed.js");
  const { AwsClientPool } = await import("../../sources/aws/pool.js");
  const cfn = await new AwsClientPool().for({ region: o.region, profile: o.profile }).cloudformation();
  return readDeployedStack(cfn, o.stackName, { template });
}

/** The adopted file system's own settings (EFS DescribeFileSystems); a failure is reported in the plan. */
async function readFileSystem(id: string, o: { region?: string; profile?: string }) {
  const { readAdoptedFileSystem } = await import("../../infra/adopted-fs.js");
  const { AwsClientPool } = await import("../../sources/aws/pool.js");
  const efs = await new AwsClientPool().for({ region: o.region, profile: o.profile }).efs();
  return readAdoptedFileSystem(efs, id);
}

/** Test/offline hook: extra CDK context (e.g. seeded lookups) as JSON in PYPICTL_CDK_CONTEXT. */
function parseContextEnv(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v === "object" && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new UsageError("PYPICTL_CDK_CONTEXT: must be a JSON object", "PYPICTL_CDK_CONTEXT");
}

function pickPropFlags(flags: InfraFlags): DeployFlagValues {
  const values: DeployFlagValues = {};
  for (const key of PROP_KEYS) if (flags[key] !== undefined) values[key] = flags[key];
  return values;
}

function sinkFor(io: Io, resultsToStdout = false): IoSink {
  return {
    progress: (t) => err(io, t),
    result: (t) => (resultsToStdout ? out(io, t) : err(io, t)),
    confirm: async (question) => {
      const stdin = io.stdin;
      if (!stdin || !stdin.isTTY || !io.stderr.isTTY) return undefined;
      err(io, `${question}\n`);
      const rl = createInterface({ input: stdin, output: io.stderr as NodeJS.WritableStream });
      try {
        const answer = await new Promise<string>((res) => rl.question("Proceed? [y/N] ", res));
        return /^y(es)?$/i.test(answer.trim());
      } finally {
        rl.close();
      }
    },
  };
}

/** Node 22+: cache compiled modules (aws-cdk-lib is thousands of files); a no-op on Node 20. */
function enableCompileCache(): void {
  (nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();
}

async function loadToolkit() {
  // The SDK prints a Node 20 deprecation notice straight to stderr, bypassing the IoHost (FACTS.md §7).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  enableCompileCache();
  return importWithCdk(() => import("../../infra/toolkit.js"));
}

/** The stateful changes between the deployed template and the new one that the flags do not allow. */
function guardedChanges(
  deployed: DeployedStack | undefined,
  template: Record<string, unknown>,
  allowed: readonly StatefulKind[],
) {
  if (!deployed?.exists || !deployed.template) return [];
  return statefulChanges(deployed.template, template as TemplateJson).filter(
    (c) => !allowed.includes(c.kind),
  );
}

/**
 * A failed deploy's report, completed: the ECS service-linked role race (run it again), and for a failed
 * first create what its rollback could not delete (the access-log bucket ELB wrote into), with the command
 * that removes it (failed-create.ts). Best effort: the toolkit's own message is kept whatever happens here.
 */
async function explainFailure<T>(
  o: { stackName: string; region?: string; profile?: string },
  plan: Plan,
  /** Why resources failed, from the stack events the toolkit reported. */
  resourceFailures: readonly string[],
  deploy: () => Promise<T>,
): Promise<T> {
  try {
    return await deploy();
  } catch (e) {
    if (!(e instanceof InfraError)) throw e;
    const extra: string[] = [];
    const slr = await import("../../infra/service-linked-role.js");
    if (slr.isServiceLinkedRoleRace([e.message, ...resourceFailures].join("\n")))
      extra.push(slr.SERVICE_LINKED_ROLE_RACE_HINT);
    if (!plan.update) {
      try {
        const fc = await import("../../infra/failed-create.js");
        const { AwsClientPool } = await import("../../sources/aws/pool.js");
        const { DescribeStacksCommand } = await import("@aws-sdk/client-cloudformation");
        const cfn = await new AwsClientPool()
          .for({ region: o.region, profile: o.profile }, { maxAttempts: 2 })
          .cloudformation();
        const status = (await cfn.send(new DescribeStacksCommand({ StackName: o.stackName }))).Stacks?.[0]
          ?.StackStatus;
        const left =
          status && fc.FAILED_DELETE_STATES.has(status)
            ? await fc.deleteFailedResources(cfn, o.stackName)
            : undefined;
        if (left && left.length > 0)
          extra.push(
            `Left behind by the failed create (${status}); the next \`pypictl deploy\` deletes the failed stack and keeps these:\n${left.map((l) => `  - ${fc.leftoverLine(l)}`).join("\n")}`,
          );
      } catch {
        // the stack could not be read: the toolkit's message stands alone
      }
    }
    if (extra.length === 0) throw e;
    throw new InfraError(`${e.message}\n${extra.join("\n")}`);
  }
}

/**
 * First deploy: check (and if need be create) the account's ECS service-linked role, so a brand-new account's
 * first create does not fail on the IAM race (src/infra/service-linked-role.ts). Never stops the deploy.
 */
async function checkServiceLinkedRole(io: Io, o: { region?: string; profile?: string }): Promise<void> {
  const slr = await import("../../infra/service-linked-role.js");
  let iam;
  try {
    const { IAMClient } = await import("@aws-sdk/client-iam");
    const { clientConfig } = await import("../../sources/aws/clients.js");
    iam = new IAMClient(clientConfig({ region: o.region, profile: o.profile }));
  } catch (e) {
    err(
      io,
      `warning: could not check the ECS service-linked role ${slr.ECS_SERVICE_LINKED_ROLE} (${errorMessage(e).split("\n")[0]}); in an account that never ran ECS, create it first: ${slr.CREATE_COMMAND}\n`,
    );
    return;
  }
  try {
    const r = await slr.ensureEcsServiceLinkedRole(iam);
    if (r.status === "created")
      err(
        io,
        `Created the ECS service-linked role ${slr.ECS_SERVICE_LINKED_ROLE} (this account had none; ECS needs it to create the cluster) and waited ${slr.PROPAGATION_WAIT_MS / 1000} s for IAM to propagate it.\n`,
      );
    else if (r.status === "unknown") err(io, `warning: ${r.warning}\n`);
  } finally {
    iam.destroy();
  }
}

// ---------------------------------------------------------------------------------------------- actions

/** `-o/--output FILE` (or the old `--out`); `-` is stdout. The template is JSON: a .yaml name is refused. */
function synthOutput(flags: SynthFlags): string | undefined {
  if (flags.output !== undefined && flags.out !== undefined)
    throw new UsageError("--output and --out are the same flag: give one", "--output");
  const file = outputFile(flags.output ?? flags.out);
  const byExt = file === undefined ? undefined : formatOfExtension(file);
  if (file !== undefined && ((byExt !== undefined && byExt !== "json") || /\.ya?ml$/i.test(file)))
    throw new UsageError(
      `--output ${file}: synth writes the template as JSON: name the file .json`,
      "--output",
    );
  return file;
}

export async function synthAction(flags: SynthFlags, io: Io): Promise<number> {
  synthOutput(flags);
  // `synth --stack NAME` shows what a deploy of that stack would make: it starts from the deployed props.
  const readDeployed = flags.stack !== undefined && flags.offline !== true;
  const { run, plan } = await prepare(flags, io, {
    online: false,
    preview: true,
    withProps: true,
    readDeployed,
    // The deployed template tells the NAT gateways a recorded stack keeps (nat-hold.ts), as for deploy.
    template: readDeployed,
  });
  if (plan) err(io, formatPlan(run.stackName, plan));
  let template: Record<string, unknown>;
  if (!needsEnvironment(run.props)) {
    // Nothing to look up: synthesize directly, without loading toolkit-lib and the AWS SDK.
    enableCompileCache();
    const { synthLocal } = await importWithCdk(() => import("../../infra/synth.js"));
    // The region a deploy would use (--region, config, AWS_REGION): ALB access logs bind the stack to it.
    const local = await synthLocal({
      ...run,
      region: run.region ?? io.env.AWS_REGION,
      validate: flags.validate === true,
    });
    for (const w of local.warnings) err(io, `warning: ${w}\n`);
    template = local.template;
  } else {
    const tk = await loadToolkit();
    const host = new tk.PypictlIoHost({ sink: sinkFor(io), verbose: flags.verbose });
    template = await tk.synthTemplate(host, { ...run, validate: flags.validate === true });
  }
  const text = `${JSON.stringify(template, null, 2)}\n`;
  const file = synthOutput(flags);
  if (file) {
    const path = resolve(io.cwd, file);
    await mkdir(dirname(path), { recursive: true });
    await writeAtomic(path, text, { flag: "--output" });
    err(
      io,
      `Template of stack ${run.stackName} written to ${file} (${Object.keys((template.Resources as object) ?? {}).length} resources).\n`,
    );
  } else {
    out(io, text);
  }
  return EXIT.ok;
}

export async function diffAction(flags: DiffFlags, io: Io): Promise<number> {
  const { run, plan, deployed } = await prepare(flags, io, {
    online: true,
    preview: false,
    withProps: true,
    readDeployed: true,
    template: true,
  });
  err(io, formatPlan(run.stackName, plan!));
  const tk = await loadToolkit();
  const host = new tk.PypictlIoHost({
    sink: sinkFor(io, true),
    verbose: flags.verbose,
    resultsToStdout: true,
    diff: true,
  });
  const changed = await tk.diffStack(host, {
    ...run,
    beforeDiff: async (template) => {
      for (const c of guardedChanges(deployed, template, []))
        err(io, `warning: \`pypictl deploy\` would stop here: ${c.message}\n`);
    },
  });
  err(
    io,
    changed
      ? `Stack ${run.stackName}: differences found (pypictl deploy applies them).\n`
      : `Stack ${run.stackName}: no differences.\n`,
  );
  return changed && flags.failOnDiff ? EXIT.failed : EXIT.ok;
}

export async function deployAction(flags: DeployFlags, io: Io): Promise<number> {
  const { run, plan, deployed, fileSystem } = await prepare(flags, io, {
    online: true,
    preview: false,
    withProps: true,
    readDeployed: true,
    template: true,
  });
  err(io, formatPlan(run.stackName, plan!));
  // Its mount targets could not be created: stop before anything is deployed (the plan said why).
  if (fileSystem && !fileSystem.read && fileSystem.notFound)
    throw new UsageError(
      `stack ${run.stackName} not deployed, nothing changed: the adopted EFS file system ${fileSystem.id} does not exist in this account and region (${fileSystem.problem}). Check --file-system-id (or \`--reset file-system-id\` for a new file system, which needs --allow-replace file-system on a deployed stack).`,
      "--file-system-id",
    );
  const outputsFile = resolve(io.cwd, flags.outputsFile ?? DEFAULT_OUTPUTS_FILE);
  const tk = await loadToolkit();
  const host = new tk.PypictlIoHost({
    sink: sinkFor(io),
    verbose: flags.verbose,
    yes: flags.yes,
    requireApproval: flags.requireApproval,
  });
  err(io, `Deploying stack ${run.stackName}${run.region ? ` to ${run.region}` : ""}…\n`);
  const sink = sinkFor(io);
  const result = await explainFailure(run, plan!, host.resourceFailures, () =>
    tk.deployStack(host, {
      ...run,
      tags: { "pypictl:stack": run.stackName },
      beforeDeploy: async (template) => {
        const blocked = guardedChanges(deployed, template, flags.allowReplace ?? []);
        if (blocked.length > 0)
          throw new UsageError(
            `stack ${run.stackName} not deployed, nothing changed:\n${blocked.map((c) => `  - ${c.message}`).join("\n")}`,
            blocked[0]!.flag,
          );
        if (flags.yes) return;
        const answer = await sink.confirm?.(
          `Deploy stack ${run.stackName}${plan!.update ? ` (${plan!.changes.length} prop change${plan!.changes.length === 1 ? "" : "s"})` : ""}?`,
        );
        // Off a terminal nobody can answer: a usage error naming --yes (exit 2), as destroy does.
        if (answer === undefined)
          throw new UsageError(
            "No terminal to confirm on: re-run with --yes to deploy (review it first with `pypictl diff`): nothing was changed.",
            "--yes",
          );
        if (!answer) throw new DeclinedError("Deploy cancelled: nothing was changed.");
      },
      // A first deploy: the account may never have run ECS (checked after the question: it may create an
      // account-wide role). An update's cluster exists, so its role does.
      ...(plan!.update ? {} : { beforeExecute: () => checkServiceLinkedRole(io, run) }),
    }),
  );
  // doctor and creds read these; a stack without them (e.g. --stack naming another stack) is no success.
  const missing = Object.values(STACK_OUTPUT_KEYS).filter(
    (k) => typeof result.outputs[k] !== "string" || result.outputs[k] === "",
  );
  if (missing.length > 0)
    throw new InfraError(
      `stack ${run.stackName} deployed, but it lacks the outputs doctor and creds read: ${missing.join(", ")}. Is --stack naming a stack pypictl created? Nothing was saved to ${flags.outputsFile ?? DEFAULT_OUTPUTS_FILE}.`,
    );
  await mkdir(dirname(outputsFile), { recursive: true });
  await writeAtomic(outputsFile, `${JSON.stringify({ [run.stackName]: result.outputs }, null, 2)}\n`, {
    flag: "--outputs-file",
  });
  const width = Math.max(...Object.keys(result.outputs).map((k) => k.length), 0);
  out(
    io,
    Object.entries(result.outputs)
      .map(([k, v]) => `${k.padEnd(width)}  ${v}\n`)
      .join(""),
  );
  err(io, `Outputs saved to ${flags.outputsFile ?? DEFAULT_OUTPUTS_FILE}.\n`);
  err(
    io,
    `Next: pypictl creds --stack ${run.stackName} --region ${result.region}   ·   pypictl doctor --stack ${run.stackName} --region ${result.region}\n`,
  );
  return EXIT.ok;
}

export async function destroyAction(flags: DeployFlags, io: Io): Promise<number> {
  // Off a terminal nobody can answer "Proceed?": refuse up front (exit 2, naming the flag), not "aborted" (1).
  if (!flags.yes && !(io.stdin?.isTTY === true && io.stderr.isTTY === true))
    throw new UsageError(
      "destroy: not on a terminal, so it cannot ask for confirmation: pass --yes to delete the stack",
      "--yes",
    );
  const { run } = await prepare(flags, io, { online: true, preview: true, withProps: false });
  const tk = await loadToolkit();
  err(
    io,
    `Destroying stack ${run.stackName}. Kept (RETAIN): the EFS file system with your packages, the AWS Backup vault with its recovery points, the credentials secret, and the ALB access-log bucket if access logs were on (its lifecycle rule keeps expiring the logs). ` +
      "Deleted: everything else; the hosts are terminated with their auto-scaling group (no managed termination protection, so nothing waits on protected instances; ECS drains their tasks first).\n",
  );
  const { readKeptResources, redeployFlags, leftovers } = await import("../../infra/kept.js");
  const { AwsClientPool } = await import("../../sources/aws/pool.js");
  const kept = await readKeptResources(run, new AwsClientPool());
  const host = new tk.PypictlIoHost({ sink: sinkFor(io), verbose: flags.verbose, yes: flags.yes });
  const result = await tk.destroyStack(host, run);
  if (!result.existed) err(io, `Stack ${run.stackName} did not exist: nothing to delete.\n`);
  else {
    const flagsText = redeployFlags(kept);
    err(
      io,
      `Stack ${run.stackName} deleted. The packages file system, backup vault and secret remain (delete them in the EFS, AWS Backup and Secrets Manager consoles if you no longer need them).\n` +
        `Left behind:\n${leftovers(kept)
          .map((l) => `  - ${l}\n`)
          .join("")}` +
        (flagsText
          ? `Redeploy onto them (same packages, same password): pypictl deploy ${flagsText} [your other deploy flags]\n`
          : "Redeploy onto them: pypictl deploy --file-system-id fs-… --backup-vault-name pypictl-… --secret-arn arn:… (their ids are in the EFS, AWS Backup and Secrets Manager consoles); without these flags a deploy starts with a new, empty file system.\n"),
    );
  }
  return EXIT.ok;
}

export async function bootstrapAction(flags: InfraFlags, io: Io): Promise<number> {
  const { run } = await prepare(flags, io, { online: true, preview: true, withProps: false });
  const tk = await loadToolkit();
  const host = new tk.PypictlIoHost({ sink: sinkFor(io), verbose: flags.verbose });
  const envs = await tk.bootstrapEnvironment(host, { ...run, nag: false });
  for (const e of envs)
    out(io, `${e.environment}  ${e.status === "no-op" ? "already bootstrapped" : "bootstrapped"}\n`);
  return EXIT.ok;
}
