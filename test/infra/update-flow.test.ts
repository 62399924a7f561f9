/**
 * The update workflow end to end in-process against the local fake AWS endpoint: a deployed stack whose
 * outputs record its props (and whose template GetTemplate returns), then `diff` and `deploy` with one prop
 * changed. The deploy keeps everything else, says what changes in words before the resource diff, stops
 * (exit 2, naming the flag) before a stateful replacement, and asks without --yes.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../src/cli/main.js";
import { captureIo } from "../helpers/io.js";
import { STACK_OUTPUT_KEYS } from "../../src/sources/target/outputs.js";
import { RECORDED_PROPS_OUTPUT, encodeRecordedProps } from "../../src/infra/recorded-props.js";
import type { PypiServerStackProps } from "../../src/infra/props.js";
import { startFakeAws, type FakeAwsOptions } from "./fake-aws.js";
import { synth } from "./helpers.js";
import { CERT_TLS, KEPT } from "./matrix.js";

let dir: string;
const savedEnv = { ...process.env };
const DEPLOYED: PypiServerStackProps = { size: "heavy", ...KEPT, ...CERT_TLS };
let template: Record<string, unknown>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pypictl-update-"));
  template = synth(DEPLOYED).json;
}, 30_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  for (const k of Object.keys(process.env))
    if (k.startsWith("AWS_") || k.startsWith("CDK_")) delete process.env[k];
  process.env.HOME = dir;
  process.env.AWS_CONFIG_FILE = join(dir, "no-config");
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, "no-credentials");
  process.env.AWS_EC2_METADATA_DISABLED = "true";
});
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
});

const outputs = (recorded: PypiServerStackProps | undefined) => ({
  [STACK_OUTPUT_KEYS.cluster]: "pypiserver-Cluster-1",
  [STACK_OUTPUT_KEYS.service]: "pypiserver-Service-1",
  [STACK_OUTPUT_KEYS.fileSystemId]: KEPT.fileSystemId,
  [STACK_OUTPUT_KEYS.loadBalancer]:
    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/pypi-alb/0123456789abcdef",
  [STACK_OUTPUT_KEYS.targetGroup]:
    "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/pypi-tg/0123456789abcdef",
  [STACK_OUTPUT_KEYS.url]: "https://pypi-alb-1.eu-west-1.elb.amazonaws.com",
  [STACK_OUTPUT_KEYS.secretId]: KEPT.secretArn,
  [STACK_OUTPUT_KEYS.autoScalingGroup]: "pypiserver-HostsASG-1",
  ...(recorded ? { [RECORDED_PROPS_OUTPUT]: encodeRecordedProps(recorded) } : {}),
});

async function withStack(
  recorded: PypiServerStackProps | undefined,
  fn: (fake: Awaited<ReturnType<typeof startFakeAws>>) => Promise<void>,
  o: Pick<FakeAwsOptions, "template" | "fileSystems"> = {},
): Promise<void> {
  const fake = await startFakeAws({
    bootstrapVersion: "30",
    existingStack: true,
    outputs: outputs(recorded),
    template,
    ...o,
  });
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKE",
    AWS_SECRET_ACCESS_KEY: "fake",
    AWS_REGION: "eu-west-1",
    AWS_ENDPOINT_URL: fake.url,
  });
  try {
    await fn(fake);
  } finally {
    await fake.close();
  }
}

/** The template deploy uploaded (the one JSON upload to the bootstrap bucket). */
function uploaded(fake: Awaited<ReturnType<typeof startFakeAws>>) {
  const body = [...fake.uploads.values()].find((b) => b.startsWith("{"));
  return JSON.parse(body ?? "{}") as {
    Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    Outputs: Record<string, { Value: unknown }>;
  };
}

