import { afterEach, describe, expect, it } from "vitest";
import { readFileSync, readdirSync } from "node:fs";
import { installFleet, scenario, fleetTarget, type Fleet } from "../../fixtures/aws/sim.mjs";
import { doctorFleet, NOW, PROBE_STDOUT } from "../fleet/harness.js";
import { allowedActions, doctorIamPolicy } from "../../../src/sources/aws/iam-policy.js";
import { resolveFleet } from "../../../src/cli/options/resolve-fleet.js";
import { captureIo } from "../../helpers/io.js";
import { SIZE_POLICY_SOURCES } from "../../../src/cli/commands/size-run.js";

const PREFIX: Record<string, string> = {
  ecs: "ecs",
  ec2: "ec2",
  "auto-scaling": "autoscaling",
  "elastic-load-balancing-v2": "elasticloadbalancing",
  efs: "elasticfilesystem",
  cloudwatch: "cloudwatch",
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
    let text: string;
    try {
      text = readFileSync(f, "utf8");
    } catch {
      continue;
    }
    for (const m of text.matchAll(
      /(?:import\s*\{([^}]*)\}\s*from\s*|const\s*\{([^}]*)\}\s*=\s*await\s+import\()\s*"@aws-sdk\/client-([a-z0-9-]+)"/g,
    ))
      for (const name of (m[1] ?? m[2]!).split(",").map((s) => s.trim()))
        if (/^[A-Z]\w*Command$/.test(name)) out.add(`${PREFIX[m[3]!]}:${name.replace(/Command$/, "")}`);
  }
  return [...out].sort();
}

let fleet: Fleet | undefined;
afterEach(() => fleet?.restore());

describe("--print-iam-policy", () => {
  it("covers every SDK command the AWS sources import (doctor's policy, or size's for the Price List)", () => {
    const allowed = new Set([...allowedActions(), ...allowedActions(doctorIamPolicy(SIZE_POLICY_SOURCES))]);
    const found = commandsInSource();
    expect(found).toContain("secretsmanager:GetSecretValue");
    expect(found.filter((a) => !allowed.has(a))).toEqual([]);
  });

  it("covers every SDK command doctor issued in full runs along every discovery path", async () => {
    const issued = new Set<string>();
    const variants = [
      fleetTarget(),
      fleetTarget({
        autoScalingGroup: undefined,
        loadBalancer: undefined,
        targetGroup: undefined,
        fileSystemId: undefined,
      }),
    ];
    for (const target of variants) {
      fleet = installFleet(
        scenario({
          instanceType: "t3.small",
          probeStdout: PROBE_STDOUT,
          stoppedTasks: [{ minutesAgo: 3, exitCode: 137, reason: "OutOfMemoryError" }],
          ssm: { notManaged: ["i-0000000000a000001"] },
        }),
        NOW,
      );
      await resolveFleet({ kind: "fleet", region: "eu-west-1", stack: "pypiserver" }, {}, captureIo());
      await doctorFleet({ target });
      for (const a of fleet.actions()) issued.add(a);
      fleet.restore();
      fleet = undefined;
    }
    const allowed = allowedActions();
    expect([...issued].filter((a) => !allowed.has(a))).toEqual([]);
    // And the policy grants nothing doctor does not use (the secret is read by the auth checks, not simulated here).
    expect([...allowed].filter((a) => !issued.has(a)).sort()).toEqual(["secretsmanager:GetSecretValue"]);
  });

  it("is read-only apart from SendCommand, which is limited to AWS-RunShellScript and instances", () => {
    const p = doctorIamPolicy();
    for (const s of p.Statement)
      for (const a of s.Action) if (a !== "ssm:SendCommand") expect(a).toMatch(/:(Describe|List|Get)/);
    const send = p.Statement.find((s) => s.Action.includes("ssm:SendCommand"))!;
    expect(send.Action).toEqual(["ssm:SendCommand"]);
    expect(send.Resource).toEqual([
      "arn:aws:ssm:*::document/AWS-RunShellScript",
      "arn:aws:ec2:*:*:instance/*",
    ]);
  });
});
