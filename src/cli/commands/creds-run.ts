/**
 * `pypictl creds` at work: the fleet's credentials as client config that works the first time (formats proved with
 * the real pip and twine), written into the standard file with a merge, or checked against the index.
 * The password is registered as a secret as soon as it is read: it reaches stdout only when creds was asked
 * to print it (not on a terminal without --show-password), and never stderr, errors or evidence.
 */
import { mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type Io, out, err, useColor } from "../io.js";
import { inertAround } from "../render/inert.js";
import { reportWidth } from "../render/wrap.js";
import { EXIT } from "../exit-codes.js";
import { UsageError } from "../../errors.js";
import { DEFAULT_STACK, fleetRequest } from "../options/fleet.js";
import { resolveFleet } from "../options/resolve-fleet.js";
import { EMPTY_CONFIG, parseConfig, type PypictlConfig } from "../../config/config.js";
import type { CredsFlags } from "./creds.js";
import { copyAtomic, writeAtomic } from "../write-file.js";
import { errnoWords } from "../os-errors.js";
import { validateCredsFlags } from "../options/validate-creds.js";
import { printConfigWarnings } from "../options/validate-doctor.js";
import {
  assertCredName,
  type CredFormat,
  type CredsInput,
  passwordForms,
  renderCreds,
} from "../../creds/formats.js";
import { lineDiff, maskCredentialText, mergeFor } from "../../creds/merge.js";
import { DEFAULT_SECRET_KEYS, type Credentials, type SecretKeys } from "../../creds/secret.js";
import { encodeUserinfo } from "../../creds/encode.js";
import { NON_ASCII_REASON, hasNonAscii } from "../../creds/latin1.js";
import type { FleetTarget } from "../../sources/target/model.js";
import type { AwsClientPool } from "../../sources/aws/pool.js";
import { assertProfileExists, noRegionError, profileIndex, regionKnown } from "../options/aws-preflight.js";
import { timeoutSeconds } from "../options/timeout.js";
import { formatForOutput, outputFile } from "../options/output-flag.js";
import {
  MAX_CONFIG_BYTES,
  MAX_CREDS_FILE_BYTES,
  readInput,
  readStdinInput,
  type InputSpec,
} from "../../input/read-input.js";

export interface CredsConfig {
  format?: CredFormat;
  name?: string;
  usernameKey?: string;
  passwordKey?: string;
}

/**
 * The config file's `creds` section. Its shape (keys, format names, non-empty strings) is checked with the
 * rest of the file against schemas/config.schema.json by parseConfig; here only the name's own rules.
 */
export function parseCredsConfig(section: Record<string, unknown> | undefined, file: string): CredsConfig {
  if (!section) return {};
  const c = { ...section } as CredsConfig;
  if (c.name !== undefined) assertCredName(c.name, `${file}: creds.name`);
  return c;
}

/** `--config FILE|-`: at most MAX_CONFIG_BYTES, a FIFO, device or standard input no longer than --timeout. */
async function readConfigText(path: string, io: Io, deadlineAt: number): Promise<string> {
  const spec: InputSpec = {
    flag: "--config",
    what: "a config file",
    maxBytes: MAX_CONFIG_BYTES,
    limitName: "MAX_CONFIG_BYTES",
    deadlineAt,
    deadlineName: "--timeout",
  };
  return (path === "-" ? await readStdinInput(io.stdin, spec) : await readInput(path, spec)).toString("utf8");
}

export interface ResolvedCreds {
  url?: string;
  credentials: Credentials;
  /** Where they came from, for messages: never a value. */
  origin: string;
  target: FleetTarget;
}

export interface CredsDeps {
  /** The run's AWS clients (tests pass a pool of fakes; default: a pool of its own). */
  aws?: AwsClientPool;
  /** The run's deadline (`--timeout`): every AWS call is cut when it passes. */
  deadlineAt?: number;
}

/**
 * Flags → config → Terraform outputs / stack outputs / secret, through the fleet resolver doctor and deploy
 * use (same stack default, region and profile). Registers the password as a secret at once.
 */
