/**
 * The printed policy, proved against what doctor does: every AWS call doctor makes in full runs (both
 * discovery paths: the stack's outputs with its probe document, and a Terraform-module fleet without one)
 * is recorded from the strict SDK mocks, turned into the authorization requests AWS makes (action, resource,
 * condition keys), and evaluated against the policy printed for that fleet. Every call is allowed, every
 * statement is used, and the calls doctor must never be able to make are denied.
 */
import { afterEach, describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { mockClient } from "aws-sdk-client-mock";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import {
  installFleet,
  scenario,
  fleetTarget,
  ACCOUNT,
  ASG,
  CLUSTER,
  REGION,
  SECRET_ARN,
  STACK_ID,
  type Fleet,
} from "../../fixtures/aws/sim.mjs";
import { doctorFleet, NOW, PROBE_STDOUT } from "../fleet/harness.js";
import {
  allowedActions,
  doctorIamPolicy,
  genericFleet,
  type IamPolicy,
} from "../../../src/sources/aws/iam-policy.js";
import { declaredActions } from "../../../src/sources/aws/grants.js";
import { policyFleetFrom } from "../../../src/sources/aws/policy-fleet.js";
import { resolveFleet } from "../../../src/cli/options/resolve-fleet.js";
import { readSecret } from "../../../src/sources/aws/secret.js";
import { AwsClientPool } from "../../../src/sources/aws/pool.js";
import { probeDocumentNamePrefix } from "../../../src/sources/host/probe-document.js";
import type { FleetTarget } from "../../../src/sources/target/model.js";
import { captureIo } from "../../helpers/io.js";
import { allowedBy, isAllowed, type AuthzRequest } from "../../helpers/iam-eval.js";
import { requestsFor, type AccountRegion } from "../../helpers/aws-requests.js";
import { SIZE_POLICY_SOURCES } from "../../../src/cli/commands/size-run.js";

const PREFIX: Record<string, string> = {
  ecs: "ecs",
  ec2: "ec2",
  "auto-scaling": "autoscaling",
  "elastic-load-balancing-v2": "elasticloadbalancing",
  efs: "elasticfilesystem",
  cloudwatch: "cloudwatch",
  "cloudwatch-logs": "logs",
  ssm: "ssm",
  cloudformation: "cloudformation",
  "secrets-manager": "secretsmanager",
  pricing: "pricing",
};

/** Every `XCommand` imported from an SDK client in the doctor's AWS code, as an IAM action. */
function commandsInSource(): string[] {
  const root = new URL("../../../src/", import.meta.url);
  const walk = (dir: URL): URL[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
      d.isDirectory()
        ? walk(new URL(`${d.name}/`, dir))
        : d.name.endsWith(".ts")
          ? [new URL(d.name, dir)]
          : [],
    );
  // Everything doctor runs: sources (the secret reader the auth checks use among them), checks, target resolution.
  const files = [...walk(new URL("sources/", root)), ...walk(new URL("checks/", root))];
  const out = new Set<string>();
  for (const f of files) {
    const text = readFileSync(f, "utf8");
    for (const m of text.matchAll(
      /(?:import\s*\{([^}]*)\}\s*from\s*|const\s*\{([^}]*)\}\s*=\s*await\s+import\()\s*"@aws-sdk\/client-([a-z0-9-]+)"/g,
    ))
      for (const name of (m[1] ?? m[2]!).split(",").map((s) => s.trim()))
        if (/^[A-Z]\w*Command$/.test(name)) out.add(`${PREFIX[m[3]!]}:${name.replace(/Command$/, "")}`);
  }
  return [...out].sort();
}

const CLIENT: Record<string, string> = {
  ecs: "ECS",
  ec2: "EC2",
  autoscaling: "AutoScaling",
  elbv2: "ElasticLoadBalancingV2",
  efs: "EFS",
  cloudwatch: "CloudWatch",
  ssm: "SSM",
  cloudformation: "CloudFormation",
  logs: "CloudWatchLogs",
};

const DOCUMENT = `${probeDocumentNamePrefix()}0a1b2c3d-0000-4000-8000-000000000000`;
const OUTSIDER = "i-0fffffffffffffff0";

/** The account as the simulated fleet has it: its instances carry the ASG tag, OUTSIDER another group's. */
const world = (fleet: Fleet): AccountRegion => ({
  partition: "aws",
  region: REGION,
  account: ACCOUNT,
  instanceGroup: (id) => (fleet.ids.includes(id) ? ASG : id === OUTSIDER ? "some-other-asg" : undefined),
  stackArn: (name) => STACK_ID.replace("/pypiserver/", `/${name}/`),
});

