// Profiles as the SDK's own shared-config loader reads them (src/cli/options/aws-preflight.ts): what
// `--profile` accepts must be what the credential chain will then find.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { assertProfileExists, profileIndex, regionKnown } from "../../../src/cli/options/aws-preflight.js";
import { UsageError } from "../../../src/errors.js";

function files(config: string, credentials?: string): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), "pypictl-ini-"));
  writeFileSync(join(dir, "config"), config);
  if (credentials !== undefined) writeFileSync(join(dir, "credentials"), credentials);
  return { AWS_CONFIG_FILE: join(dir, "config"), AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials") };
}

const CONFIG = [
  "[default]",
  "region = eu-west-1",
  "[profile dev]",
  "region=us-east-1",
  "sso_session = corp",
  "[sso-session corp]",
  "sso_region = us-east-1",
  "sso_start_url = https://corp.awsapps.com/start",
  "[services local]",
  "s3 =",
  "  endpoint_url = http://127.0.0.1:9000",
  "[ci]", // a config-file section without `profile `: the SDK ignores it (only [default] may omit it)
  "region = ap-south-1",
].join("\n");

describe("profileIndex", () => {
  it("names the profiles the SDK sees: [default], [profile x], credentials sections; not sso-session or services", async () => {
    const env = files(CONFIG, "[ops]\naws_access_key_id = AKIDEXAMPLE\n");
    const ix = await profileIndex(env);
    expect([...ix.profiles.keys()].sort()).toEqual(["default", "dev", "ops"]);
    expect(ix.profiles.get("dev")).toEqual({ region: "us-east-1" });
    expect(ix.read).toEqual({ config: true, credentials: true });
  });

  it("an sso-session's name is not a profile: --profile corp is refused, naming the files and the known profiles", async () => {
    const env = files(CONFIG);
    const ix = await profileIndex(env);
    expect(ix.read.credentials).toBe(false);
    expect(() => assertProfileExists("corp", env, ix)).toThrow(UsageError);
    expect(() => assertProfileExists("corp", env, ix)).toThrow(
      /known profiles: default, dev.*\(not found\)|not found.*known profiles: default, dev/s,
    );
    expect(() => assertProfileExists("ci", env, ix)).toThrow(UsageError);
    expect(() => assertProfileExists("dev", env, ix)).not.toThrow();
  });

  it("a profile's region counts as a region the SDK will find", async () => {
    const env = files(CONFIG);
    const ix = await profileIndex(env);
    expect(regionKnown(undefined, "dev", env, ix)).toBe(true);
    expect(regionKnown(undefined, undefined, env, ix)).toBe(true); // [default]
    expect(regionKnown(undefined, "ops", { ...env }, ix)).toBe(false);
  });
});
