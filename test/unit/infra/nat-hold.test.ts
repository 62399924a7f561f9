/**
 * NAT gateways: the heavy presets give a new stack one per zone; a deployed stack keeps what it has unless a
 * flag or the config says otherwise. Recorded props win over defaults (layers.ts), and since a recording holds
 * only what the user set, a stack recorded without natGateways is held at its template's count (nat-hold.ts).
 */
import { describe, expect, it } from "vitest";
import { resolveProps, type PypiServerStackProps } from "../../../src/infra/props.js";
import { layerProps } from "../../../src/infra/layers.js";
import { deployedNatGateways, holdDeployedNat } from "../../../src/infra/nat-hold.js";
import { planProps } from "../../../src/infra/plan.js";
import { decodeRecordedProps, encodeRecordedProps } from "../../../src/infra/recorded-props.js";
import type { TemplateJson } from "../../../src/infra/stateful.js";

const HTTP = { allowHttp: true } as const;

/** The VPC part of a deployed template: a VPC, its subnets and this many NAT gateways. */
function vpcTemplate(nat: number, zones = 2): TemplateJson {
  const resources: Record<string, { Type: string; Properties?: Record<string, unknown> }> = {
    Vpc8378EB38: { Type: "AWS::EC2::VPC", Properties: { CidrBlock: "10.0.0.0/16" } },
  };
  for (let z = 0; z < zones; z++) {
    resources[`VpcPublicSubnet${z + 1}Subnet`] = { Type: "AWS::EC2::Subnet" };
    resources[`VpcPrivateSubnet${z + 1}Subnet`] = { Type: "AWS::EC2::Subnet" };
  }
  for (let n = 0; n < nat; n++)
    resources[`VpcPublicSubnet${n + 1}NATGateway`] = {
      Type: "AWS::EC2::NatGateway",
      Properties: { SubnetId: { Ref: `VpcPublicSubnet${n + 1}Subnet` } },
    };
  return { Resources: resources } as TemplateJson;
}

describe("NAT gateway defaults for new stacks", () => {
  it("light and medium share one; heavy and very-heavy get one per zone", () => {
    expect(resolveProps({ ...HTTP }).natGateways).toBe(1);
    expect(resolveProps({ ...HTTP, size: "medium" }).natGateways).toBe(1);
    expect(resolveProps({ ...HTTP, size: "heavy" }).natGateways).toBe(2);
    expect(resolveProps({ ...HTTP, size: "very-heavy" }).natGateways).toBe(2);
    expect(resolveProps({ ...HTTP, size: "heavy", maxAzs: 3 }).natGateways).toBe(3);
  });

  it("--nat-gateways overrides the preset", () => {
    expect(resolveProps({ ...HTTP, size: "heavy", natGateways: 1 }).natGateways).toBe(1);
    expect(resolveProps({ ...HTTP, size: "light", natGateways: 2 }).natGateways).toBe(2);
  });

  it("a new heavy stack's plan has no one-NAT note; a light one's names --nat-gateways 2", () => {
    const plan = (props: PypiServerStackProps) => {
      const layered = layerProps({ flags: props });
      return planProps(undefined, resolveProps(layered.props), layered, { update: false });
    };
    expect(plan({ ...HTTP, size: "heavy" }).notes.join("\n")).not.toMatch(/NAT gateway/);
    expect(plan({ ...HTTP }).notes.join("\n")).toMatch(
      /1 NAT gateway for 2 zones: .*--nat-gateways 2 gives each zone its own/,
    );
  });
});

