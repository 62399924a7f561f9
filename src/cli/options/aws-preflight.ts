/**
 * Before any AWS call, the two mistakes the SDK reports badly, said the way the aws CLI says them:
 * - `--profile nosuch` (or AWS_PROFILE): the SDK's first complaint is "Region is missing"; the aws CLI says
 *   "The config profile (nosuch) could not be found". We say that, and which files were read.
 * - no region anywhere: name every place that was looked at (the aws CLI's order: --region, AWS_REGION,
 *   AWS_DEFAULT_REGION, the profile's `region`).
 * Profiles are read from AWS_CONFIG_FILE (`[profile NAME]`, `[default]`) and AWS_SHARED_CREDENTIALS_FILE
 * (`[NAME]`), defaulting to ~/.aws/config and ~/.aws/credentials, as the SDK and the aws CLI read them.
 */
import { readFileSync } from "node:fs";
import { CredentialsError, UsageError } from "../../errors.js";
import { awsProfileFiles, awsProfileInForce, regionSourcesLookedAt } from "../../sources/net/aws-env.js";

type Sections = Map<string, Record<string, string>>;

function readIni(path: string): Sections | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
  const sections: Sections = new Map();
  let current: Record<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      current = {};
      sections.set(header[1]!.replace(/\s+/g, " "), current);
      continue;
    }
    const kv = /^([^=]+?)\s*=\s*(.*)$/.exec(line);
    if (kv && current) current[kv[1]!.trim().toLowerCase()] = kv[2]!.trim();
  }
  return sections;
}

export interface ProfileIndex {
  files: { config: string; credentials: string };
  /** Which files could be read. */
  read: { config: boolean; credentials: boolean };
  profiles: Map<string, { region?: string }>;
}

export function profileIndex(env: NodeJS.ProcessEnv = process.env): ProfileIndex {
  const files = awsProfileFiles(env);
  const config = readIni(files.config);
  const credentials = readIni(files.credentials);
  const profiles = new Map<string, { region?: string }>();
  for (const [name, kv] of config ?? []) {
    const profile = name === "default" ? "default" : /^profile (.+)$/.exec(name)?.[1];
    if (profile) profiles.set(profile, { ...(kv.region ? { region: kv.region } : {}) });
  }
  for (const [name] of credentials ?? []) if (!profiles.has(name)) profiles.set(name, {});
  return { files, read: { config: config !== undefined, credentials: credentials !== undefined }, profiles };
}

function whereRead(ix: ProfileIndex, env: NodeJS.ProcessEnv): string {
  const f = (path: string, read: boolean, variable: string) =>
    `${path}${env[variable] ? ` (${variable})` : ""}${read ? "" : " (not found)"}`;
  return `${f(ix.files.config, ix.read.config, "AWS_CONFIG_FILE")} and ${f(ix.files.credentials, ix.read.credentials, "AWS_SHARED_CREDENTIALS_FILE")}`;
}

/** Throws when the profile in force (--profile, else AWS_PROFILE) is in neither file. */
export function assertProfileExists(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): void {
  const profile = awsProfileInForce(flag, env);
  if (!profile) return;
  const ix = profileIndex(env);
  if (ix.profiles.has(profile)) return;
  const via = flag ? "--profile" : "AWS_PROFILE";
  const known = [...ix.profiles.keys()];
  throw new UsageError(
    `AWS profile "${profile}" (${via}) does not exist: read profiles from ${whereRead(ix, env)}; ` +
      `${known.length ? `known profiles: ${known.join(", ")}` : "no profiles there"}. ` +
      `Create it with \`aws configure --profile ${profile}\` (or \`aws configure sso\`), or set AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE`,
    via === "--profile" ? "--profile" : "AWS_PROFILE",
  );
}

/** Whether the SDK will find a region: flag, AWS_REGION, AWS_DEFAULT_REGION, or the profile's region. */
export function regionKnown(
  flag: string | undefined,
  profileFlag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  if (flag || env.AWS_REGION || env.AWS_DEFAULT_REGION) return true;
  const profile = awsProfileInForce(profileFlag, env) ?? "default";
  return profileIndex(env).profiles.get(profile)?.region !== undefined;
}

export function noRegionError(
  profileFlag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): CredentialsError {
  const profile = awsProfileInForce(profileFlag, env);
  return new CredentialsError(
    `No AWS region: ${regionSourcesLookedAt(profile, env)}, and none is set. Pass --region, or set AWS_REGION or AWS_DEFAULT_REGION, or add \`region = …\` to the profile (aws configure${profile ? ` --profile ${profile}` : ""})`,
    "--region",
  );
}