export async function resolveCreds(
  flags: CredsFlags,
  config: PypictlConfig,
  credsConfig: CredsConfig,
  io: Io,
  deps: CredsDeps = {},
): Promise<ResolvedCreds> {
  const keys: SecretKeys = {
    username: flags.usernameKey ?? credsConfig.usernameKey ?? DEFAULT_SECRET_KEYS.username,
    password: flags.passwordKey ?? credsConfig.passwordKey ?? DEFAULT_SECRET_KEYS.password,
  };
  const remember = (c: Credentials): Credentials => {
    for (const f of passwordForms(c.password)) io.secrets.add(f);
    io.secrets.add(encodeUserinfo(c.password));
    return c;
  };
  const { target: named } = fleetRequest(flags, config.target);
  const profile = named.profile;
  let credentials: Credentials | undefined;
  let origin = "";

  const aws = deps.aws ?? new (await import("../../sources/aws/pool.js")).AwsClientPool();
  const { readSecret } = await import("../../sources/aws/secret.js");
  const { regionOfArn } = await import("../../sources/target/terraform.js");
  const profiles = await profileIndex(io.env);
  const awsFor = (region: string | undefined) => {
    assertProfileExists(profile, io.env, profiles);
    if (!regionKnown(region, profile, io.env, profiles)) throw noRegionError(profile, io.env);
    return aws.for({ region, profile }, deps.deadlineAt !== undefined ? { deadlineAt: deps.deadlineAt } : {});
  };

  // Credentials come from one source only, and creds names it (issue 26): an explicit secret (--secret-id
  // or target.secretId), else the Terraform outputs (their pypi_username/pypi_password, else their
  // secret), else the stack's secret. A Terraform file without usable credentials is an error, never a
  // reason to pair its URL with the default stack's password.
  const tfFile = flags.terraformOutputs === "-" ? "--terraform-outputs (stdin)" : flags.terraformOutputs;
  let tfCredentials: Credentials | undefined;
  let tfMissing: string | undefined;
  const target = await resolveFleet(named, flags, io, {
    clients: (t) => awsFor(t.region),
    onCredentials: (c) => {
      tfCredentials = remember(c); // masked from here on, used or not
    },
    // creds needs the secret: without one (or a Terraform file, which must hold them) it reads the default stack.
    identified: (known, tf) => {
      tfMissing = tf?.credentialsMissing;
      return known.secretId !== undefined || tf !== undefined;
    },
    noDefaultStack: (stack, region) =>
      new UsageError(
        `creds: no credentials source: the default stack ${stack} does not exist${region ? ` in ${region}` : ""}. Pass --secret-id, --stack or --terraform-outputs (or target.secretId / target.stack in --config)`,
        "--secret-id",
      ),
    // Nothing to check before the secret read: it names its own failures.
    checkCredentials: false,
    // Reading --terraform-outputs (a FIFO, stdin) is part of the run.
    ...(deps.deadlineAt !== undefined ? { deadlineAt: deps.deadlineAt } : {}),
  });
  const secretId = target.secretId;
  if (tfCredentials && named.secretId === undefined) {
    credentials = remember(tfCredentials);
    origin = `Terraform outputs ${tfFile}`;
  } else if (secretId) {
    credentials = remember(await readSecret(awsFor(target.region ?? regionOfArn(secretId)), secretId, keys));
    origin = `secret ${secretId}`;
  } else if (tfFile)
    throw new UsageError(
      `--terraform-outputs ${tfFile}: no credentials (${tfMissing ?? "no pypi_username/pypi_password and no pypi_user_secret_arn"}); fix the outputs or pass --secret-id`,
      "--terraform-outputs",
    );
  else
    throw new UsageError(
      `--stack ${target.stack ?? DEFAULT_STACK}: the stack has no SecretArn output`,
      "--stack",
    );
  const url = target.url;
  return { ...(url ? { url } : {}), credentials, origin, target };
}

/** Standard locations, as each client looks them up on Linux and macOS. */
export function standardPath(format: CredFormat, env: NodeJS.ProcessEnv): string {
  const home = env.HOME;
  if (!home) throw new UsageError("--write: HOME is not set; give --path", "--path");
  const xdg = env.XDG_CONFIG_HOME || join(home, ".config");
  switch (format) {
    case "pip.conf":
      return env.PIP_CONFIG_FILE && env.PIP_CONFIG_FILE !== "/dev/null"
        ? env.PIP_CONFIG_FILE
        : join(xdg, "pip", "pip.conf");
    case "pypirc":
      return join(home, ".pypirc");
    case "netrc":
      return env.NETRC || join(home, ".netrc");
    case "uv":
      return join(xdg, "uv", "uv.toml");
    default:
      throw new UsageError(
        `--write --format ${format}: this format has no standard file; give --path`,
        "--path",
      );
  }
}

/** Reading a secret takes well under a second; 30 s leaves room for SSO, a proxy and --check's probes. */
export const DEFAULT_CREDS_TIMEOUT_SECONDS = 30;