describe("a deployed stack keeps its NAT gateways", () => {
  it("deployedNatGateways counts the template's NAT gateways; none of its own VPC: undefined", () => {
    expect(deployedNatGateways(vpcTemplate(1))).toBe(1);
    expect(deployedNatGateways(vpcTemplate(0))).toBe(0);
    expect(deployedNatGateways(vpcTemplate(3, 3))).toBe(3);
    expect(
      deployedNatGateways({ Resources: { Sg: { Type: "AWS::EC2::SecurityGroup" } } } as TemplateJson),
    ).toBe(undefined);
  });

  it("recorded props win: a recorded natGateways 1 on a heavy stack stays 1 (no hold needed)", () => {
    const recorded = decodeRecordedProps(encodeRecordedProps({ ...HTTP, size: "heavy", natGateways: 1 }))!;
    const layered = layerProps({ deployed: recorded.props });
    expect(layered.props.natGateways).toBe(1);
    expect(layered.sources.natGateways).toBe("deployed");
    const held = holdDeployedNat(layered, 1);
    expect(held.held).toBeUndefined();
    expect(resolveProps(held.layered.props).natGateways).toBe(1);
  });

  it("a heavy stack recorded without natGateways (deployed with one NAT, before the per-zone default) keeps 1", () => {
    const recorded = decodeRecordedProps(encodeRecordedProps({ ...HTTP, size: "heavy" }))!;
    const layered = layerProps({ deployed: recorded.props });
    // Without the hold, the default would add a NAT gateway on a routine deploy:
    expect(resolveProps(layered.props).natGateways).toBe(2);
    const { layered: kept, held } = holdDeployedNat(layered, deployedNatGateways(vpcTemplate(1)));
    expect(held).toMatchObject({ deployed: 1, defaultCount: 2 });
    expect(kept.sources.natGateways).toBe("deployed");
    const resolved = resolveProps(kept.props);
    expect(resolved.natGateways).toBe(1);
    const plan = planProps(resolveProps({ ...HTTP, size: "heavy", natGateways: 1 }), resolved, kept, {
      update: true,
    });
    expect(plan.changes.map((c) => c.key)).not.toContain("natGateways");
    expect(plan.kept).toContain("natGateways");
    expect(plan.notes.join("\n")).toMatch(
      /natGateways stays at the deployed 1: a new heavy stack gets one per zone \(2\), but a deployed stack keeps its NAT gateways until asked: --nat-gateways 2 to change it\./,
    );
    // From the next deploy on it is recorded, like any kept prop.
    expect(decodeRecordedProps(encodeRecordedProps(kept.props))!.props.natGateways).toBe(1);
  });

  it("--nat-gateways (flag or config) moves it: no hold", () => {
    const deployed = { ...HTTP, size: "heavy" } as const;
    for (const layered of [
      layerProps({ deployed, flags: { natGateways: 2 } }),
      layerProps({ deployed, config: { natGateways: 2 } }),
    ]) {
      const r = holdDeployedNat(layered, 1);
      expect(r.held).toBeUndefined();
      expect(resolveProps(r.layered.props).natGateways).toBe(2);
    }
  });

  it("--size heavy on a deployed light stack keeps its one NAT gateway and says how to get one per zone", () => {
    const layered = layerProps({ deployed: { ...HTTP }, flags: { size: "heavy" } });
    const r = holdDeployedNat(layered, 1);
    expect(resolveProps(r.layered.props).natGateways).toBe(1);
    expect(r.held?.note).toMatch(/--nat-gateways 2 to change it/);
  });

  it("the default already matches, or the stack is in an existing VPC: nothing held", () => {
    expect(holdDeployedNat(layerProps({ deployed: { ...HTTP } }), 1).held).toBeUndefined();
    expect(holdDeployedNat(layerProps({ deployed: { ...HTTP, size: "heavy" } }), 2).held).toBeUndefined();
    const inVpc = layerProps({ deployed: { ...HTTP, size: "heavy", vpcId: "vpc-0123456789abcdef0" } });
    expect(holdDeployedNat(inVpc, undefined).held).toBeUndefined();
    expect(holdDeployedNat(inVpc, 0).held).toBeUndefined();
  });

  it("--reset nat-gateways drops a recorded count: back to the preset's default, no hold", () => {
    const layered = layerProps({
      deployed: { ...HTTP, size: "heavy", natGateways: 1 },
      reset: ["natGateways"],
    });
    expect(layered.dropped.map((d) => d.key)).toEqual(["natGateways"]);
    // A reset is the user asking: the template's count must not come back through the hold.
    const r = holdDeployedNat(layered, 1, ["natGateways"]);
    expect(r.held).toBeUndefined();
    expect(resolveProps(r.layered.props).natGateways).toBe(2);
    // Also when only the template had the count (the recording never did): a reset is a reset.
    const unrecorded = { ...HTTP, size: "heavy" } as const;
    for (const reset of [["natGateways"] as const, "all" as const]) {
      const l = layerProps({ deployed: unrecorded, reset: reset === "all" ? "all" : [...reset] });
      const h = holdDeployedNat(l, 1, reset === "all" ? "all" : [...reset]);
      expect(h.held, String(reset)).toBeUndefined();
    }
  });
});

describe("a stack deployed before props were recorded (read back from its template)", () => {
  /** The parts propsFromTemplate reads for hosts, network and TLS; everything else at its default. */
  function legacyHeavy(nat: number): TemplateJson {
    const t = vpcTemplate(nat);
    Object.assign(t.Resources!, {
      LaunchTemplate: {
        Type: "AWS::EC2::LaunchTemplate",
        Properties: { LaunchTemplateData: { InstanceType: "c6a.xlarge" } },
      },
      Asg: { Type: "AWS::AutoScaling::AutoScalingGroup", Properties: { MinSize: "2", MaxSize: "4" } },
      Listener: { Type: "AWS::ElasticLoadBalancingV2::Listener", Properties: { Protocol: "HTTP" } },
    });
    return t;
  }

  it("keeps a heavy fleet's single NAT gateway explicitly (the per-zone default would add one)", async () => {
    const { propsFromTemplate } = await import("../../../src/infra/template-props.js");
    const one = propsFromTemplate(legacyHeavy(1));
    expect(one).toMatchObject({ size: "heavy", natGateways: 1 });
    expect(resolveProps(one).natGateways).toBe(1);
    // Two (one per zone) is what the preset gives now: left out, so the stack keeps following it.
    const two = propsFromTemplate(legacyHeavy(2));
    expect(two.size).toBe("heavy");
    expect(two.natGateways).toBeUndefined();
    expect(resolveProps(two).natGateways).toBe(2);
  });
});
