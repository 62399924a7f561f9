/**
 * Before any AWS call, the two mistakes the SDK reports badly, said the way the aws CLI says them:
 * - `--profile nosuch` (or AWS_PROFILE): the SDK's first complaint is "Region is missing"; the aws CLI says
 *   "The config profile (nosuch) could not be found". We say that, and which files were read.
 * - no region anywhere: name every place that was looked at (the aws CLI's order: --region, AWS_REGION,
 *   AWS_DEFAULT_REGION, the profile's `region`).
 * Profiles are read by the SDK's own shared-config loader (@smithy/shared-ini-file-loader, the one its
 * credential chain uses), from AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/config and
 * ~/.aws/credentials): what counts as a profile — `[profile NAME]`, `[default]`, credentials sections, not
 * `[sso-session …]` or `[services …]` — cannot drift from what the SDK then uses.
 */
import { existsSync } from "node:fs";
import { CredentialsError, UsageError } from "../../errors.js";
import { awsProfileFiles, awsProfileInForce, regionSourcesLookedAt } from "../../sources/net/aws-env.js";

export interface ProfileIndex {
  files: { config: string; credentials: string };
  /** Which files could be read. */
  read: { config: boolean; credentials: boolean };
  profiles: Map<string, { region?: string }>;
}

/**
 * Config-file sections that are not profiles: the loader keys them `TYPE.NAME` (CONFIG_PREFIX_SEPARATOR)
 * — `[sso-session corp]`, `[services s3-local]` (AWS CLI v2 config docs, "Configuration file sections").
 */
const NOT_PROFILES = /^(sso-session|services)\./;

/** The profiles the SDK will see, from the files it will read. */
export async function profileIndex(env: NodeJS.ProcessEnv = process.env): Promise<ProfileIndex> {
  const files = awsProfileFiles(env);
  const { loadSharedConfigFiles } = await import("@smithy/shared-ini-file-loader");
  // ignoreCache: the loader memoises files for the process; a test (or --watch) may change them.
  const { configFile, credentialsFile } = await loadSharedConfigFiles({
    configFilepath: files.config,
    filepath: files.credentials,
    ignoreCache: true,
  });
  const profiles = new Map<string, { region?: string }>();
  for (const [name, kv] of Object.entries(configFile))
    if (!NOT_PROFILES.test(name)) profiles.set(name, { ...(kv.region ? { region: kv.region } : {}) });
  for (const name of Object.keys(credentialsFile)) if (!profiles.has(name)) profiles.set(name, {});
  return {
    files,
    read: { config: existsSync(files.config), credentials: existsSync(files.credentials) },
    profiles,
  };
}

function whereRead(ix: ProfileIndex, env: NodeJS.ProcessEnv): string {
  const f = (path: string, read: boolean, variable: string) =>
    `${path}${env[variable] ? ` (${variable})` : ""}${read ? "" : " (not found)"}`;
  return `${f(ix.files.config, ix.read.config, "AWS_CONFIG_FILE")} and ${f(ix.files.credentials, ix.read.credentials, "AWS_SHARED_CREDENTIALS_FILE")}`;
}

/** Throws when the profile in force (--profile, else AWS_PROFILE) is in neither file. */
export function assertProfileExists(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  ix: ProfileIndex,
): void {
  const profile = awsProfileInForce(flag, env);
  if (!profile) return;
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
  env: NodeJS.ProcessEnv,
  ix: ProfileIndex,
): boolean {
  if (flag || env.AWS_REGION || env.AWS_DEFAULT_REGION) return true;
  const profile = awsProfileInForce(profileFlag, env) ?? "default";
  return ix.profiles.get(profile)?.region !== undefined;
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