describe("update workflow: change one prop, everything else keeps its deployed value", () => {
  it("diff --alarm-email: says the one change in words before the resource diff, and the kept props", async () => {
    await withStack(DEPLOYED, async () => {
      const io = captureIo({}, { cwd: dir });
      const code = await runCli(["diff", "--alarm-email", "oncall@example.com"], io);
      expect(code, io.stderr.text).toBe(0);
      expect(io.stderr.text).toMatch(
        /Starting from the props stack pypiserver was deployed with \(recorded by pypictl\)/,
      );
      expect(io.stderr.text).toMatch(
        /Props of stack pypiserver that change:\n {2}alarmEmail {2}\(none\) → oncall@example\.com {2}\(flag --alarm-email\)\n/,
      );
      expect(io.stderr.text).toMatch(
        /Kept at their deployed values: size, fileSystemId, backupVaultName, secretArn, domainName, certificateArn\./,
      );
      expect(io.stderr.text).not.toMatch(/would stop here/);
      // The words come before the resource diff.
      expect(io.stdout.text).toMatch(/AWS::SNS::Subscription/);
    });
  }, 120_000);

  it("deploy --alarm-email --yes: the uploaded template keeps the adopted file system, secret, vault and the heavy hosts", async () => {
    await withStack(DEPLOYED, async (fake) => {
      const io = captureIo({}, { cwd: dir });
      const code = await runCli(
        ["deploy", "--alarm-email", "oncall@example.com", "--yes", "--outputs-file", "o1.json"],
        io,
      );
      expect(code, io.stderr.text).toBe(0);
      const t = uploaded(fake);
      const types = Object.values(t.Resources).map((r) => r.Type);
      expect(types).not.toContain("AWS::EFS::FileSystem");
      expect(types).not.toContain("AWS::SecretsManager::Secret");
      expect(types).not.toContain("AWS::Backup::BackupVault");
      expect(JSON.stringify(t)).toContain('"InstanceType":"c6a.xlarge"');
      expect(JSON.parse(String(t.Outputs[RECORDED_PROPS_OUTPUT]!.Value))).toEqual({
        v: 1,
        props: { ...DEPLOYED, alarmEmail: "oncall@example.com" },
      });
    });
  }, 120_000);

  it("a stack deployed before props were recorded: read back from its template, same protection", async () => {
    await withStack(undefined, async (fake) => {
      const io = captureIo({}, { cwd: dir });
      const code = await runCli(
        ["deploy", "--alarm-email", "oncall@example.com", "--yes", "--outputs-file", "o2.json"],
        io,
      );
      expect(code, io.stderr.text).toBe(0);
      expect(io.stderr.text).toMatch(/read back from its template: deployed before pypictl recorded props/);
      expect(fake.calls).toContain("GetTemplate");
      expect(JSON.stringify(uploaded(fake))).toContain('"InstanceType":"c6a.xlarge"');
    });
  }, 120_000);

  it("a change that would swap the file system stops with exit 2 naming --allow-replace; nothing changes", async () => {
    await withStack(DEPLOYED, async (fake) => {
      const io = captureIo({}, { cwd: dir });
      const code = await runCli(
        ["deploy", "--file-system-id", "fs-0fedcba9876543210", "--yes", "--outputs-file", "o3.json"],
        io,
      );
      expect(code, io.stderr.text).toBe(2);
      expect(io.stderr.text).toMatch(
        /stack pypiserver not deployed, nothing changed:\n {2}- this deploy switches from the adopted package file system fs-0123456789abcdef0 to the adopted package file system fs-0fedcba9876543210: .*Allow it with --allow-replace file-system\./,
      );
      expect(fake.calls).not.toContain("CreateChangeSet");
      expect(fake.calls).not.toContain("ExecuteChangeSet");
    });
  }, 120_000);

  it("--reset secret-arn would make a new secret: stops; with --allow-replace secret it deploys", async () => {
    await withStack(DEPLOYED, async (fake) => {
      const io = captureIo({}, { cwd: dir });
      expect(
        await runCli(["deploy", "--reset", "secret-arn", "--yes", "--outputs-file", "o4.json"], io),
      ).toBe(2);
      expect(io.stderr.text).toMatch(/secretArn: deployed value dropped, reset \(--reset secret-arn\)/);
      expect(io.stderr.text).toMatch(/--allow-replace secret/);
      expect(fake.calls).not.toContain("ExecuteChangeSet");
      const io2 = captureIo({}, { cwd: dir });
      const code = await runCli(
        [
          "deploy",
          "--reset",
          "secret-arn",
          "--allow-replace",
          "secret",
          "--yes",
          "--outputs-file",
          "o4.json",
        ],
        io2,
      );
      expect(code, io2.stderr.text).toBe(0);
      expect(fake.calls).toContain("ExecuteChangeSet");
    });
  }, 120_000);

  it("diff names the stop a deploy would make (and the flag) but is still a diff (exit 0)", async () => {
    await withStack(DEPLOYED, async () => {
      const io = captureIo({}, { cwd: dir });
      expect(await runCli(["diff", "--reset", "file-system-id"], io), io.stderr.text).toBe(0);
      expect(io.stderr.text).toMatch(
        /warning: `pypictl deploy` would stop here: this deploy switches from the adopted package file system fs-0123456789abcdef0 to a new package file system.*--allow-replace file-system/,
      );
    });
  }, 120_000);

  it("deploy without --yes and without a terminal: the plan, then no deploy (exit 2 naming --yes)", async () => {
    await withStack(DEPLOYED, async (fake) => {
      const io = captureIo({}, { cwd: dir });
      expect(await runCli(["deploy", "--image-tag", "v2.3.2", "--outputs-file", "o5.json"], io)).toBe(2);
      expect(io.stderr.text).toMatch(/imageTag {2}v2\.4\.1 → v2\.3\.2 {2}\(flag --image-tag\)/);
      expect(io.stderr.text).toMatch(/No terminal to confirm on: re-run with --yes/);
      expect(fake.calls).not.toContain("CreateChangeSet");
    });
  }, 120_000);

  it("synth --stack starts from the deployed props; --offline does not read them", async () => {
    await withStack(DEPLOYED, async (fake) => {
      const io = captureIo({}, { cwd: dir });
      expect(await runCli(["synth", "--stack", "pypiserver"], io), io.stderr.text).toBe(0);
      expect(io.stdout.text).toContain('"InstanceType": "c6a.xlarge"');
      expect(io.stdout.text).not.toContain("AWS::EFS::FileSystem");
      const calls = fake.calls.length;
      const offline = captureIo({}, { cwd: dir });
      expect(await runCli(["synth", "--stack", "pypiserver", "--offline"], offline)).toBe(0);
      expect(offline.stdout.text).toContain("AWS::EFS::FileSystem");
      expect(fake.calls.length).toBe(calls);
    });
  }, 120_000);

  it("a heavy stack recorded without natGateways and deployed with one NAT gateway keeps it (the per-zone default is for new stacks)", async () => {
    const oneNat = synth({ ...DEPLOYED, natGateways: 1 }).json;
    await withStack(
      DEPLOYED,
      async (fake) => {
        const io = captureIo({}, { cwd: dir });
        const code = await runCli(
          ["deploy", "--alarm-email", "oncall@example.com", "--yes", "--outputs-file", "o6.json"],
          io,
        );
        expect(code, io.stderr.text).toBe(0);
        expect(io.stderr.text).toMatch(
          /note: natGateways stays at the deployed 1: a new heavy stack gets one per zone \(2\), .*--nat-gateways 2 to change it\./,
        );
        const t = uploaded(fake);
        expect(Object.values(t.Resources).filter((r) => r.Type === "AWS::EC2::NatGateway")).toHaveLength(1);
        expect(JSON.parse(String(t.Outputs[RECORDED_PROPS_OUTPUT]!.Value)).props.natGateways).toBe(1);
      },
      { template: oneNat },
    );
  }, 120_000);

  it("diff reads the adopted file system: bursting under heavy is a warning with its numbers", async () => {
    await withStack(
      DEPLOYED,
      async (fake) => {
        const io = captureIo({}, { cwd: dir });
        expect(await runCli(["diff", "--alarm-email", "oncall@example.com"], io), io.stderr.text).toBe(0);
        expect(fake.calls).toContain("GET /2015-02-01/file-systems");
        expect(io.stderr.text).toMatch(
          /warning: adopted file system fs-0123456789abcdef0 uses bursting throughput: baseline 1\.0 MiB\/s for its 20 GiB .*up to 100 MiB\/s only while burst credits last\. The heavy preset/,
        );
      },
      {
        fileSystems: {
          [KEPT.fileSystemId]: { ThroughputMode: "bursting", SizeInBytes: { Value: 20 * 1024 ** 3 } },
        },
      },
    );
  }, 120_000);

  it("an adopted file system that does not exist: deploy stops (exit 2, naming --file-system-id), nothing changes", async () => {
    await withStack(
      DEPLOYED,
      async (fake) => {
        const io = captureIo({}, { cwd: dir });
        const code = await runCli(["deploy", "--yes", "--outputs-file", "o7.json"], io);
        expect(code, io.stderr.text).toBe(2);
        expect(io.stderr.text).toMatch(
          /the adopted EFS file system fs-0123456789abcdef0 does not exist in this account and region \(FileSystemNotFound/,
        );
        expect(fake.calls).not.toContain("CreateChangeSet");
      },
      { fileSystems: { [KEPT.fileSystemId]: null } },
    );
  }, 120_000);
});
