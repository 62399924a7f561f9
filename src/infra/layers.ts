/**
 * Where each prop of a deploy comes from, highest first: a flag, the config file's `deploy` section, the
 * deployed stack's recorded props, the default. `--reset PROP` drops the deployed value (back to its default
 * unless a flag or the config sets it). A value the user sets can make a deployed one meaningless (a
 * certificate after plain HTTP, a new throughput mode after provisioned MiB/s): those deployed values are
 * dropped too and reported, instead of failing validation on a combination nobody asked for. Pure.
 */
import { UsageError } from "../errors.js";
import { PROP_KEYS, flagFor, type PropKey, type PypiServerStackProps } from "./props.js";

export type PropSource = "flag" | "config" | "deployed" | "default";

export interface LayeredProps {
  readonly props: PypiServerStackProps;
  /** The source of every prop that is set (the rest are defaults). */
  readonly sources: Partial<Record<PropKey, PropSource>>;
  /** Deployed values left out, and why (a reset, or superseded by a value the user set). */
  readonly dropped: ReadonlyArray<{ readonly key: PropKey; readonly reason: string }>;
  /** What the plan should say about how the layers were settled (e.g. a NAT count kept, nat-hold.ts). */
  readonly notes?: readonly string[];
}

/** Deployed props that a user-set prop makes meaningless: setting the key drops the listed deployed ones. */
const SUPERSEDES: Partial<Record<PropKey, (value: unknown) => readonly PropKey[]>> = {
  certificateArn: () => ["allowHttp"],
  hostedZoneId: () => ["allowHttp"],
  allowHttp: (v) => (v === true ? ["certificateArn", "hostedZoneId", "hostedZoneName"] : []),
  efsThroughputMode: (v) => (v === "provisioned" ? [] : ["efsProvisionedMibps"]),
  secretArn: () => ["username"],
  vpcId: () => ["maxAzs", "natGateways"],
  albAccessLogs: (v) => (v === true ? [] : ["albAccessLogsDays"]),
  domainName: () => ["hostedZoneName"],
};

/** `--reset` values: prop names in flag or camel case, or `all` (start from the defaults). */
export function parseResets(values: readonly string[] | undefined): PropKey[] | "all" {
  const keys: PropKey[] = [];
  for (const raw of values ?? []) {
    for (const part of raw
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)) {
      if (part === "all") return "all";
      const key = PROP_KEYS.find((k) => k === part || flagFor(k) === `--${part.replace(/^--/, "")}`);
      if (!key)
        throw new UsageError(
          `--reset: unknown prop "${part}" (use a deploy flag's name, e.g. --reset container-memory, or --reset all)`,
          "--reset",
        );
      keys.push(key);
    }
  }
  return keys;
}

export function layerProps(o: {
  deployed?: PypiServerStackProps;
  config?: PypiServerStackProps;
  flags?: PypiServerStackProps;
  reset?: readonly PropKey[] | "all";
}): LayeredProps {
  const props: Record<string, unknown> = {};
  const sources: Partial<Record<PropKey, PropSource>> = {};
  const dropped: Array<{ key: PropKey; reason: string }> = [];
  const userSet = { ...o.config, ...o.flags } as Record<string, unknown>;
  const superseded = new Map<PropKey, PropKey>();
  for (const key of PROP_KEYS)
    if (userSet[key] !== undefined)
      for (const other of SUPERSEDES[key]?.(userSet[key]) ?? [])
        if (userSet[other] === undefined) superseded.set(other, key);
  for (const key of PROP_KEYS) {
    const layers: Array<[PropSource, unknown]> = [
      ["flag", o.flags?.[key]],
      ["config", o.config?.[key]],
      ["deployed", o.deployed?.[key]],
    ];
    for (const [source, value] of layers) {
      if (value === undefined) continue;
      if (source === "deployed") {
        if (o.reset === "all" || o.reset?.includes(key)) {
          dropped.push({
            key,
            reason: `reset (${o.reset === "all" ? "--reset all" : `--reset ${flagFor(key).slice(2)}`})`,
          });
          break;
        }
        const by = superseded.get(key);
        if (by) {
          dropped.push({ key, reason: `superseded by ${flagFor(by)}` });
          break;
        }
      }
      props[key] = value;
      sources[key] = source;
      break;
    }
  }
  return { props: props as PypiServerStackProps, sources, dropped };
}
