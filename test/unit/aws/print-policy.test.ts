/**
 * `doctor --print-iam-policy` with and without a fleet: the stack's outputs resolve every ARN (document,
 * instances' group, secret, cluster, service, file system, log group), a customer-key secret adds kms:Decrypt
 * through Secrets Manager only, and without a fleet the placeholders are named on stderr.
 */
import { describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import { DescribeSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { scenario, ACCOUNT, ASG, REGION, SECRET_ARN } from "../../fixtures/aws/sim.mjs";
import { installTestFleet, NOW, useTestAwsEnv } from "../fleet/harness.js";
import { runCli } from "../../../src/cli/main.js";
import { captureIo } from "../../helpers/io.js";
import { probeDocumentNamePrefix } from "../../../src/sources/host/probe-document.js";
import type { IamPolicy } from "../../../src/sources/aws/iam-policy.js";

useTestAwsEnv();

const DOCUMENT = `${probeDocumentNamePrefix()}0a1b2c3d-0000-4000-8000-000000000000`;

async function print(args: string[], kmsKeyId?: string) {
  const secrets = mockClient(SecretsManagerClient);
  secrets.onAnyCommand().rejects(new Error("unexpected command in strict mock"));
  secrets
    .on(DescribeSecretCommand)
    .resolves({ ARN: SECRET_ARN, ...(kmsKeyId ? { KmsKeyId: kmsKeyId } : {}) });
  try {
    const io = captureIo();
    const code = await runCli(["doctor", "--print-iam-policy", ...args], io);
    return { code, policy: JSON.parse(io.stdout.text) as IamPolicy, stderr: io.stderr.text };
  } finally {
    secrets.restore();
  }
}

describe("--print-iam-policy", () => {
  it("--stack: the fleet's own ARNs, SendCommand only on its document and instances", async () => {
    installTestFleet(scenario({ probeDocument: DOCUMENT }), NOW);
    const { code, policy, stderr } = await print(["--stack", "pypiserver", "--region", REGION]);
    expect(code).toBe(0);
    const text = JSON.stringify(policy);
    expect(text).not.toMatch(/REGION|ACCOUNT|CLUSTER|AUTO_SCALING_GROUP|AWS-RunShellScript/);
    const bySid = Object.fromEntries(policy.Statement.map((s) => [s.Sid, s]));
    expect(bySid.PypictlSendProbeDocument!.Resource).toBe(
      `arn:aws:ssm:${REGION}:${ACCOUNT}:document/${DOCUMENT}`,
    );
    expect(bySid.PypictlOnlyOnFleetInstances!.Condition).toEqual({
      StringEquals: { "ssm:resourceTag/aws:autoscaling:groupName": ASG },
    });
    expect(bySid.PypictlReadIndexCredentials!.Resource).toBe(SECRET_ARN);
    expect(bySid.PypictlReadStackOutputs!.Resource).toBe(
      `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/pypiserver/*`,
    );
    expect(bySid.PypictlDecryptIndexCredentials).toBeUndefined();
    expect(stderr).toMatch(/# PypictlSendProbeDocument: run the stack's read-only probe document/);
    expect(stderr).not.toMatch(/Placeholders/);
  });

  it("a secret with a customer KMS key: kms:Decrypt on that key, only via Secrets Manager", async () => {
    installTestFleet(scenario({ probeDocument: DOCUMENT }), NOW);
    const key = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
    const { policy } = await print(["--stack", "pypiserver", "--region", REGION], key);
    expect(policy.Statement.find((s) => s.Sid === "PypictlDecryptIndexCredentials")).toEqual({
      Sid: "PypictlDecryptIndexCredentials",
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${key}`,
      Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${REGION}.amazonaws.com` } },
    });
  });

  it("a fleet without the probe document: AWS-RunShellScript on its instances, said in words", async () => {
    installTestFleet(scenario(), NOW);
    const { policy, stderr } = await print(["--stack", "pypiserver", "--region", REGION]);
    expect(policy.Statement.map((s) => s.Sid)).toContain("PypictlRunAnyShellCommandAsRootOnFleetInstances");
    expect(stderr).toMatch(/WARNING: .*runs ANY shell command as root/);
  });

  it("without a fleet: placeholders, named with the flag that fills each (no AWS call)", async () => {
    const { code, policy, stderr } = await print([]);
    expect(code).toBe(0);
    expect(JSON.stringify(policy)).toContain("arn:aws:ecs:REGION:ACCOUNT:service/CLUSTER/SERVICE");
    expect(stderr).toMatch(/Placeholders to replace: .*CLUSTER \(--cluster\)/);
    expect(stderr).toMatch(/--stack NAME/);
  });
});
