/**
 * The AWS environment as the aws CLI v2 reads it, where the JavaScript SDK differs: the SDK reads
 * AWS_REGION and the profile's region but not AWS_DEFAULT_REGION, which the aws CLI (and boto3) honour.
 * Precedence, as the aws CLI documents it: --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's region.
 */
import { homedir } from "node:os";
import { join } from "node:path";

/** The region to pass to the SDK, or undefined to let it read AWS_REGION and the profile itself. */
export function awsRegionFromEnv(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  if (flag) return flag;
  if (env.AWS_REGION) return undefined; // the SDK reads it
  return env.AWS_DEFAULT_REGION || undefined;
}

/** Where profiles are read from, as the SDK and the aws CLI look them up. */
export function awsProfileFiles(env: NodeJS.ProcessEnv = process.env): {
  config: string;
  credentials: string;
} {
  const home = env.HOME || homedir();
  return {
    config: env.AWS_CONFIG_FILE || join(home, ".aws", "config"),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE || join(home, ".aws", "credentials"),
  };
}

/** The profile in force: the flag, else AWS_PROFILE (the SDK's own choice), else none. */
export function awsProfileInForce(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return flag || env.AWS_PROFILE || undefined;
}

/** "looked at --region, AWS_REGION, AWS_DEFAULT_REGION and the region of profile X in FILE". */
export function regionSourcesLookedAt(
  profile: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const files = awsProfileFiles(env);
  return `looked at --region, AWS_REGION, AWS_DEFAULT_REGION and the region of profile ${profile ?? "default"} in ${files.config}${env.AWS_CONFIG_FILE ? " (AWS_CONFIG_FILE)" : ""}`;
}