/**
 * `-o/--output FILE` (old name `--path`, hidden): the result goes to FILE, merged as --write merges (0600,
 * backup), so `-o FILE` implies --write; `-o -` is stdout, as for doctor and synth. With --check, the report
 * goes to FILE. `--check` prints a report: human, or `--format json`; a client-config format is refused.
 */
export function normaliseCredsFlags(flags: CredsFlags): void {
  if (flags.output !== undefined && flags.path !== undefined)
    throw new UsageError("--output and --path are the same flag: give one", "--output");
  const given = flags.output ?? flags.path;
  flags.outputFlag = flags.path !== undefined ? "--path" : "--output";
  if (flags.check) {
    if (flags.format !== undefined && flags.format !== "json")
      throw new UsageError(
        `--check --format ${flags.format}: --check prints a report, as human text or --format json`,
        "--format",
      );
    if (flags.write) throw new UsageError("--check and --write cannot be combined", "--write");
    flags.output = outputFile(given);
    if (flags.output !== undefined)
      formatForOutput(flags.output, flags.format === "json" ? "json" : undefined, "human");
    flags.path = undefined;
    return;
  }
  if (given === "-") {
    if (flags.write)
      throw new UsageError("--write merges into a file: -o - (stdout) cannot be merged into", "--output");
    flags.path = undefined;
  } else if (given !== undefined) {
    flags.path = given;
    flags.write = true;
  }
  flags.output = undefined;
}

