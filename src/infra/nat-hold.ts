/**
 * A deployed stack keeps its NAT gateways. The heavy presets give a *new* stack one NAT gateway per zone
 * (sizing.ts HEAVY_SIZES); a stack deployed before that default (or before `--size heavy` was given) has
 * the count its template shows. The recorded props hold only what the user set, not resolved defaults
 * (recorded-props.ts), so without this a changed default would add or remove NAT gateways on the next
 * routine deploy: the count would follow the default, not the deployed stack. So when neither a flag, the
 * config nor the recorded props set natGateways, and the default differs from the deployed template's
 * count, the deployed count is kept (source "deployed") and the plan says how to change it; `--reset
 * nat-gateways` returns it to the default. Pure.
 */
import type { LayeredProps } from "./layers.js";
import { resolveProps, type PropKey } from "./props.js";
import type { TemplateJson } from "./stateful.js";

/** The NAT gateways of a deployed stack's own VPC; undefined when it has none of its own (--vpc-id). */
export function deployedNatGateways(t: TemplateJson): number | undefined {
  const resources = Object.values(t.Resources ?? {});
  if (!resources.some((r) => r.Type === "AWS::EC2::VPC")) return undefined;
  return resources.filter((r) => r.Type === "AWS::EC2::NatGateway").length;
}

export interface NatHold {
  readonly layered: LayeredProps;
  /** Set when the deployed count was kept against a different default. */
  readonly held?: { readonly deployed: number; readonly defaultCount: number; readonly note: string };
}

export function holdDeployedNat(
  layered: LayeredProps,
  deployedCount: number | undefined,
  reset: readonly PropKey[] | "all" = [],
): NatHold {
  if (deployedCount === undefined || layered.sources.natGateways !== undefined) return { layered };
  // `--reset nat-gateways` (or all) asks for the default, whether or not the recording had a count.
  if (reset === "all" || reset.includes("natGateways")) return { layered };
  if (layered.props.vpcId !== undefined) return { layered };
  let defaultCount: number;
  try {
    defaultCount = resolveProps(layered.props).natGateways;
  } catch {
    return { layered }; // the props do not resolve: the command stops on that with its own message
  }
  if (defaultCount === deployedCount) return { layered };
  const zones = layered.props.maxAzs ?? 2;
  const note = `natGateways stays at the deployed ${deployedCount}: ${defaultCount === zones ? `a new ${layered.props.size ?? "light"} stack gets one per zone (${defaultCount})` : `the default is ${defaultCount}`}, but a deployed stack keeps its NAT gateways until asked: --nat-gateways ${defaultCount} to change it.`;
  return {
    layered: {
      ...layered,
      props: { ...layered.props, natGateways: deployedCount },
      sources: { ...layered.sources, natGateways: "deployed" },
      notes: [...(layered.notes ?? []), note],
    },
    held: { deployed: deployedCount, defaultCount, note },
  };
}
