/**
 * `pypictl creds` at work: the fleet's credentials as client config that works the first time (formats proved with
 * the real pip and twine), written into the standard file with a merge, or checked against the index.
 * The password is registered as a secret as soon as it is read: it reaches stdout only when creds was asked
 * to print it (not on a terminal without --show-password), and never stderr, errors or evidence.
 */
import { readFile, copyFile, mkdir, chmod } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type Io, out, err, useColor } from "../io.js";
import { EXIT } from "../exit-codes.js";
import { UsageError } from "../../errors.js";
import { DEFAULT_STACK } from "../options/fleet.js";
import { EMPTY_CONFIG, parseConfig, type PypictlConfig } from "../../config/config.js";
import { Field } from "../../config/validate.js";
import type { CredsFlags } from "./creds.js";
import { writeAtomic } from "../write-file.js";
import { validateCredsFlags } from "../options/validate-creds.js";
import { printConfigWarnings } from "../options/validate-doctor.js";
import { assertCredName, CRED_FORMATS, type CredFormat, type CredsInput, passwordForms, renderCreds } from "../../creds/formats.js";
import { lineDiff, maskCredentialText, mergeFor } from "../../creds/merge.js";
import { DEFAULT_SECRET_KEYS, type Credentials, type SecretKeys } from "../../creds/secret.js";
import { encodeUserinfo } from "../../creds/encode.js";
import { NON_ASCII_REASON, hasNonAscii } from "../../creds/latin1.js";
import type { FleetTarget } from "../../sources/target/model.js";
import type { AwsClients } from "../../sources/aws/clients.js";
import { assertProfileExists, noRegionError, regionKnown } from "../options/aws-preflight.js";

export interface CredsConfig {
  format?: CredFormat;
  name?: string;
  usernameKey?: string;
  passwordKey?: string;
}

export function parseCredsConfig(section: Record<string, unknown> | undefined, file: string): CredsConfig {
  if (!section) return {};
  const f = new Field(file, "creds", section);
  f.object(["format", "name", "usernameKey", "passwordKey"]);
  const c: CredsConfig = {};
  const format = f.child("format").optOneOf(CRED_FORMATS);
  if (format) c.format = format;
  const name = f.child("name").optString();
  if (name) {
    assertCredName(name, `${file}: creds.name`);
    c.name = name;
  }
  const u = f.child("usernameKey").optString();
  if (u) c.usernameKey = u;
  const p = f.child("passwordKey").optString();
  if (p) c.passwordKey = p;
  return c;
}

