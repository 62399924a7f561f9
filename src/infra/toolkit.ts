/**
 * Drive the stack with @aws-cdk/toolkit-lib in-process: no global `cdk`, no subprocess. Every toolkit
 * message goes through {@link PypictlIoHost}, which hands text to callbacks the CLI provides (so nothing
 * here prints) and applies the approval policy to the toolkit's confirmation requests. Errors are
 * translated into the project's: missing credentials and a missing bootstrap become UsageErrors (exit 2)
 * that say what to do. Imported only by the infra commands.
 */
import {
  BaseCredentials,
  BootstrapEnvironments,
  ExpandStackSelection,
  StackSelectionStrategy,
  Toolkit,
  ToolkitError,
  type DeployResult,
  type ICloudAssemblySource,
  type IIoHost,
  type IoMessage,
  type IoMessageLevel,
  type IoRequest,
} from "@aws-cdk/toolkit-lib";
import type { Agent as HttpsAgent } from "node:https";
import { App } from "aws-cdk-lib";
import { CredentialsError, UsageError } from "../errors.js";
import { buildApp } from "./app.js";
import { CREDENTIALS_HELP, DeclinedError, InfraError } from "./errors.js";
import { needsEnvironment, regionOnlyEnv, type PypiServerStackProps } from "./props.js";

export { DeclinedError, InfraError };

export const REQUIRE_APPROVAL = ["never", "any-change", "broadening"] as const;
export type RequireApproval = (typeof REQUIRE_APPROVAL)[number];

/** Where the IoHost sends text. The CLI wires these to stderr/stdout through its Io. */
export interface IoSink {
  /** Progress, warnings and errors (stderr). */
  progress(text: string): void;
  /** Results the command asked for (stdout), e.g. the diff. */
  result(text: string): void;
  /** Ask a yes/no question; undefined when nobody can answer (no terminal). */
  confirm?(question: string): Promise<boolean | undefined>;
}

export interface IoHostOptions {
  readonly sink: IoSink;
  /** Show debug messages. @default false */
  readonly verbose?: boolean;
  /** `--yes`: answer every confirmation with yes. */
  readonly yes?: boolean;
  /** When a deploy needs approval. @default "broadening" */
  readonly requireApproval?: RequireApproval;
  /** Send `result` messages to `sink.result` (diff) or treat them as progress. @default false */
  readonly resultsToStdout?: boolean;
  /**
   * `pypictl diff`: the diff (with its IAM table) is the result; drop the toolkit's second copy of the
   * security table and its "Please confirm…" preamble (a diff asks nothing), and say it in one line instead.
   */
  readonly diff?: boolean;
}

