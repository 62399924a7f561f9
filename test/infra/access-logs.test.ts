/**
 * ALB access logs (`albAccessLogs` / `--alb-access-logs`): the bucket AWS's "Enable access logs for your
 * Application Load Balancer" asks for (SSE-S3 only, a bucket policy for the Region's ELB log delivery), made
 * private, TLS-only and self-expiring; cdk-nag's ELB2 acknowledgement only while the option is off. The wiring
 * and cfn-lint runs cover the option through test/infra/matrix.ts (an old and a new Region).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Match } from "aws-cdk-lib/assertions";
import { Token, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import { synth, only, type Synthesized } from "./helpers.js";
import { CERT_TLS } from "./matrix.js";
import { resolveProps } from "../../src/infra/props.js";
import { runCli } from "../../src/cli/main.js";
import { captureIo } from "../helpers/io.js";
import { startFakeAws } from "./fake-aws.js";
import { STACK_OUTPUT_KEYS } from "../../src/sources/target/outputs.js";
import { UsageError } from "../../src/errors.js";

let off: Synthesized;
let oldRegion: Synthesized; // eu-west-1: a Region from before August 2022, with an ELB account id
let newRegion: Synthesized; // ap-southeast-4 (2022-11): the logdelivery service principal

beforeAll(() => {
  off = synth({ ...CERT_TLS });
  oldRegion = synth({ ...CERT_TLS, albAccessLogs: true }, { env: { region: "eu-west-1" } });
  newRegion = synth(
    { allowHttp: true, albAccessLogs: true, albAccessLogsDays: 30 },
    { env: { region: "ap-southeast-4" } },
  );
}, 60_000);

function acknowledged(root: IConstruct, rule: string): boolean {
  let found = false;
  const walk = (c: IConstruct) => {
    for (const m of c.node.metadata)
      if (
        m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY &&
        Object.keys(m.data as object).some((id) => id.includes(rule))
      )
        found = true;
    c.node.children.forEach(walk);
  };
  walk(root);
  return found;
}

type Statement = {
  Effect: string;
  Action: string | string[];
  Principal?: Record<string, unknown>;
  Resource: unknown;
  Condition?: unknown;
};
const statements = (s: Synthesized) =>
  (only(s, "AWS::S3::BucketPolicy").Properties!.PolicyDocument as { Statement: Statement[] }).Statement;
const bucketId = (s: Synthesized) =>
  Object.entries(s.json.Resources).find(([, r]) => r.Type === "AWS::S3::Bucket")![0];

describe("ALB access logs off (default)", () => {
  it("no bucket, no access_logs attributes; cdk-nag ELB2 acknowledged with the reason and how to turn them on", () => {
    off.template.resourceCountIs("AWS::S3::Bucket", 0);
    expect(JSON.stringify(only(off, "AWS::ElasticLoadBalancingV2::LoadBalancer"))).not.toContain(
      "access_logs",
    );
    expect(acknowledged(off.stack, "AwsSolutions-ELB2")).toBe(true);
    expect(off.json.Outputs.AccessLogsBucket).toBeUndefined();
  });
});

describe("ALB access logs on", () => {
  it("the load balancer logs to the bucket under the alb/ prefix, created after the bucket policy", () => {
    for (const s of [oldRegion, newRegion]) {
      s.template.hasResourceProperties("AWS::ElasticLoadBalancingV2::LoadBalancer", {
        LoadBalancerAttributes: Match.arrayWith([
          { Key: "access_logs.s3.enabled", Value: "true" },
          { Key: "access_logs.s3.bucket", Value: { Ref: bucketId(s) } },
          { Key: "access_logs.s3.prefix", Value: "alb" },
        ]),
      });
      const policyId = Object.entries(s.json.Resources).find(
        ([, r]) => r.Type === "AWS::S3::BucketPolicy",
      )![0];
      expect(
        (only(s, "AWS::ElasticLoadBalancingV2::LoadBalancer") as { DependsOn?: string[] }).DependsOn,
      ).toContain(policyId);
      expect(s.json.Outputs.AccessLogsBucket).toMatchObject({ Value: { Ref: bucketId(s) } });
    }
  });

  it("bucket: SSE-S3 (no KMS key: ALB log delivery supports only SSE-S3), all public access blocked, ACLs off, expiry, kept on destroy", () => {
    oldRegion.template.hasResource("AWS::S3::Bucket", {
      // Like the file system, vault and secret: kept, except when the first create fails (no orphan then).
      DeletionPolicy: "RetainExceptOnCreate",
      UpdateReplacePolicy: "Retain",
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] },
        LifecycleConfiguration: { Rules: [Match.objectLike({ Status: "Enabled", ExpirationInDays: 90 })] },
      },
    });
    expect(JSON.stringify(only(oldRegion, "AWS::S3::Bucket"))).not.toMatch(/KMS/i);
    newRegion.template.hasResourceProperties("AWS::S3::Bucket", {
      LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 30 })] },
    });
  });

  it("bucket policy: TLS only (deny aws:SecureTransport false on the bucket and its objects)", () => {
    const deny = statements(oldRegion).find((st) => st.Effect === "Deny")!;
    expect(deny).toMatchObject({
      Action: "s3:*",
      Principal: { AWS: "*" },
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
    expect(JSON.stringify(deny.Resource)).toContain('"/*"');
  });

  it("Region before August 2022: the Region's ELB account may PutObject under alb/AWSLogs/<this account>/", () => {
    const put = statements(oldRegion).find(
      (st) => st.Effect === "Allow" && st.Action === "s3:PutObject" && st.Principal?.AWS !== undefined,
    )!;
    expect(put.Principal).toEqual({ AWS: "arn:aws:iam::156460612806:root" }); // eu-west-1's Elastic Load Balancing account
    expect(JSON.stringify(put.Resource)).toBe(
      JSON.stringify({
        "Fn::Join": [
          "",
          [{ "Fn::GetAtt": [bucketId(oldRegion), "Arn"] }, "/alb/AWSLogs/", { Ref: "AWS::AccountId" }, "/*"],
        ],
      }),
    );
  });

  it("newer Region: the logdelivery.elasticloadbalancing.amazonaws.com service principal, no account id", () => {
    const put = statements(newRegion).filter((st) => st.Effect === "Allow" && st.Action === "s3:PutObject");
    expect(put.map((st) => st.Principal)).toContainEqual({
      Service: "logdelivery.elasticloadbalancing.amazonaws.com",
    });
    expect(JSON.stringify(statements(newRegion))).not.toMatch(/arn:aws:iam::\d{12}:root/);
  });

  it("cdk-nag: ELB2 no longer acknowledged, and it passes (as does everything else); only S1 acknowledged, with a reason", () => {
    for (const s of [oldRegion, newRegion]) {
      expect(acknowledged(s.stack, "AwsSolutions-ELB2")).toBe(false);
      const report = new AwsSolutionsChecks().validateScope(s.stack);
      expect(report.violations.filter((v) => v.severity === "error").map((v) => v.ruleName)).toEqual([]);
      expect(acknowledged(s.stack.node.findChild("AccessLogs"), "AwsSolutions-S1")).toBe(true);
    }
  });

  it("the stack stays account-agnostic (only the region is bound): no lookup, no credentials needed to synthesize", () => {
    expect(oldRegion.stack.region).toBe("eu-west-1");
    expect(Token.isUnresolved(oldRegion.stack.account)).toBe(true);
    // The only literal account id in the policy is eu-west-1's ELB account; this account is AWS::AccountId.
    expect([...new Set(JSON.stringify(statements(oldRegion)).match(/\b\d{12}\b/g))]).toEqual([
      "156460612806",
    ]);
    expect(JSON.stringify(newRegion.json).match(/\b\d{12}\b/g)).toBeNull();
  });
});

describe("validation", () => {
  it("without a region: a usage error naming --alb-access-logs and --region", () => {
    expect(() => synth({ allowHttp: true, albAccessLogs: true })).toThrow(UsageError);
    expect(() => synth({ allowHttp: true, albAccessLogs: true })).toThrow(
      /--alb-access-logs: .*give --region/,
    );
  });
  it("albAccessLogsDays only with albAccessLogs; days within 1–3650", () => {
    expect(() => resolveProps({ allowHttp: true, albAccessLogsDays: 30 })).toThrow(
      /albAccessLogsDays \(--alb-access-logs-days\): only applies with albAccessLogs/,
    );
    expect(() => resolveProps({ allowHttp: true, albAccessLogs: true, albAccessLogsDays: 0 })).toThrow(
      /--alb-access-logs-days\): must be ≥ 1/,
    );
    expect(resolveProps({ allowHttp: true, albAccessLogs: true }).albAccessLogsDays).toBe(90);
  });
});

describe("CLI", () => {
  let dir: string;
  const savedEnv = { ...process.env };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "pypictl-access-logs-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
    Object.assign(process.env, savedEnv);
  });

  it("synth --alb-access-logs without a region: exit 2 naming the flag; with --region or AWS_REGION: the bucket", async () => {
    const none = captureIo({}, { cwd: dir });
    expect(await runCli(["synth", "--alb-access-logs"], none)).toBe(2);
    expect(none.stderr.text).toMatch(/--alb-access-logs: .*--region/);
    expect(none.stderr.text).not.toMatch(/\n\s+at /); // no stack trace
    expect(none.stdout.text).toBe("");

    for (const [args, env] of [
      [["synth", "--alb-access-logs", "--alb-access-logs-days", "14", "--region", "eu-west-1"], {}],
      [["synth", "--alb-access-logs", "--alb-access-logs-days", "14"], { AWS_REGION: "eu-west-1" }],
    ] as const) {
      const io = captureIo(env, { cwd: dir });
      expect(await runCli([...args], io), io.stderr.text).toBe(0);
      const t = JSON.parse(io.stdout.text) as {
        Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
      };
      const bucket = Object.values(t.Resources).find((r) => r.Type === "AWS::S3::Bucket")!;
      expect(JSON.stringify(bucket.Properties.LifecycleConfiguration)).toContain('"ExpirationInDays":14');
      expect(JSON.stringify(t)).toContain("arn:aws:iam::156460612806:root");
    }
  });

  it("deploy --alb-access-logs takes the region the SDK resolves (AWS_REGION) and deploys", async () => {
    const outputs = Object.fromEntries(
      Object.values(STACK_OUTPUT_KEYS).map((k) => [k, k === STACK_OUTPUT_KEYS.url ? "http://x" : `${k}-1`]),
    );
    const fake = await startFakeAws({ bootstrapVersion: "30", outputs });
    try {
      for (const k of Object.keys(process.env))
        if (k.startsWith("AWS_") || k.startsWith("CDK_")) delete process.env[k];
      Object.assign(process.env, {
        HOME: dir,
        AWS_CONFIG_FILE: join(dir, "no-config"),
        AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-credentials"),
        AWS_EC2_METADATA_DISABLED: "true",
        AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKE",
        AWS_SECRET_ACCESS_KEY: "fake",
        AWS_REGION: "eu-west-1",
        AWS_ENDPOINT_URL: fake.url,
      });
      const io = captureIo({}, { cwd: dir });
      const code = await runCli(
        ["deploy", "--allow-http", "--alb-access-logs", "--yes", "--outputs-file", "al.json"],
        io,
      );
      expect(code, io.stderr.text).toBe(0);
      expect(fake.calls).toEqual(expect.arrayContaining(["CreateChangeSet", "ExecuteChangeSet"]));
    } finally {
      await fake.close();
    }
  }, 120_000);
});