async function readText(path: string, flag: string, io: Io): Promise<string> {
  if (path === "-") {
    if (!io.stdin) throw new UsageError(`${flag} -: no standard input`, flag);
    const chunks: Buffer[] = [];
    for await (const c of io.stdin) chunks.push(typeof c === "string" ? Buffer.from(c) : (c as Buffer));
    return Buffer.concat(chunks).toString("utf8");
  }
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    throw new UsageError(`${flag} ${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, flag);
  }
}

export interface ResolvedCreds {
  url?: string;
  credentials: Credentials;
  /** Where they came from, for messages: never a value. */
  origin: string;
  target: FleetTarget;
}

/** Flags → config → Terraform outputs / secret / stack outputs. Registers the password as a secret at once. */
export async function resolveCreds(flags: CredsFlags, config: PypictlConfig, credsConfig: CredsConfig, io: Io): Promise<ResolvedCreds> {
  const keys: SecretKeys = {
    username: flags.usernameKey ?? credsConfig.usernameKey ?? DEFAULT_SECRET_KEYS.username,
    password: flags.passwordKey ?? credsConfig.passwordKey ?? DEFAULT_SECRET_KEYS.password,
  };
  const remember = (c: Credentials): Credentials => {
    for (const f of passwordForms(c.password)) io.secrets.add(f);
    io.secrets.add(encodeUserinfo(c.password));
    return c;
  };
  const target: FleetTarget = { kind: "fleet" };
  const t = config.target;
  const region = flags.region ?? t.region;
  const profile = flags.profile ?? t.profile;
  if (region) target.region = region;
  if (profile) target.profile = profile;
  let url = flags.url ?? t.url;
  let credentials: Credentials | undefined;
  let origin = "";
  let secretId = flags.secretId ?? t.secretId;

  const { AwsClients } = await import("../../sources/aws/clients.js");
  const { readSecret } = await import("../../creds/secret.js");
  const { parseTerraformOutputs, regionOfArn } = await import("../../sources/target/terraform.js");
  const aws = () => {
    const r = target.region ?? regionOfArn(secretId);
    assertProfileExists(profile, io.env);
    if (!regionKnown(r, profile, io.env)) throw noRegionError(profile, io.env);
    return new AwsClients({ ...(r ? { region: r } : {}), ...(profile ? { profile } : {}) });
  };

  if (flags.terraformOutputs) {
    const name = flags.terraformOutputs === "-" ? "stdin" : flags.terraformOutputs;
    const tf = parseTerraformOutputs(await readText(flags.terraformOutputs, "--terraform-outputs", io), `--terraform-outputs ${name}`);
    Object.assign(target, tf.target, { kind: "fleet" });
    if (region) target.region = region;
    url ??= tf.urls[0];
    if (tf.credentials) {
      credentials = remember(tf.credentials);
      origin = `Terraform outputs (${name})`;
    } else secretId ??= tf.target.secretId;
  }
  if (!credentials && !secretId) {
    // The same default as doctor and deploy: the stack `pypictl deploy` creates.
    const stack = flags.stack ?? t.stack ?? DEFAULT_STACK;
    const refs = await stackRefs(aws(), stack, target.region, stack === (flags.stack ?? t.stack));
    target.stack = stack;
    url ??= refs.url;
    secretId = refs.secretId;
    if (!secretId) throw new UsageError(`--stack ${stack}: the stack has no SecretArn output`, "--stack");
  }
  if (!credentials && secretId) {
    credentials = remember(await readSecret(aws(), secretId, keys));
    origin = `secret ${secretId}`;
  }
  if (secretId) target.secretId = secretId;
  if (url) target.url = url;
  return { ...(url ? { url } : {}), credentials: credentials!, origin, target };
}

/** Standard locations, as each client looks them up on Linux and macOS. */
export function standardPath(format: CredFormat, env: NodeJS.ProcessEnv): string {
  const home = env.HOME;
  if (!home) throw new UsageError("--write: HOME is not set; give --path", "--path");
  const xdg = env.XDG_CONFIG_HOME || join(home, ".config");
  switch (format) {
    case "pip.conf":
      return env.PIP_CONFIG_FILE && env.PIP_CONFIG_FILE !== "/dev/null" ? env.PIP_CONFIG_FILE : join(xdg, "pip", "pip.conf");
    case "pypirc":
      return join(home, ".pypirc");
    case "netrc":
      return env.NETRC || join(home, ".netrc");
    case "uv":
      return join(xdg, "uv", "uv.toml");
    default:
      throw new UsageError(`--write --format ${format}: this format has no standard file; give --path`, "--path");
  }
}

export async function credsAction(flags: CredsFlags, io: Io): Promise<number> {
  await validateCredsFlags(flags, io);
  const config: PypictlConfig = flags.config ? parseConfig(await readText(flags.config, "--config", io), flags.config) : EMPTY_CONFIG;
  printConfigWarnings(config, io);
  const credsConfig = parseCredsConfig(config.creds, flags.config ?? "config");
  const format: CredFormat = flags.format ?? credsConfig.format ?? "env";
  if (flags.dryRun && !flags.write) throw new UsageError("--dry-run needs --write (it shows what --write would change)", "--dry-run");
  if (flags.path && !flags.write) throw new UsageError("--path needs --write", "--path");
  if (flags.write && format === "poetry") throw new UsageError("--write: poetry keeps its settings itself; run the printed `poetry` commands instead", "--write");

  const resolved = await resolveCreds(flags, config, credsConfig, io);
  if (flags.check) return checkAction(resolved, flags, io);
  if (hasNonAscii(resolved.credentials.password))
    err(io, `pypictl: warning: the password has non-ASCII characters: ${NON_ASCII_REASON}. Put an ASCII-only password in the secret (creds --check fails until then).\n`);

  if (!resolved.url) throw new UsageError("creds: no index URL: pass --url (or use --stack / --terraform-outputs, which know it)", "--url");
  const input: CredsInput = { url: resolved.url, ...resolved.credentials, name: flags.name ?? credsConfig.name ?? "pypictl" };

  if (!flags.write) {
    const masked = io.stdout.isTTY === true && !flags.showPassword;
    if (masked) {
      out(io, renderCreds(format, input, { mask: true }));
      err(io, "pypictl: password masked on a terminal: add --show-password, or redirect stdout (e.g. eval \"$(pypictl creds …)\")\n");
    } else {
      // The one place a password is printed on purpose: creds was asked for it (not a terminal, or --show-password).
      io.stdout.write(renderCreds(format, input, { mask: false }));
    }
    return EXIT.ok;
  }

  const path = flags.path ?? standardPath(format, io.env);
  let existing = "";
  let existed = true;
  try {
    existing = await readFile(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "ENOENT") throw new UsageError(`--write ${path}: cannot read (${code ?? (e as Error).message})`, "--path");
    existed = false;
  }
  const generated = renderCreds(format, input, { mask: false });
  const merged = mergeFor(format, existing, input, generated, path);
  if (flags.dryRun) {
    const diff = lineDiff(existing, merged.text, path);
    if (flags.showPassword) io.stdout.write(diff);
    else out(io, maskCredentialText(diff));
    out(io, merged.changes.length ? `dry run, nothing written; --write would do: ${merged.changes.join("; ")}\n` : `${path} is already up to date (dry run)\n`);
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
      await copyFile(path, backup);
      await chmod(backup, 0o600);
    } catch (e) {
      throw new UsageError(`--write ${path}: cannot keep a backup at ${backup} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); nothing written`, "--path");
    }
  }
  await writeAtomic(path, merged.text, { mode: 0o600, flag: "--write" });
  out(io, `wrote ${path} (mode 0600): ${merged.changes.join("; ")}${backup ? `; previous version kept as ${backup}` : ""}\n`);
  return EXIT.ok;
}

async function checkAction(resolved: ResolvedCreds, flags: CredsFlags, io: Io): Promise<number> {
  if (!resolved.url) throw new UsageError("--check: no index URL: pass --url (or use --stack / --terraform-outputs)", "--url");
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
    settings: { ...DEFAULT_GATHER_SETTINGS, credentials: resolved.credentials },
    toolVersion: TOOL_VERSION,
    load: loadSource,
    now: () => new Date(),
  });
  // The report never carries the password (the probe records status codes only); out() masks anyway.
  report.target = { kind: "fleet", url: resolved.url, ...(resolved.target.secretId ? { secretId: resolved.target.secretId } : {}) };
  out(io, renderReport(report, "human", { color: useColor(io, io.stdout, flags.color), quiet: false, width: io.stdout.columns ?? 100 }));
  return exitCodeFor(report.summary);
}

/** The stack's IndexUrl and SecretArn, read the way doctor reads every stack output (STACK_OUTPUT_KEYS). */
async function stackRefs(aws: AwsClients, stack: string, region: string | undefined, named: boolean): Promise<{ url?: string; secretId?: string }> {
  const { readStackOutputs, StackNotFoundError } = await import("../../sources/target/stack.js");
  try {
    return await readStackOutputs(aws, stack, region);
  } catch (e) {
    if (e instanceof StackNotFoundError && !named)
      throw new UsageError(
        `creds: no credentials source: the default stack ${stack} does not exist${region ? ` in ${region}` : ""}. Pass --secret-id, --stack or --terraform-outputs (or target.secretId / target.stack in --config)`,
        "--secret-id",
      );
    if (e instanceof UsageError) throw e;
    const { describeAwsError } = await import("../../creds/secret.js");
    throw new UsageError(`--stack ${stack}: cannot read the stack's outputs (${describeAwsError(e)})`, "--stack");
  }
}