export async function credsAction(flags: CredsFlags, io: Io): Promise<number> {
  normaliseCredsFlags(flags);
  await validateCredsFlags(flags, io);
  const deadlineAt = Date.now() + timeoutSeconds(flags.timeout, DEFAULT_CREDS_TIMEOUT_SECONDS) * 1000;
  const config: PypictlConfig = flags.config
    ? parseConfig(await readConfigText(flags.config, io, deadlineAt), flags.config)
    : EMPTY_CONFIG;
  printConfigWarnings(config, io);
  const credsConfig = parseCredsConfig(config.creds, flags.config ?? "config");
  const format: CredFormat = flags.format ?? credsConfig.format ?? "env";
  if (flags.dryRun && !flags.write)
    throw new UsageError("--dry-run needs --write (it shows what --write would change)", "--dry-run");
  if (flags.write && format === "poetry")
    throw new UsageError(
      "--write: poetry keeps its settings itself; run the printed `poetry` commands instead",
      "--write",
    );

  // One pool for the run: the stack read, the secret read and --check's probes share its clients.
  const aws = new (await import("../../sources/aws/pool.js")).AwsClientPool();
  const resolved = await resolveCreds(flags, config, credsConfig, io, { deadlineAt, aws });
  if (flags.check) return checkAction(resolved, flags, io, deadlineAt, aws);
  if (hasNonAscii(resolved.credentials.password))
    err(
      io,
      `pypictl: warning: the password has non-ASCII characters: ${NON_ASCII_REASON}. Put an ASCII-only password in the secret (creds --check fails until then).\n`,
    );

  if (!resolved.url)
    throw new UsageError(
      "creds: no index URL: pass --url (or use --stack / --terraform-outputs, which know it)",
      "--url",
    );
  const input: CredsInput = {
    url: resolved.url,
    ...resolved.credentials,
    name: flags.name ?? credsConfig.name ?? "pypictl",
  };

  if (!flags.write) {
    const masked = io.stdout.isTTY === true && !flags.showPassword;
    if (masked) {
      out(io, renderCreds(format, input, { mask: true }));
      err(
        io,
        'pypictl: password masked on a terminal: add --show-password, or redirect stdout (e.g. eval "$(pypictl creds …)")\n',
      );
    } else {
      // The one place a password is printed on purpose: creds was asked for it (not a terminal, or --show-password).
      // Around the password (kept byte for byte) the text is made inert like every other line (issue 25).
      io.stdout.write(inertAround(renderCreds(format, input, { mask: false }), [...io.secrets]));
    }
    return EXIT.ok;
  }

  const path = flags.path ?? standardPath(format, io.env);
  let existing = "";
  let existed = true;
  try {
    // The file merged into: at most MAX_CREDS_FILE_BYTES, a FIFO or device no longer than --timeout.
    existing = (
      await readInput(path, {
        flag: "--write",
        what: "a client config file to merge into",
        maxBytes: MAX_CREDS_FILE_BYTES,
        limitName: "MAX_CREDS_FILE_BYTES",
        deadlineAt,
        deadlineName: "--timeout",
      })
    ).toString("utf8");
  } catch (e) {
    if (((e as { cause?: NodeJS.ErrnoException }).cause?.code ?? "") !== "ENOENT") throw e;
    existed = false;
  }
  const generated = renderCreds(format, input, { mask: false });
  const merged = mergeFor(format, existing, input, generated, path);
  if (flags.dryRun) {
    const diff = lineDiff(existing, merged.text, path);
    if (flags.showPassword) io.stdout.write(inertAround(diff, [...io.secrets]));
    else out(io, maskCredentialText(diff));
    out(
      io,
      merged.changes.length
        ? `dry run, nothing written; --write would do, with the credentials from ${resolved.origin}: ${merged.changes.join("; ")}\n`
        : `${path} is already up to date (dry run)\n`,
    );
    return EXIT.ok;
  }
  if (merged.changes.length === 0) {
    out(io, `${path} is already up to date\n`);
    return EXIT.ok;
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  let backup = "";
  if (existed) {
    backup = `${path}.bak`;
    try {
      // Written like the file itself: never through another user's symlink, whole, 0600.
      await copyAtomic(path, backup, "--write");
    } catch (e) {
      const why =
        e instanceof UsageError
          ? e.message.replace(/^--write \S+: /, "")
          : errnoWords((e as NodeJS.ErrnoException).code ?? "EIO");
      throw new UsageError(
        `--write ${path}: cannot keep a backup at ${backup} (${why}); nothing written`,
        "--path",
      );
    }
  }
  await writeAtomic(path, merged.text, { mode: 0o600, flag: "--write" });
  out(
    io,
    `wrote ${path} (mode 0600) with the credentials from ${resolved.origin}: ${merged.changes.join("; ")}${backup ? `; previous version kept as ${backup}` : ""}\n`,
  );
  return EXIT.ok;
}

async function checkAction(
  resolved: ResolvedCreds,
  flags: CredsFlags,
  io: Io,
  runDeadlineAt: number,
  aws: AwsClientPool,
): Promise<number> {
  if (!resolved.url)
    throw new UsageError("--check: no index URL: pass --url (or use --stack / --terraform-outputs)", "--url");
  const { runDoctor } = await import("../../checks/doctor.js");
  const { AUTH_CHECKS } = await import("../../checks/auth/index.js");
  const { loadSource } = await import("../../sources/registry.js");
  const { DEFAULT_GATHER_SETTINGS } = await import("../../sources/context.js");
  const { windowFor } = await import("../../config/duration.js");
  const { exitCodeFor } = await import("../../checks/report.js");
  const { renderReport } = await import("../render/index.js");
  const { TOOL_VERSION } = await import("../../version.js");
  const now = new Date();
  const checks = AUTH_CHECKS.filter((c) => c.scope === "fleet");
  const { report } = await runDoctor({
    checks,
    overrides: {},
    window: windowFor("1h", now, "--since"),
    target: resolved.target,
    settings: { ...DEFAULT_GATHER_SETTINGS, credentials: resolved.credentials, aws },
    toolVersion: TOOL_VERSION,
    load: loadSource,
    runDeadlineAt,
    now: () => new Date(),
  });
  // The report never carries the password (the probe records status codes only); out() masks anyway.
  report.target = {
    kind: "fleet",
    url: resolved.url,
    ...(resolved.target.secretId ? { secretId: resolved.target.secretId } : {}),
  };
  const format = formatForOutput(flags.output, flags.format === "json" ? "json" : undefined, "human");
  const rendered = renderReport(report, format, {
    color: flags.output === undefined && useColor(io, io.stdout, flags.color),
    quiet: false,
    width: reportWidth(io.stdout, io.env, flags.output),
    header: { title: `pypictl creds --check — ${resolved.url}`, window: false },
  });
  const { deliver } = await import("../deliver.js");
  if (!(await deliver(io, { rendered, output: flags.output, quiet: false }))) return EXIT.usage;
  return credsCheckExit(report.findings, exitCodeFor(report.summary));
}

/**
 * The index not reached at all (DNS, refused, TLS, proxy, timeout) is the same as doctor's unreachable AWS:
 * nothing about the credentials was learnt, so exit 3, not 1 ("a check failed"). A real failure (403, 5xx)
 * alongside still exits 1.
 */
export function credsCheckExit(
  findings: ReadonlyArray<{ status: string; messageId: string }>,
  byStatus: number,
): number {
  const unreachable = findings.some((f) => f.messageId === "unreachable");
  const otherFailure = findings.some((f) => f.status === "fail" && f.messageId !== "unreachable");
  return unreachable && !otherFailure ? EXIT.incomplete : byStatus;
}
