/**
 * The wiring test: for every preset and option combination (test/infra/matrix.ts), follow each path a
 * request and a packet take through the synthesized template — client → listener → target group → the
 * hosts' dynamic port range (ingress on the hosts' SG from the ALB's SG and egress from the ALB's SG) →
 * container port; hosts → EFS 2049; hosts → internet; tasks → Secrets Manager and Logs. cdk-nag runs in each
 * synthesis (an unsuppressed finding throws). cfn-lint then reads the same templates (one invocation) and
 * must report nothing. Templates are synthesized once in beforeAll.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { synth } from "./helpers.js";
import { COMBOS, allPairs, pairsOf, pairwiseRows, subnetId, type Combo } from "./matrix.js";
import { resolveProps } from "../../src/infra/props.js";
import { cfnLint } from "./cfn-lint.js";
import { traceWiring, ingressAllows, egressAllows, servicePieces, type TemplateJson } from "./wiring.js";

const templates = new Map<string, TemplateJson>();

beforeAll(() => {
  for (const c of COMBOS)
    templates.set(c.name, synth(c.props, { env: c.env, context: c.context }).json as unknown as TemplateJson);
}, 600_000);

function expectations(c: Combo) {
  const p = resolveProps(c.props);
  return {
    protocol: p.protocol,
    allowedCidrs: p.allowedCidrs,
    natGateways: p.vpcId ? undefined : p.natGateways,
    existingPrivateSubnets: p.vpcId ? [subnetId("Private", 0), subnetId("Private", 1)] : undefined,
  };
}

describe("every path a request and a packet take is wired", () => {
  for (const c of COMBOS) {
    it(c.name, () => {
      expect(traceWiring(templates.get(c.name)!, expectations(c))).toEqual([]);
    });
  }
});

describe("the option matrix", () => {
  it("covers every pair of option values (each pairwise row is one synthesized combo above)", () => {
    const covered = new Set(pairwiseRows().flatMap(pairsOf));
    expect([...allPairs()].filter((p) => !covered.has(p))).toEqual([]);
    // ALB access logs (a region-bound stack) with the pull-through cache: the pair that broke cdk-nag.
    expect(COMBOS.some((c) => c.props.albAccessLogs && c.props.dockerHubCredentialArn)).toBe(true);
  });
});

describe("the tracer catches the bugs it is for", () => {
  it("removing the ALB → hosts rules (today's bug before the fix) breaks the path", () => {
    const t = structuredClone(templates.get(COMBOS[0]!.name)!);
    for (const [id, r] of Object.entries(t.Resources)) {
      if (
        (r.Type === "AWS::EC2::SecurityGroupIngress" || r.Type === "AWS::EC2::SecurityGroupEgress") &&
        (r.Properties?.FromPort as number) === 32768
      )
        delete t.Resources[id];
    }
    // What CDK renders for the ALB group when nothing may leave it.
    const lbSg = Object.values(t.Resources).find(
      (r) =>
        r.Type === "AWS::EC2::SecurityGroup" &&
        String(r.Properties?.GroupDescription).includes("load balancer"),
    )!;
    lbSg.Properties!.SecurityGroupEgress = [
      {
        CidrIp: "255.255.255.255/32",
        Description: "Disallow all traffic",
        FromPort: 252,
        IpProtocol: "icmp",
        ToPort: 86,
      },
    ];
    const broken = traceWiring(t, expectations(COMBOS[0]!));
    expect(broken).toContain("hosts' SG admits the load balancer's SG on 32768–65535");
    expect(broken).toContain("load balancer's SG may send to the hosts' SG on 32768–65535");
  });

  it("security-group semantics: no egress property means allow-all; a placeholder means nothing", () => {
    const t: TemplateJson = {
      Resources: {
        Open: { Type: "AWS::EC2::SecurityGroup", Properties: {} },
        Closed: {
          Type: "AWS::EC2::SecurityGroup",
          Properties: {
            SecurityGroupEgress: [
              { CidrIp: "255.255.255.255/32", FromPort: 252, IpProtocol: "icmp", ToPort: 86 },
            ],
          },
        },
        In: {
          Type: "AWS::EC2::SecurityGroupIngress",
          Properties: {
            GroupId: { "Fn::GetAtt": ["Closed", "GroupId"] },
            IpProtocol: "tcp",
            FromPort: 80,
            ToPort: 90,
            SourceSecurityGroupId: { "Fn::GetAtt": ["Open", "GroupId"] },
          },
        },
      },
    };
    expect(egressAllows(t, "Open", { sg: "Closed" }, [85, 85])).toBe(true);
    expect(egressAllows(t, "Closed", { sg: "Open" }, [85, 85])).toBe(false);
    expect(ingressAllows(t, "Closed", { sg: "Open" }, [80, 90])).toBe(true);
    expect(ingressAllows(t, "Closed", { sg: "Open" }, [80, 91])).toBe(false);
  });

  it("hosts are found by following service → capacity provider → ASG → launch template", () => {
    const s = servicePieces(templates.get(COMBOS[0]!.name)!);
    expect(s.hostSgs).toHaveLength(1);
    expect(s.hostSubnets.length).toBeGreaterThanOrEqual(2);
  });
});

describe("cfn-lint reports nothing on any combination", () => {
  // Required in CI (CI=true); skipped on a machine without cfn-lint.
  const required = process.env.CI === "true";
  // CI runs the suite twice (Node 20, then Node 22). cfn-lint (Python, ~2 s of CPU a template) reads bytes,
  // not Node: when the first run recorded the digests of the templates it linted clean, the second run
  // skips the linting only if its templates are byte-identical, and lints them otherwise.
  const verified = process.env.PYPICTL_CFN_LINT_VERIFIED;
  it("every template, one cfn-lint run per core", async (ctx) => {
    const digests = Object.fromEntries(
      [...templates].map(([name, t]) => [name, createHash("sha256").update(JSON.stringify(t)).digest("hex")]),
    );
    if (verified && existsSync(verified)) {
      const linted = JSON.parse(readFileSync(verified, "utf8")) as Record<string, string>;
      if (JSON.stringify(linted) === JSON.stringify(digests)) return;
    }
    const result = await cfnLint(templates);
    if (result === undefined) {
      if (required) throw new Error("cfn-lint is not installed (CI=true requires it: pip install cfn-lint)");
      ctx.skip();
      return;
    }
    expect(result.version).toMatch(/^cfn-lint \d+\./);
    const report = result.findings.map(
      (f) => `${f.Filename.replace(/^.*\//, "")}: ${f.Rule.Id} ${f.Message}`,
    );
    expect(report).toEqual([]);
    if (verified) writeFileSync(verified, JSON.stringify(digests));
  }, 400_000);
});
