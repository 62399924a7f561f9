/**
 * The stack's least-privilege access: the probe document it ships is doctor's probe, and its managed policies
 * are the very documents `pypictl doctor --print-iam-policy --stack` prints for it. The synthesized template
 * is resolved (Ref, Fn::GetAtt, Fn::Join, Fn::Select, Fn::Split) against fake physical ids, its outputs are
 * served by a strict CloudFormation mock, and the CLI's printed policy must equal the stack's, statement for
 * statement.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { DescribeSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { synth, type Synthesized } from "./helpers.js";
import { probeDocumentContent, probeDocumentNamePrefix } from "../../src/sources/host/probe-document.js";
import { credsIamPolicy, type IamPolicy } from "../../src/sources/aws/iam-policy.js";
import { policyFleetFrom } from "../../src/sources/aws/policy-fleet.js";
import { resolveFleet } from "../../src/cli/options/resolve-fleet.js";
import { runCli } from "../../src/cli/main.js";
import { captureIo } from "../helpers/io.js";

const REGION = "eu-west-1";
const ACCOUNT = "123456789012";
const STACK = "pypiserver";
const UUID = "0a1b2c3d-0000-4000-8000-000000000000";
const STACK_ID = `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${STACK}/${UUID}`;

type Resources = Synthesized["json"]["Resources"];

/** What Ref returns for each resource type (CloudFormation's "Return values" per resource), faked. */
function refOf(id: string, resources: Resources, resolve: (v: unknown) => unknown): string {
  const r = resources[id];
  if (!r) throw new Error(`Ref to unknown ${id}`);
  switch (r.Type) {
    case "AWS::SSM::Document":
      return resolve(r.Properties!.Name) as string;
    case "AWS::SecretsManager::Secret":
      return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${id}-AbCdEf`;
    case "AWS::ElasticLoadBalancingV2::LoadBalancer":
      return `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/${id}/50dc6c495c0c9188`;
    case "AWS::ElasticLoadBalancingV2::TargetGroup":
      return `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/${id}/73e2d6bc24d8a067`;
    case "AWS::EFS::FileSystem":
      return "fs-0123456789abcdef0";
    case "AWS::IAM::ManagedPolicy":
      return `arn:aws:iam::${ACCOUNT}:policy/${id}`;
    default:
      return `${STACK}-${id}-FAKE`;
  }
}

function resolver(resources: Resources) {
  const pseudo: Record<string, string> = {
    "AWS::Partition": "aws",
    "AWS::Region": REGION,
    "AWS::AccountId": ACCOUNT,
    "AWS::StackName": STACK,
    "AWS::StackId": STACK_ID,
    "AWS::URLSuffix": "amazonaws.com",
  };
  const resolve = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(resolve);
    if (v === null || typeof v !== "object") return v;
    const o = v as Record<string, unknown>;
    const [key] = Object.keys(o);
    if (Object.keys(o).length === 1) {
      const arg = o[key!];
      switch (key) {
        case "Ref":
          return pseudo[arg as string] ?? refOf(arg as string, resources, resolve);
        case "Fn::GetAtt": {
          const [id, attr] = arg as [string, string];
          if (resources[id]?.Type === "AWS::ECS::Service" && attr === "Name") return `${STACK}-Service-FAKE`;
          return `${id}.${attr}`;
        }
        case "Fn::Join": {
          const [sep, parts] = arg as [string, unknown[]];
          return (resolve(parts) as string[]).join(sep);
        }
        case "Fn::Select": {
          const [i, list] = arg as [number | string, unknown];
          return (resolve(list) as string[])[Number(i)];
        }
        case "Fn::Split": {
          const [sep, text] = arg as [string, unknown];
          return (resolve(text) as string).split(sep);
        }
      }
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, resolve(x)]));
  };
  return resolve;
}

let s: Synthesized;
let resolve: (v: unknown) => unknown;
const cfn = mockClient(CloudFormationClient);
const secrets = mockClient(SecretsManagerClient);
const savedEnv = { ...process.env };

beforeAll(() => {
  s = synth({ allowHttp: true });
  resolve = resolver(s.json.Resources);
  const outputs = Object.entries(s.json.Outputs).map(([OutputKey, o]) => ({
    OutputKey,
    OutputValue: resolve((o as { Value: unknown }).Value) as string,
  }));
  cfn.onAnyCommand().rejects(new Error("unexpected command in strict mock"));
  cfn.on(DescribeStacksCommand, { StackName: STACK }).resolves({
    Stacks: [
      {
        StackName: STACK,
        StackId: STACK_ID,
        StackStatus: "CREATE_COMPLETE",
        CreationTime: new Date(),
        Outputs: outputs,
      },
    ],
  });
  secrets.onAnyCommand().rejects(new Error("unexpected command in strict mock"));
  // The stack's secret uses the AWS managed key: DescribeSecret has no KmsKeyId.
  secrets
    .on(DescribeSecretCommand)
    .resolves({ ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:x" });
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: "AKIDTEST",
    AWS_SECRET_ACCESS_KEY: "secret",
    AWS_EC2_METADATA_DISABLED: "true",
  });
});
afterAll(() => {
  cfn.restore();
  secrets.restore();
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
});

const policyOf = (description: RegExp): IamPolicy => {
  const found = Object.values(s.json.Resources).filter(
    (r) => r.Type === "AWS::IAM::ManagedPolicy" && description.test(String(r.Properties?.Description)),
  );
  expect(found).toHaveLength(1);
  return resolve(found[0]!.Properties!.PolicyDocument) as IamPolicy;
};

describe("the stack's least-privilege access", () => {
  it("ships doctor's probe document, named by version, content hash and the stack's UUID", () => {
    const docs = Object.values(s.json.Resources).filter((r) => r.Type === "AWS::SSM::Document");
    expect(docs).toHaveLength(1);
    expect(docs[0]!.Properties!.DocumentType).toBe("Command");
    expect(docs[0]!.Properties!.Content).toEqual(probeDocumentContent());
    expect(resolve(docs[0]!.Properties!.Name)).toBe(`${probeDocumentNamePrefix()}${UUID}`);
  });

  it("tags its secret so the fleet-less policy's tag condition finds it", () => {
    s.template.hasResourceProperties("AWS::SecretsManager::Secret", {
      Tags: [{ Key: "pypictl:credentials", Value: "index" }],
    });
  });

  it("doctor's managed policy is the document `doctor --print-iam-policy --stack` prints", async () => {
    const io = captureIo();
    expect(await runCli(["doctor", "--print-iam-policy", "--stack", STACK, "--region", REGION], io)).toBe(0);
    const printed = JSON.parse(io.stdout.text) as IamPolicy;
    const stack = policyOf(/^pypictl doctor/);
    expect(stack).toEqual(printed);
    // And it is the narrow one: the stack's document on the stack's instances, no shell.
    expect(JSON.stringify(stack)).not.toContain("AWS-RunShellScript");
    const asg = Object.keys(s.json.Resources).find(
      (k) => s.json.Resources[k]!.Type === "AWS::AutoScaling::AutoScalingGroup",
    )!;
    expect(stack.Statement.find((x) => x.Sid === "PypictlOnlyOnFleetInstances")!.Condition).toEqual({
      StringEquals: { "ssm:resourceTag/aws:autoscaling:groupName": `${STACK}-${asg}-FAKE` },
    });
  });

  it("creds' managed policy: the stack's outputs and the secret, nothing else", async () => {
    const target = await resolveFleet({ kind: "fleet", region: REGION, stack: STACK }, {}, captureIo());
    const stack = policyOf(/^pypictl creds/);
    expect(stack).toEqual(credsIamPolicy(policyFleetFrom(target)));
    expect(stack.Statement.flatMap((x) => x.Action).sort()).toEqual([
      "cloudformation:DescribeStacks",
      "secretsmanager:GetSecretValue",
    ]);
  });

  it("outputs both policy ARNs and the probe document's name", () => {
    for (const k of ["DoctorPolicyArn", "CredsPolicyArn", "HostProbeDocumentName", "LogGroupName"])
      expect(Object.keys(s.json.Outputs)).toContain(k);
  });
});
