/**
 * The CA bundle for AWS calls, found as the aws CLI v2 finds it (the JavaScript SDK reads neither):
 * `--ca-bundle` (pypictl has no such flag), then AWS_CA_BUNDLE, then `ca_bundle` in the profile in force
 * (aws CLI v2 User Guide, "Environment variables": AWS_CA_BUNDLE "Specifies the path to a certificate
 * bundle to use for HTTPS certificate validation. If defined, this environment variable overrides the
 * value for the profile setting ca_bundle"). None set: node's built-in trust store (plus
 * NODE_EXTRA_CA_CERTS), as before.
 */
import { awsProfileFiles, awsProfileInForce } from "./aws-env.js";
import { readCaBundle, type CaBundle } from "./ca-bundle.js";

/** Where the bundle would come from, without reading it: undefined when nothing names one. */
export async function awsCaBundleSetting(
  profileFlag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ path: string; from: string } | undefined> {
  const fromEnv = env.AWS_CA_BUNDLE?.trim();
  if (fromEnv) return { path: fromEnv, from: "AWS_CA_BUNDLE" };
  const profile = awsProfileInForce(profileFlag, env) ?? "default";
  const files = awsProfileFiles(env);
  // The SDK's own loader (what its credential chain reads): `[profile dev]` and `[default]` alike.
  const { loadSharedConfigFiles } = await import("@smithy/shared-ini-file-loader");
  const { configFile } = await loadSharedConfigFiles({
    configFilepath: files.config,
    filepath: files.credentials,
    ignoreCache: true,
  });
  const path = configFile[profile]?.ca_bundle?.trim();
  return path ? { path, from: `ca_bundle of profile ${profile} in ${files.config}` } : undefined;
}

/** The bundle for AWS calls, read; undefined when none is set. A bad setting is a UsageError naming it. */
export async function awsCaBundle(
  profileFlag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CaBundle | undefined> {
  const setting = await awsCaBundleSetting(profileFlag, env);
  return setting ? readCaBundle(setting.path, setting.from, env) : undefined;
}
