/**
 * doctor, creds and the infra commands resolve the fleet through one resolver (fleetRequest → resolveFleet),
 * so the same flags, config file and environment give the same stack, region and profile everywhere.
 * Each command's own entry is driven here with an AWS clients factory that records what it was asked for.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fleetRequest, type FleetFlags } from "../../../src/cli/options/fleet.js";
import { resolveFleet } from "../../../src/cli/options/resolve-fleet.js";
import { resolveCreds } from "../../../src/cli/commands/creds-run.js";
import { infraTarget } from "../../../src/cli/commands/infra.js";
import { EMPTY_CONFIG, type PypictlConfig, type TargetConfig } from "../../../src/config/config.js";
import type { AwsClients } from "../../../src/sources/aws/clients.js";
import { AwsClientPool } from "../../../src/sources/aws/pool.js";
import { captureIo } from "../../helpers/io.js";

const SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pypi-AbCdEf";

interface Seen {
  region?: string | undefined;
  profile?: string | undefined;
  stacks: string[];
}

/** A clients object answering DescribeStacks and GetSecretValue as the stack pypictl deploys would. */
function recordingClients(seen: Seen) {
  return (settings: { region?: string | undefined; profile?: string | undefined }): AwsClients => {
    seen.region = settings.region;
    seen.profile = settings.profile;
    const cloudformation = async () => ({
      config: { region: async () => settings.region ?? "from-chain", credentials: async () => ({}) },
      send: async (cmd: { input: { StackName: string } }) => {
        seen.stacks.push(cmd.input.StackName);
        return {
          Stacks: [
            {
              StackName: cmd.input.StackName,
              Outputs: [
                { OutputKey: "IndexUrl", OutputValue: "https://pypi.example.com" },
                { OutputKey: "SecretArn", OutputValue: SECRET_ARN },
                { OutputKey: "ClusterName", OutputValue: "c" },
                { OutputKey: "ServiceName", OutputValue: "s" },
              ],
            },
          ],
        };
      },
    });
    const secretsManager = async () => ({
      send: async () => ({ SecretString: JSON.stringify({ username: "u", password: "pw-resolve-test" }) }),
    });
    return { settings, cloudformation, secretsManager } as unknown as AwsClients;
  };
}

function awsHome(): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), "pypictl-target-"));
  writeFileSync(join(dir, "config"), "[profile ops]\nregion = eu-central-1\n[default]\nregion = eu-west-1\n");
  writeFileSync(join(dir, "credentials"), "[ops]\naws_access_key_id = AKIDTEST\naws_secret_access_key = x\n");
  return {
    AWS_CONFIG_FILE: join(dir, "config"),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"),
    HOME: dir,
  };
}

async function viaDoctor(flags: FleetFlags, target: TargetConfig, env: NodeJS.ProcessEnv): Promise<Seen> {
  const seen: Seen = { stacks: [] };
  const clients = recordingClients(seen);
  await resolveFleet(fleetRequest(flags, target).target, flags, captureIo(env), {
    clients: (t) => clients({ region: t.region, profile: t.profile }),
  });
  return seen;
}

async function viaCreds(flags: FleetFlags, target: TargetConfig, env: NodeJS.ProcessEnv): Promise<Seen> {
  const seen: Seen = { stacks: [] };
  const config: PypictlConfig = { ...EMPTY_CONFIG, target };
  const clients = recordingClients(seen);
  const stackSeen: Seen = { stacks: [] };
  const stackClients = recordingClients(stackSeen);
  let first = true;
  // The first clients are the stack read's (the second the secret's, in the secret ARN's region).
  const r = await resolveCreds({ ...flags, color: false }, config, {}, captureIo(env), {
    aws: new AwsClientPool((s) => {
      const c = first ? stackClients(s) : clients(s);
      first = false;
      return c;
    }),
  });
  expect(r.credentials.username).toBe("u");
  return stackSeen;
}

function viaInfra(flags: FleetFlags, target: TargetConfig): Seen {
  const t = infraTarget(flags, { ...EMPTY_CONFIG, target });
  return { region: t.region, profile: t.profile, stacks: [t.stackName] };
}

const CASES: Array<{
  name: string;
  flags: FleetFlags;
  target: TargetConfig;
  env?: NodeJS.ProcessEnv;
  stack: string;
  region?: string;
  profile?: string;
}> = [
  {
    name: "nothing named: the default stack, the SDK's region and profile",
    flags: {},
    target: {},
    env: { AWS_REGION: "eu-west-1" },
    stack: "pypiserver",
  },
  {
    name: "flags",
    flags: { stack: "mine", region: "eu-west-2", profile: "ops" },
    target: {},
    stack: "mine",
    region: "eu-west-2",
    profile: "ops",
  },
  {
    name: "config file",
    flags: {},
    target: { stack: "cfg", region: "us-east-1", profile: "ops" },
    stack: "cfg",
    region: "us-east-1",
    profile: "ops",
  },
  {
    name: "flags over config",
    flags: { stack: "flag", region: "ap-south-1" },
    target: { stack: "cfg", region: "us-east-1", profile: "ops" },
    stack: "flag",
    region: "ap-south-1",
    profile: "ops",
  },
  {
    name: "AWS_PROFILE and AWS_DEFAULT_REGION left to the SDK chain",
    flags: {},
    target: {},
    env: { AWS_PROFILE: "ops", AWS_DEFAULT_REGION: "sa-east-1" },
    stack: "pypiserver",
  },
];

describe("one fleet-target resolver for doctor, creds and deploy", () => {
  for (const c of CASES)
    it(c.name, async () => {
      const env = { ...awsHome(), ...c.env };
      const expected: Seen = { region: c.region, profile: c.profile, stacks: [c.stack] };
      expect(await viaDoctor(c.flags, c.target, env), "doctor").toEqual(expected);
      expect(await viaCreds(c.flags, c.target, env), "creds").toEqual(expected);
      expect(viaInfra(c.flags, c.target), "deploy").toEqual(expected);
    });

  it("the stack defaults to pypiserver only when nothing else identifies what the command needs", async () => {
    const env = { ...awsHome(), AWS_REGION: "eu-west-1" };
    // doctor: a cluster and service identify the fleet; creds: a secret identifies the credentials.
    expect((await viaDoctor({ cluster: "c", service: "s" }, {}, env)).stacks).toEqual([]);
    const creds = await resolveCreds(
      { secretId: SECRET_ARN, url: "https://x.example", color: false },
      EMPTY_CONFIG,
      {},
      captureIo(env),
      {
        aws: new AwsClientPool(recordingClients({ stacks: [] })),
      },
    );
    expect(creds.origin).toBe(`secret ${SECRET_ARN}`);
    // A named stack is read by both, whatever else is given.
    expect((await viaDoctor({ stack: "named", cluster: "c" }, {}, env)).stacks).toEqual(["named"]);
    const seen: Seen = { stacks: [] };
    await resolveCreds(
      { stack: "named", secretId: SECRET_ARN, color: false },
      EMPTY_CONFIG,
      {},
      captureIo(env),
      { aws: new AwsClientPool(recordingClients(seen)) },
    );
    expect(seen.stacks).toEqual(["named"]);
  });

  it("deploy refuses a stack name CloudFormation would refuse, from a flag or the config file", () => {
    expect(() => infraTarget({ stack: "1bad" }, undefined)).toThrow(
      /--stack: "1bad" is not a valid CloudFormation stack name/,
    );
    expect(() => infraTarget({}, { ...EMPTY_CONFIG, target: { stack: "bad_name" } })).toThrow(
      /not a valid CloudFormation stack name/,
    );
  });
});