/** Every recorded call of the fleet's mocks (and of extra mocks), as authorization requests. */
function recorded(
  fleet: Fleet,
  extra: Array<{ client: string; calls: () => Array<{ args: unknown[] }> }> = [],
): AuthzRequest[] {
  const all = [
    ...Object.entries(fleet.mocks).map(([k, m]) => ({ client: CLIENT[k]!, calls: () => m.calls() })),
    ...extra,
  ];
  return all.flatMap(({ client, calls }) =>
    calls().flatMap((c) => {
      const cmd = c.args[0] as { constructor: { name: string }; input: Record<string, unknown> };
      return requestsFor(client, cmd.constructor.name, cmd.input, world(fleet));
    }),
  );
}

/**
 * Full doctor runs (every fleet check) against `target` along both discovery paths (everything named; and
 * the instances found through the cluster's container instances, the load balancer through its target
 * group), plus the auth checks' secret read.
 */
async function runAndRecord(
  fleet: Fleet,
  target: FleetTarget,
): Promise<{ requests: AuthzRequest[]; target: FleetTarget }> {
  const secrets = mockClient(SecretsManagerClient);
  secrets.onAnyCommand().rejects(new Error("unexpected command in strict mock"));
  secrets
    .on(GetSecretValueCommand)
    .resolves({ SecretString: JSON.stringify({ username: "u", password: "p" }) });
  try {
    await doctorFleet({ target });
    const bare = { autoScalingGroup: undefined, loadBalancer: undefined, targetGroup: undefined };
    await doctorFleet({ target: { ...target, ...bare } as FleetTarget });
    await readSecret(new AwsClientPool().for({ region: REGION }), target.secretId!, {
      username: "username",
      password: "password",
    });
    return {
      requests: recorded(fleet, [{ client: "SecretsManager", calls: () => secrets.calls() }]),
      target,
    };
  } finally {
    secrets.restore();
  }
}

function expectAllAllowed(policy: IamPolicy, requests: AuthzRequest[]) {
  // A fleet without the stack's LogGroupName output (the Terraform module's) gets the LOG_GROUP placeholder
  // for the service's log group (logs.gunicorn): the user fills it in, so those reads are not judged here.
  const placeholderLogs = JSON.stringify(policy).includes("log-group:LOG_GROUP");
  requests = requests.filter((r) => !(placeholderLogs && r.action === "logs:FilterLogEvents"));
  const denied = requests.filter((r) => !isAllowed(policy, r));
  expect(denied, JSON.stringify(policy, null, 2)).toEqual([]);
  // Nothing else: every statement allowed at least one call doctor made.
  const used = new Set(requests.map((r) => allowedBy(policy, r)));
  const unused = policy.Statement.filter((s) => !used.has(s.Sid));
  expect(
    unused.filter((s) => !(placeholderLogs && s.Action.includes("logs:FilterLogEvents"))).map((s) => s.Sid),
  ).toEqual([]);
  // And every action the policy names was called.
  const called = new Set(requests.map((r) => r.action));
  expect(
    [...allowedActions(policy)].filter(
      (a) => !called.has(a) && !(placeholderLogs && a === "logs:FilterLogEvents"),
    ),
  ).toEqual([]);
}

let fleet: Fleet | undefined;
afterEach(() => {
  fleet?.restore();
  fleet = undefined;
});

const send = (document: string, instance: string, group?: string): AuthzRequest[] => [
  {
    action: "ssm:SendCommand",
    resource: `arn:aws:ssm:${REGION}:${/^AWS-/.test(document) ? "" : ACCOUNT}:document/${document}`,
  },
  {
    action: "ssm:SendCommand",
    resource: `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${instance}`,
    context: group ? { "ssm:resourceTag/aws:autoscaling:groupName": group } : {},
  },
];
const allAllowed = (p: IamPolicy, rs: AuthzRequest[]) => rs.every((r) => isAllowed(p, r));

