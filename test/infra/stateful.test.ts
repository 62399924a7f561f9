/**
 * The stateful-replacement guard on synthesized templates: every transition that creates a new, replaces,
 * or orphans the package file system, the credentials secret, the backup vault, the VPC or the load balancer
 * is named with the flag that allows it; routine changes (an e-mail, a size, an image tag, NAT gateways) are
 * not. Also the plan's words: before → after with the source of each new value.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { statefulChanges, type TemplateJson } from "../../src/infra/stateful.js";
import { layerProps } from "../../src/infra/layers.js";
import { formatPlan, planProps } from "../../src/infra/plan.js";
import { resolveProps, type PypiServerStackProps } from "../../src/infra/props.js";
import { synth } from "./helpers.js";
import { ACCOUNT, CERT_TLS, EXISTING_VPC_ID, KEPT, vpcLookupContext } from "./matrix.js";

const OTHER_FS = "fs-0fedcba9876543210";
const OTHER_SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pypi-other-ZyXwVu";
const ENV = { account: ACCOUNT, region: "eu-west-1" };

const cache = new Map<string, TemplateJson>();
function template(props: PypiServerStackProps, env = false): TemplateJson {
  const key = JSON.stringify([props, env]);
  if (!cache.has(key))
    cache.set(
      key,
      synth(props, env ? { env: ENV, context: vpcLookupContext({ region: ENV.region }) } : {})
        .json as TemplateJson,
    );
  return cache.get(key)!;
}
const kinds = (a: TemplateJson, b: TemplateJson) => statefulChanges(a, b).map((c) => c.kind);

const BASE: PypiServerStackProps = { ...CERT_TLS };

describe("statefulChanges on synthesized templates", () => {
  beforeAll(() => {
    template(BASE);
  }, 30_000);

  it("routine updates touch no stateful resource", () => {
    for (const change of [
      { alarmEmail: "oncall@example.com" },
      { size: "heavy" },
      { imageTag: "v2.3.2" },
      { natGateways: 2 },
      { allowedCidrs: ["10.0.0.0/8"] },
      { efsThroughputMode: "bursting" },
      { containerMemory: 1024, size: "very-heavy" },
    ] as PypiServerStackProps[])
      expect({ change, kinds: kinds(template(BASE), template({ ...BASE, ...change })) }).toEqual({
        change,
        kinds: [],
      });
  }, 60_000);

  it("file system: stack-owned → adopted, adopted → another, adopted → a new one", () => {
    const owned = template(BASE);
    const adopted = template({ ...BASE, fileSystemId: KEPT.fileSystemId });
    const other = template({ ...BASE, fileSystemId: OTHER_FS });
    const [toAdopted] = statefulChanges(owned, adopted);
    expect(toAdopted).toMatchObject({ kind: "file-system", flag: "--allow-replace file-system" });
    expect(toAdopted!.message).toMatch(
      new RegExp(
        `switches from the stack's package file system \\(Packages\\w+\\) \\(orphaned: kept, no longer used\\) to the adopted package file system ${KEPT.fileSystemId}`,
      ),
    );
    expect(statefulChanges(adopted, other)[0]!.message).toMatch(
      `switches from the adopted package file system ${KEPT.fileSystemId} to the adopted package file system ${OTHER_FS}`,
    );
    expect(statefulChanges(adopted, owned)[0]!.message).toMatch(
      `switches from the adopted package file system ${KEPT.fileSystemId} to a new package file system`,
    );
  }, 60_000);

  it("file system: a replacing property (PerformanceMode) is a replacement", () => {
    const owned = template(BASE);
    const changed = structuredClone(owned);
    const fs = Object.values(changed.Resources!).find((r) => r.Type === "AWS::EFS::FileSystem")!;
    fs.Properties!.PerformanceMode = "maxIO";
    expect(statefulChanges(owned, changed)[0]!.message).toMatch(/replaces the stack's package file system/);
  });

  it("secret: adopted ↔ stack-owned, another adopted one, and a new username (a regenerated password)", () => {
    const owned = template(BASE);
    const adopted = template({ ...BASE, secretArn: KEPT.secretArn });
    expect(kinds(owned, adopted)).toEqual(["secret"]);
    expect(kinds(adopted, owned)).toEqual(["secret"]);
    expect(kinds(adopted, template({ ...BASE, secretArn: OTHER_SECRET }))).toEqual(["secret"]);
    const renamed = statefulChanges(owned, template({ ...BASE, username: "ci" }));
    expect(renamed.map((c) => c.kind)).toEqual(["secret"]);
    expect(renamed[0]!.message).toMatch(
      /replaces the stack's credentials secret .*401.*--allow-replace secret/,
    );
  }, 60_000);

  it("backup vault: adopted ↔ stack-owned", () => {
    const owned = template(BASE);
    const adopted = template({ ...BASE, backupVaultName: KEPT.backupVaultName });
    expect(kinds(owned, adopted)).toEqual(["backup-vault"]);
    expect(kinds(adopted, owned)).toEqual(["backup-vault"]);
  }, 60_000);

  it("VPC: a new VPC → an existing one and back", () => {
    const owned = template(BASE);
    const existing = template({ ...BASE, vpcId: EXISTING_VPC_ID }, true);
    expect(kinds(owned, existing)).toEqual(["vpc"]);
    expect(statefulChanges(existing, owned)[0]!.message).toMatch(
      `switches from the adopted VPC ${EXISTING_VPC_ID} to a new VPC`,
    );
  }, 60_000);

  it("load balancer: a new logical id or a replacing property (Scheme) is named", () => {
    const owned = template(BASE);
    const internal = structuredClone(owned);
    const lb = Object.values(internal.Resources!).find(
      (r) => r.Type === "AWS::ElasticLoadBalancingV2::LoadBalancer",
    )!;
    lb.Properties!.Scheme = "internal";
    expect(kinds(owned, internal)).toEqual(["load-balancer"]);
    const renamed = structuredClone(owned);
    const [id, res] = Object.entries(renamed.Resources!).find(
      ([, r]) => r.Type === "AWS::ElasticLoadBalancingV2::LoadBalancer",
    )!;
    delete renamed.Resources![id];
    renamed.Resources!.LoadBalancerV2 = res;
    expect(statefulChanges(owned, renamed)[0]!.message).toMatch(/DNS name .* would change/);
  });

  it("several at once, each with its own flag", () => {
    const changes = statefulChanges(template(BASE), template({ ...BASE, ...KEPT }));
    expect(changes.map((c) => c.flag)).toEqual([
      "--allow-replace file-system",
      "--allow-replace secret",
      "--allow-replace backup-vault",
    ]);
  }, 60_000);
});

describe("the plan in words", () => {
  const deployed: PypiServerStackProps = { size: "heavy", ...KEPT, ...CERT_TLS };

  it("an update lists each change (before → after, source), the deployed values kept, and the notes", () => {
    const layered = layerProps({
      deployed,
      flags: { alarmEmail: "oncall@example.com" },
      config: { imageTag: "v2.3.2" },
    });
    const plan = planProps(resolveProps(deployed), resolveProps(layered.props), layered, { update: true });
    const text = formatPlan("pypi-prod", plan);
    expect(text).toContain("Props of stack pypi-prod that change:\n");
    expect(text).toMatch(/^ {2}imageTag +v2\.4\.1 → v2\.3\.2 {2}\(config deploy\.imageTag\)$/m);
    expect(text).toMatch(/^ {2}alarmEmail +\(none\) → oncall@example\.com {2}\(flag --alarm-email\)$/m);
    expect(text).toContain(
      "Kept at their deployed values: size, fileSystemId, backupVaultName, secretArn, domainName, certificateArn.",
    );
    expect(text).not.toMatch(/alarms reach nobody/);
    expect(plan.changes.map((c) => c.key)).toEqual(["imageTag", "alarmEmail"]);
  });

  it("a reset shows its default as the new value; derived values follow (size → counts)", () => {
    const layered = layerProps({ deployed, reset: ["size"] });
    const plan = planProps(resolveProps(deployed), resolveProps(layered.props), layered, { update: true });
    expect(plan.changes.find((c) => c.key === "size")).toEqual({
      key: "size",
      before: "heavy",
      after: "light",
      source: "default",
    });
    expect(plan.changes.find((c) => c.key === "instanceType")).toMatchObject({
      before: "c6a.xlarge",
      after: "t3.small",
    });
    expect(formatPlan("s", plan)).toContain("size: deployed value dropped, reset (--reset size)");
  });

  it("no change says so; one NAT gateway and no alarm subscriber are said", () => {
    // Heavy gives one NAT gateway per zone; this stack was deployed with one.
    const oneNat: PypiServerStackProps = { ...deployed, natGateways: 1 };
    const layered = layerProps({ deployed: oneNat });
    const plan = planProps(resolveProps(oneNat), resolveProps(layered.props), layered, { update: true });
    const text = formatPlan("s", plan);
    const perZone = layerProps({ deployed });
    expect(
      formatPlan(
        "s",
        planProps(resolveProps(deployed), resolveProps(perZone.props), perZone, { update: true }),
      ),
    ).not.toMatch(/NAT gateway for/);
    expect(text).toMatch(/no change \(every prop keeps its deployed value\)/);
    expect(text).toMatch(/note: 1 NAT gateway for 2 zones: .*--nat-gateways 2/);
    expect(text).toMatch(/note: alarms reach nobody/);
    expect(text).toMatch(new RegExp(`note: adopted file system ${KEPT.fileSystemId}: its throughput mode`));
  });
});