/** The toolkit names its own CLI; pypictl users run `pypictl bootstrap` (which takes --region, not aws://…). */
export function pypictlWording(text: string): string {
  return (
    text
      .replace(
        /cdk bootstrap (?:'|")?aws:\/\/[^/\s]+\/([a-z0-9-]+)(?:'|")?/g,
        "pypictl bootstrap --region $1",
      )
      .replace(/\bcdk bootstrap\b/g, "pypictl bootstrap")
      // AssumeRoleFailed (sdk-provider.js): pypictl users have no CDK CLI to update, and no --trust to pass.
      .replace(
        /\(re\)-bootstrap the environment with the right '--trust', using the latest version of the CDK CLI\./g,
        "(re)-bootstrap the environment: pypictl bootstrap.",
      )
  );
}

const SECURITY_PREAMBLE = /^This deployment will make potentially sensitive changes/;

const LEVELS: Record<IoMessageLevel, number> = { error: 0, result: 1, warn: 2, info: 3, debug: 4, trace: 5 };

/** Messages every run gets that say nothing to a pypictl user. */
const QUIET_CODES = new Set([
  "CDK_TOOLKIT_I1901",
  "CDK_TOOLKIT_I1902",
  "CDK_TOOLKIT_I0100",
  "CDK_TOOLKIT_W0101",
]);

/** The IoHost: every toolkit message and request arrives here. Recorded messages help tests. */
export class PypictlIoHost implements IIoHost {
  readonly messages: Array<{ level: IoMessageLevel; code?: string; message: string }> = [];
  /** Requests answered, with the answer (tests and the approval path). */
  readonly requests: Array<{ code: string; answer: unknown }> = [];
  /** Why resources failed (stack events in a FAILED state): a failed deploy's report reads them. */
  readonly resourceFailures: string[] = [];

  constructor(private readonly o: IoHostOptions) {}

  private skipSecurityTable = false;

  async notify(raw: IoMessage<unknown>): Promise<void> {
    const msg = { ...raw, message: pypictlWording(raw.message) };
    this.messages.push({ level: msg.level, code: msg.code, message: msg.message });
    if (this.o.diff) {
      if (msg.level === "warn" && SECURITY_PREAMBLE.test(stripAnsi(msg.message))) {
        this.skipSecurityTable = true;
        this.o.sink.progress(
          "note: these changes broaden permissions (see the IAM and security-group tables in the diff); `pypictl deploy` asks before applying them.\n",
        );
        return;
      }
      if (this.skipSecurityTable && msg.level === "info") {
        this.skipSecurityTable = false;
        return;
      }
    }
    if (msg.code === "CDK_TOOLKIT_I5502") {
      const ev = (msg.data as { event?: { ResourceStatus?: string; ResourceStatusReason?: string } })?.event;
      if (ev?.ResourceStatusReason && /FAILED/.test(ev.ResourceStatus ?? ""))
        this.resourceFailures.push(ev.ResourceStatusReason);
      const line = stackActivityLine(msg.data);
      if (line) this.o.sink.progress(`${line}\n`);
      return;
    }
    if (msg.level === "result" && this.o.resultsToStdout) {
      this.o.sink.result(`${msg.message}\n`);
      return;
    }
    if (msg.code && QUIET_CODES.has(msg.code) && !this.o.verbose) return;
    const max = this.o.verbose ? LEVELS.debug : LEVELS.info;
    if (LEVELS[msg.level] > max) return;
    const prefix = msg.level === "error" ? "error: " : msg.level === "warn" ? "warning: " : "";
    const text = stripAnsi(msg.message).trimEnd();
    if (text) this.o.sink.progress(`${prefix}${text}\n`);
  }

  async requestResponse<T>(msg: IoRequest<unknown, T>): Promise<T> {
    const answer = await this.answer(msg);
    this.requests.push({ code: msg.code, answer });
    return answer;
  }

  private async answer<T>(msg: IoRequest<unknown, T>): Promise<T> {
    if (typeof msg.defaultResponse !== "boolean") {
      await this.notify(msg);
      return msg.defaultResponse;
    }
    let needsApproval = true;
    if (msg.code === "CDK_TOOLKIT_I5060") {
      const change =
        (msg.data as { permissionChangeType?: string } | undefined)?.permissionChangeType ?? "broadening";
      const policy = this.o.requireApproval ?? "broadening";
      needsApproval = policy === "any-change" || (policy === "broadening" && change === "broadening");
    } else if (msg.code !== "CDK_TOOLKIT_I7010") {
      // Other confirmations (e.g. roll back a failed stack first): the toolkit's default is safe.
      await this.notify(msg);
      return msg.defaultResponse;
    }
    if (!needsApproval || this.o.yes) return true as T;
    const question = stripAnsi(msg.message).trimEnd();
    const answer = await this.o.sink.confirm?.(question);
    if (answer === undefined) {
      this.o.sink.progress(`${question}\n`);
      const alternative = msg.code === "CDK_TOOLKIT_I5060" ? " (or --require-approval never)" : "";
      this.o.sink.progress(`No terminal to confirm on: re-run with --yes to approve${alternative}.\n`);
      return false as T;
    }
    return answer as T;
  }
}

function stackActivityLine(data: unknown): string | undefined {
  const ev = (
    data as {
      event?: {
        ResourceStatus?: string;
        LogicalResourceId?: string;
        ResourceType?: string;
        ResourceStatusReason?: string;
      };
    }
  )?.event;
  if (!ev?.ResourceStatus) return undefined;
  const reason =
    ev.ResourceStatusReason && /FAILED|ROLLBACK/.test(ev.ResourceStatus)
      ? `  ${ev.ResourceStatusReason}`
      : "";
  return `  ${ev.ResourceStatus.padEnd(22)} ${(ev.ResourceType ?? "").padEnd(40)} ${ev.LogicalResourceId ?? ""}${reason}`;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
export function stripAnsi(s: string): string {
  return s.replace(ANSI, "");
}

export interface StackRunOptions {
  readonly stackName: string;
  readonly props: PypiServerStackProps;
  readonly profile?: string;
  readonly region?: string;
  /** Run cdk-nag during synthesis. @default true */
  readonly nag?: boolean;
  /** aws-cdk-lib's built-in template validation (slow). @default false */
  readonly validate?: boolean;
  /** Resolve the account/region from credentials (deploy, diff, destroy, bootstrap, or a vpcId lookup). */
  readonly online: boolean;
  /** Extra context (tests seed lookups here). */
  readonly context?: Record<string, unknown>;
}

/**
 * The agent the toolkit's AWS calls go through when the user set a proxy (HTTPS_PROXY, NO_PROXY) or a CA
 * bundle (AWS_CA_BUNDLE, the profile's ca_bundle): the same connections doctor's calls make. toolkit-lib
 * reads neither itself; its SdkConfig takes `httpOptions.agent` "to set up a proxy connection". Undefined:
 * nothing set, the SDK's own agent.
 */
export async function toolkitAgent(
  profile: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<HttpsAgent | undefined> {
  const [{ awsCaBundle }, { connectionAgents, proxySettings }, { caSecureContext }] = await Promise.all([
    import("../sources/net/aws-ca.js"),
    import("../sources/net/proxy.js"),
    import("../sources/net/ca-bundle.js"),
  ]);
  const ca = await awsCaBundle(profile, env);
  if (!ca && !proxySettings(env)) return undefined;
  const trust = ca ? () => caSecureContext(ca) : undefined;
  return connectionAgents(env, { keepAlive: true, maxSockets: 50 }, undefined, trust).httpsAgent;
}

export async function createToolkit(
  ioHost: IIoHost,
  o: { profile?: string; region?: string },
): Promise<Toolkit> {
  const agent = await toolkitAgent(o.profile);
  return new Toolkit({
    ioHost,
    color: false,
    emojis: false,
    sdkConfig: {
      baseCredentials: BaseCredentials.awsCliCompatible({ profile: o.profile, defaultRegion: o.region }),
      ...(agent ? { httpOptions: { agent } } : {}),
    },
  });
}

export async function assemblySource(toolkit: Toolkit, o: StackRunOptions): Promise<ICloudAssemblySource> {
  return toolkit.fromAssemblyBuilder(
    async (builder) => {
      const account = builder.env.CDK_DEFAULT_ACCOUNT;
      const region = o.region ?? builder.env.CDK_DEFAULT_REGION;
      if (needsEnvironment(o.props) && (!account || !region)) {
        const what =
          o.props.vpcId !== undefined
            ? "--vpc-id (a VPC lookup)"
            : "--max-azs above 2 (the region's zone list)";
        throw new CredentialsError(
          `${what} needs the AWS account and region, and none could be resolved.\n${CREDENTIALS_HELP}`,
          o.props.vpcId !== undefined ? "--vpc-id" : "--max-azs",
        );
      }
      const { app } = buildApp({
        stackName: o.stackName,
        props: o.props,
        outdir: builder.outdir,
        context: { ...builder.context, ...o.context },
        nag: o.nag,
        builtinValidation: o.validate,
        ...(needsEnvironment(o.props) ? { env: { account, region } } : regionOnlyEnv(o.props, region)),
      });
      return app.synth();
    },
    {
      disposeOutdir: true,
      resolveDefaultEnvironment: o.online || needsEnvironment(o.props),
      lookups: o.online || needsEnvironment(o.props),
      synthOptions: { validation: o.validate ?? false, versionReporting: false },
    },
  );
}

const SELECT_ALL = { strategy: StackSelectionStrategy.ALL_STACKS, expand: ExpandStackSelection.NONE };

/** Synthesize and return the stack's CloudFormation template (no AWS unless a vpcId needs a lookup). */
export async function synthTemplate(ioHost: IIoHost, o: StackRunOptions): Promise<Record<string, unknown>> {
  return withErrors(async () => {
    const tk = await createToolkit(ioHost, o);
    const cx = await assemblySource(tk, o);
    const asm = await tk.synth(cx, { stacks: SELECT_ALL });
    try {
      const stack =
        asm.cloudAssembly.stacks.find((s) => s.stackName === o.stackName) ?? asm.cloudAssembly.stacks[0];
      if (!stack) throw new Error("the assembly has no stack");
      return stack.template as Record<string, unknown>;
    } finally {
      await asm.dispose();
    }
  }, o);
}

/**
 * Called with the synthesized template before a deploy or diff touches the stack: the CLI prints the plan,
 * runs the stateful-replacement guard and asks; throwing stops the command with nothing changed.
 */
export type TemplateHook = (template: Record<string, unknown>) => Promise<void>;

/** Synthesize once (a cached assembly the next action reuses), and hand the template to the hook. */
async function synthFor(tk: Toolkit, o: StackRunOptions, hook: TemplateHook | undefined) {
  const cached = await tk.synth(await assemblySource(tk, o), { stacks: SELECT_ALL });
  const stack =
    cached.cloudAssembly.stacks.find((s) => s.stackName === o.stackName) ?? cached.cloudAssembly.stacks[0];
  if (!stack) throw new Error("the assembly has no stack");
  try {
    await hook?.(stack.template as Record<string, unknown>);
  } catch (e) {
    await cached.dispose();
    throw e;
  }
  return cached;
}

export async function deployStack(
  ioHost: IIoHost,
  o: StackRunOptions & {
    tags?: Record<string, string>;
    beforeDeploy?: TemplateHook;
    /** After beforeDeploy approved, right before the toolkit deploys (account preflights). */
    beforeExecute?: () => Promise<void>;
  },
): Promise<{ outputs: Record<string, string>; account: string; region: string; stackArn: string }> {
  return withErrors(async () => {
    const tk = await createToolkit(ioHost, o);
    const cx = await synthFor(tk, o, o.beforeDeploy);
    let result: DeployResult;
    try {
      await o.beforeExecute?.();
      result = await tk.deploy(cx, {
        stacks: SELECT_ALL,
        tags: Object.entries(o.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
      });
    } finally {
      await cx.dispose();
    }
    const stack = result.stacks.find((s) => s.stackName === o.stackName) ?? result.stacks[0];
    if (!stack) throw new Error("deploy returned no stack");
    // An environment-agnostic stack reports "unknown-region"; the stack ARN has the real one.
    const [, , , arnRegion, arnAccount] = stack.stackArn.split(":");
    return {
      outputs: { ...stack.outputs },
      account: arnAccount || stack.environment.account,
      region: arnRegion || stack.environment.region,
      stackArn: stack.stackArn,
    };
  }, o);
}

/** Returns whether the deployed stack differs from the synthesized one. */
export async function diffStack(
  ioHost: IIoHost,
  o: StackRunOptions & { beforeDiff?: TemplateHook },
): Promise<boolean> {
  return withErrors(async () => {
    const tk = await createToolkit(ioHost, o);
    const cx = await synthFor(tk, o, o.beforeDiff);
    try {
      const diffs = await tk.diff(cx, { stacks: SELECT_ALL });
      return Object.values(diffs).some((d) => !d.isEmpty);
    } finally {
      await cx.dispose();
    }
  }, o);
}

export async function destroyStack(ioHost: IIoHost, o: StackRunOptions): Promise<{ existed: boolean }> {
  return withErrors(async () => {
    const tk = await createToolkit(ioHost, o);
    const cx = await assemblySource(tk, o);
    const result = await tk.destroy(cx, { stacks: SELECT_ALL });
    // A declined confirmation is not an error to the toolkit (it returns no stacks); it is to pypictl.
    if (
      ioHost instanceof PypictlIoHost &&
      ioHost.requests.some((r) => r.code === "CDK_TOOLKIT_I7010" && r.answer === false)
    ) {
      throw new DeclinedError("Destroy cancelled: nothing was deleted.");
    }
    return { existed: result.stacks.some((s) => s.stackExisted) };
  }, o);
}

export async function bootstrapEnvironment(
  ioHost: IIoHost,
  o: StackRunOptions,
): Promise<Array<{ environment: string; status: string }>> {
  return withErrors(async () => {
    const tk = await createToolkit(ioHost, o);
    // Resolve the account and region the way a deploy would (credentials, --region), so the environment is
    // named (an environment-agnostic stack would otherwise read aws://unknown-account/unknown-region).
    let account: string | undefined;
    let region: string | undefined;
    const probe = await tk.fromAssemblyBuilder(
      async (b) => {
        account = b.env.CDK_DEFAULT_ACCOUNT;
        region = o.region ?? b.env.CDK_DEFAULT_REGION;
        return new App({ outdir: b.outdir, autoSynth: false }).synth(); // no beforeExit re-synth (see buildApp)
      },
      { disposeOutdir: true, resolveDefaultEnvironment: true, lookups: false },
    );
    const asm = await probe.produce();
    await asm.dispose?.();
    if (!account || !region)
      throw new CredentialsError(
        `no usable AWS credentials: the account and region to bootstrap could not be resolved.\n${CREDENTIALS_HELP}`,
        "--profile",
      );
    const result = await tk.bootstrap(BootstrapEnvironments.fromList([`aws://${account}/${region}`]), {});
    return result.environments.map((e) => ({ environment: e.environment.name, status: e.status }));
  }, o);
}

export { CREDENTIALS_HELP };

/** The error and its causes, outermost first (the toolkit wraps a stack's failure in a ToolkitError). */
function causeChain(e: unknown): unknown[] {
  const chain: unknown[] = [];
  for (
    let cur: unknown = e;
    cur !== undefined && cur !== null && chain.length < 8;
    cur = (cur as { cause?: unknown }).cause
  )
    chain.push(cur);
  return chain;
}

/** Turn toolkit errors into pypictl's: what happened, and what to run next. */
export function translateError(e: unknown, o: { region?: string; profile?: string } = {}): Error {
  const chain = causeChain(e);
  const usage = chain.find((c): c is UsageError => c instanceof UsageError);
  if (usage) return usage;
  const auth = chain.find(
    (c) =>
      ToolkitError.isAuthenticationError(c) ||
      (c as { name?: string })?.name === "NoCredentials" ||
      (c as { name?: string })?.name === "CredentialsProviderError",
  );
  if (auth) {
    const profile = o.profile ? ` (profile ${o.profile})` : "";
    return new CredentialsError(
      `no usable AWS credentials${profile}: ${firstLine(auth)}\n${CREDENTIALS_HELP}`,
      "--profile",
    );
  }
  const boot = chain.find((c) => ToolkitError.isBootstrapError(c));
  if (boot && ToolkitError.isBootstrapError(boot)) {
    const env = boot.environment ? ` aws://${boot.environment.account}/${boot.environment.region}` : "";
    const region = o.region ?? boot.environment?.region;
    return new UsageError(
      `the AWS environment${env} is not bootstrapped for CDK deployments (${firstLine(boot).replace(/\s*(Has the environment been bootstrapped|Please run).*$/, "")}).\nRun: pypictl bootstrap${region ? ` --region ${region}` : ""}${o.profile ? ` --profile ${o.profile}` : ""}`,
      "bootstrap",
    );
  }
  if (chain.some((c) => ToolkitError.isAbortError(c)))
    return new DeclinedError(`${firstLine(e)}: nothing was changed.`);
  if (
    chain.some((c) => ToolkitError.isContextProviderError(c) || ToolkitError.isContextLookupsDisabledError(c))
  ) {
    return new UsageError(
      `lookup failed: ${firstLine(e)} (--vpc-id and --max-azs above 2 need AWS credentials; a --vpc-id must exist in the region)`,
      "--vpc-id",
    );
  }
  const sdk = chain.find((c) => typeof c === "object" && c !== null && "$metadata" in c) as
    (Error & { name: string }) | undefined;
  if (sdk && /ExpiredToken|InvalidClientTokenId|UnrecognizedClient|SignatureDoesNotMatch/.test(sdk.name)) {
    return new CredentialsError(
      `AWS rejected the credentials (${sdk.name}: ${firstLine(sdk)})\n${CREDENTIALS_HELP}`,
      "--profile",
    );
  }
  if (sdk && !ToolkitError.isToolkitError(e)) {
    const hint = /AccessDenied|UnauthorizedOperation/.test(sdk.name)
      ? "\nThe credentials lack a permission the deployment needs (deploying needs CloudFormation, IAM, EC2, ECS, EFS, ELB and Secrets Manager rights, or the CDK bootstrap roles)."
      : "";
    return new InfraError(`AWS ${sdk.name}: ${firstLine(sdk)}${hint}`);
  }
  if (ToolkitError.isToolkitError(e)) {
    const messages = chain
      .map((c) => (c instanceof Error ? c.message : String(c)))
      .filter((m, i, all) => m && !all.slice(0, i).some((prev) => prev.includes(m)));
    return new InfraError(pypictlWording(messages.join("\n")));
  }
  return e instanceof Error ? e : new Error(String(e));
}

function firstLine(e: unknown): string {
  return pypictlWording((e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "");
}

async function withErrors<T>(fn: () => Promise<T>, o: { region?: string; profile?: string }): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw translateError(e, o);
  }
}