describe("doctor's IAM policy", () => {
  it("declares every SDK command the AWS sources import", () => {
    const found = commandsInSource();
    expect(found).toContain("secretsmanager:GetSecretValue");
    expect(found.filter((a) => !declaredActions().has(a))).toEqual([]);
    // Doctor's policy, or size's for the Price List.
    const allowed = new Set([...allowedActions(), ...allowedActions(doctorIamPolicy(SIZE_POLICY_SOURCES))]);
    expect(found.filter((a) => !allowed.has(a))).toEqual([]);
  });

  it("a stack fleet: every call of a full run is allowed, with SendCommand only on its probe document", async () => {
    fleet = installFleet(
      scenario({
        instances: 3,
        instanceType: "t3.small",
        probeStdout: PROBE_STDOUT,
        probeDocument: DOCUMENT,
        stoppedTasks: [{ minutesAgo: 3, exitCode: 137, reason: "OutOfMemoryError" }],
      }),
      NOW,
    );
    const target = await resolveFleet(
      { kind: "fleet", region: REGION, stack: "pypiserver" },
      {},
      captureIo(),
    );
    expect(target.probeDocument).toBe(DOCUMENT);
    const { requests } = await runAndRecord(fleet, target);
    expect(requests.some((r) => r.resource.endsWith(`document/${DOCUMENT}`))).toBe(true);
    const policy = doctorIamPolicy(undefined, policyFleetFrom(target));
    expectAllAllowed(policy, requests);

    // What it must never allow: the shell document, another fleet's instance, another secret, another cluster.
    expect(allAllowed(policy, send("AWS-RunShellScript", fleet.ids[0]!, ASG))).toBe(false);
    expect(allAllowed(policy, send(DOCUMENT, OUTSIDER, "some-other-asg"))).toBe(false);
    expect(allAllowed(policy, send(DOCUMENT, "i-0eeeeeeeeeeeeeee0"))).toBe(false);
    expect(allAllowed(policy, send(DOCUMENT, fleet.ids[0]!, ASG))).toBe(true);
    const other = (resource: string, action: string, context?: Record<string, string>) =>
      isAllowed(policy, { action, resource, ...(context ? { context } : {}) });
    expect(
      other(SECRET_ARN.replace("pypiserver-AbCdEf", "prod-db-XyZ123"), "secretsmanager:GetSecretValue"),
    ).toBe(false);
    expect(other(`arn:aws:ecs:${REGION}:${ACCOUNT}:service/other/other`, "ecs:DescribeServices")).toBe(false);
    expect(
      other("*", "ecs:ListTasks", { "ecs:cluster": `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/other` }),
    ).toBe(false);
    expect(other(`arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`, "ecs:UpdateService")).toBe(false);
  });

  it("a Terraform-module fleet: AWS-RunShellScript, but only on the fleet's instances, and the Sid says so", async () => {
    fleet = installFleet(
      scenario({
        instances: 2,
        instanceType: "t3.small",
        probeStdout: PROBE_STDOUT,
        stoppedTasks: [{ minutesAgo: 3, exitCode: 137, reason: "OutOfMemoryError" }],
      }),
      NOW,
    );
    // What --terraform-outputs gives: no stack, no target group, no file system (found at run time).
    const target = fleetTarget({
      stack: undefined,
      targetGroup: undefined,
      fileSystemId: undefined,
    }) as FleetTarget;
    const { requests } = await runAndRecord(fleet, target);
    const policy = doctorIamPolicy(undefined, policyFleetFrom(target));
    expectAllAllowed(policy, requests);
    expect(policy.Statement.map((s) => s.Sid)).toContain("PypictlRunAnyShellCommandAsRootOnFleetInstances");
    expect(allAllowed(policy, send("AWS-RunShellScript", fleet.ids[0]!, ASG))).toBe(true);
    // SendCommand with AWS-RunShellScript on an instance outside the fleet is denied.
    expect(allAllowed(policy, send("AWS-RunShellScript", OUTSIDER, "some-other-asg"))).toBe(false);
    expect(allAllowed(policy, send("AWS-RunShellScript", "i-0eeeeeeeeeeeeeee0"))).toBe(false);
    expect(allAllowed(policy, send("AWS-RunPowerShellScript", fleet.ids[0]!, ASG))).toBe(false);
  });

  it("without a fleet: placeholders, no unconditioned secret:* and no shell", () => {
    const p = doctorIamPolicy(undefined, genericFleet("pypictl-probe-v3-x-STACK_UUID"));
    const text = JSON.stringify(p);
    expect(text).toContain("arn:aws:ecs:REGION:ACCOUNT:cluster/CLUSTER");
    expect(text).not.toContain("AWS-RunShellScript");
    const secret = p.Statement.find((s) => s.Action.includes("secretsmanager:GetSecretValue"))!;
    expect(secret.Resource).toBe("arn:aws:secretsmanager:REGION:ACCOUNT:secret:*");
    expect(secret.Condition).toEqual({
      StringEquals: { "secretsmanager:ResourceTag/pypictl:credentials": "index" },
    });
    for (const s of p.Statement)
      for (const a of s.Action)
        if (a !== "ssm:SendCommand") expect(a).toMatch(/:(Describe|List|Get|FilterLogEvents$)/);
    for (const s of p.Statement.filter((s) => s.Resource === "*"))
      expect(s.Sid === "PypictlReadsWithoutResourceLevelPermissions" || s.Condition !== undefined).toBe(true);
  });
});
