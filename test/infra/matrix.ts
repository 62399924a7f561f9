/**
 * The preset × option combinations every whole-template test (wiring, cfn-lint) runs over: each size preset
 * with each TLS mode (plain HTTP, certificate ARN, domain + hosted zone), the NAT gateway count cycling
 * 0/1/2 through them, plus the options that change the network or storage shape (existing VPC, three zones,
 * Graviton hosts, EFS throughput modes, open and restricted CIDRs), plus a pairwise covering set of every
 * option against every other ({@link PAIRWISE_FACTORS}): two options that each synthesize alone can still
 * fail together (ALB access logs bind the region, which broke the pull-through cache's cdk-nag
 * acknowledgement), so every pair of option values is synthesized at least once.
 */
import type { PypiServerStackProps } from "../../src/infra/props.js";
import { SIZES } from "../../src/infra/sizing.js";

export const CERT = "arn:aws:acm:eu-west-1:123456789012:certificate/0c5f1d1e-1111-2222-3333-444455556666";
export const ACCOUNT = "123456789012";
/** A certificate needs the name clients use (the domain it covers). */
export const CERT_TLS = { certificateArn: CERT, domainName: "pypi.example.com" } as const;
export const EXISTING_VPC_ID = "vpc-0123456789abcdef0";
/** A Docker Hub credential for the ECR pull-through cache (ECR wants the ecr-pullthroughcache/ name prefix). */
export const DOCKER_HUB_CREDENTIAL =
  "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf";

export interface Combo {
  readonly name: string;
  readonly props: PypiServerStackProps;
  readonly env?: { account?: string; region: string };
  readonly context?: Record<string, unknown>;
}

/** A real-shaped subnet id (17 hex digits) for the seeded lookup: `Private` 0 → subnet-0a00000000000000. */
export function subnetId(type: "Private" | "Public" | string, i: number): string {
  return `subnet-0${type === "Private" ? "a" : "b"}${i}${"0".repeat(14)}`;
}

/** What a `vpc-provider` lookup returns for an existing VPC (the shape aws-cdk's VpcContextResponse has). */
export function vpcLookupContext(o: {
  region: string;
  vpcId?: string;
  privateSubnets?: boolean;
}): Record<string, unknown> {
  const vpcId = o.vpcId ?? EXISTING_VPC_ID;
  const azs = [`${o.region}a`, `${o.region}b`];
  const group = (name: string, type: string, base: number) => ({
    name,
    type,
    subnets: azs.map((az, i) => ({
      subnetId: subnetId(type, i),
      cidr: `10.20.${base + i}.0/24`,
      availabilityZone: az,
      routeTableId: `rtb-0${type === "Private" ? "a" : "b"}${i}${"0".repeat(14)}`,
    })),
  });
  return {
    [`vpc-provider:account=${ACCOUNT}:filter.vpc-id=${vpcId}:region=${o.region}:returnAsymmetricSubnets=true`]:
      {
        vpcId,
        vpcCidrBlock: "10.20.0.0/16",
        ownerAccountId: ACCOUNT,
        availabilityZones: [],
        subnetGroups: [
          group("Public", "Public", 0),
          ...(o.privateSubnets === false ? [] : [group("Private", "Private", 10)]),
        ],
      },
  };
}

const TLS = [
  { name: "http", props: { allowHttp: true } },
  { name: "cert", props: CERT_TLS },
  { name: "zone", props: { domainName: "pypi.example.com", hostedZoneId: "Z0123456789ABC" } },
] as const;

function presetCombos(): Combo[] {
  const combos: Combo[] = [];
  let i = 0;
  for (const size of SIZES)
    for (const tls of TLS) {
      const natGateways = i++ % 3;
      combos.push({
        name: `${size}/${tls.name}/nat${natGateways}`,
        props: { size, natGateways, ...tls.props },
      });
    }
  return combos;
}

/** What `pypictl destroy` keeps (and prints) for a redeploy: the file system, the backup vault, the secret. */
export const KEPT = {
  fileSystemId: "fs-0123456789abcdef0",
  backupVaultName: "pypictl-11111111-2222-3333-4444-555555555555",
  secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:CredentialsF8F243AA-AbCdEfGhIjKl-a1B2c3",
} as const;

/** One factor per option, its values exclusive (a TLS mode, a VPC shape, …); the first value is the default. */
export const PAIRWISE_FACTORS: Readonly<Record<string, Readonly<Record<string, PypiServerStackProps>>>> = {
  tls: {
    http: { allowHttp: true },
    cert: CERT_TLS,
    zone: { domainName: "pypi.example.com", hostedZoneId: "Z0123456789ABC" },
  },
  vpc: {
    nat1: {},
    nat0: { natGateways: 0 },
    nat2: { natGateways: 2 },
    existing: { vpcId: EXISTING_VPC_ID },
  },
  efs: {
    elastic: {},
    bursting: { efsThroughputMode: "bursting" },
    provisioned: { efsThroughputMode: "provisioned", efsProvisionedMibps: 64 },
    adopted: { fileSystemId: KEPT.fileSystemId },
  },
  secret: { new: {}, adopted: { secretArn: KEPT.secretArn }, username: { username: "ci" } },
  vault: { new: {}, adopted: { backupVaultName: KEPT.backupVaultName } },
  accessLogs: { off: {}, on: { albAccessLogs: true } },
  imageCache: { off: {}, on: { dockerHubCredentialArn: DOCKER_HUB_CREDENTIAL } },
  hosts: { light: {}, heavy: { size: "heavy" }, graviton: { instanceType: "t4g.medium" } },
  alarms: { none: {}, email: { alarmEmail: "oncall@example.com", allowedCidrs: ["10.0.0.0/8"] } },
};

type Row = Record<string, string>;
const pairKey = (f1: string, v1: string, f2: string, v2: string) => `${f1}=${v1}&${f2}=${v2}`;

/** Every pair of (factor=value, other factor=value), factors in table order. */
export function allPairs(): Set<string> {
  const factors = Object.keys(PAIRWISE_FACTORS);
  const pairs = new Set<string>();
  factors.forEach((f1, i) =>
    factors.slice(i + 1).forEach((f2) => {
      for (const v1 of Object.keys(PAIRWISE_FACTORS[f1]!))
        for (const v2 of Object.keys(PAIRWISE_FACTORS[f2]!)) pairs.add(pairKey(f1, v1, f2, v2));
    }),
  );
  return pairs;
}

export function pairsOf(row: Row): string[] {
  const factors = Object.keys(PAIRWISE_FACTORS);
  return factors.flatMap((f1, i) => factors.slice(i + 1).map((f2) => pairKey(f1, row[f1]!, f2, row[f2]!)));
}

/** A greedy covering array: each row starts from an uncovered pair and picks, factor by factor, the most new pairs. */
export function pairwiseRows(): Row[] {
  const factors = Object.keys(PAIRWISE_FACTORS);
  const uncovered = allPairs();
  const rows: Row[] = [];
  while (uncovered.size > 0) {
    const [first] = uncovered;
    const [a, b] = first!.split("&").map((kv) => kv.split("=") as [string, string]);
    const row: Row = { [a![0]]: a![1], [b![0]]: b![1] };
    for (const f of factors) {
      if (row[f] !== undefined) continue;
      let best = Object.keys(PAIRWISE_FACTORS[f]!)[0]!;
      let bestGain = -1;
      for (const v of Object.keys(PAIRWISE_FACTORS[f]!)) {
        const gain = Object.entries(row).filter(([g, w]) => {
          const [x, y] =
            factors.indexOf(g) < factors.indexOf(f)
              ? [
                  [g, w],
                  [f, v],
                ]
              : [
                  [f, v],
                  [g, w],
                ];
          return uncovered.has(pairKey(x![0]!, x![1]!, y![0]!, y![1]!));
        }).length;
        if (gain > bestGain) [best, bestGain] = [v, gain];
      }
      row[f] = best;
    }
    const ordered = Object.fromEntries(factors.map((f) => [f, row[f]!]));
    for (const p of pairsOf(ordered)) uncovered.delete(p);
    rows.push(ordered);
  }
  return rows;
}

function pairwiseCombos(): Combo[] {
  return pairwiseRows().map((row) => {
    const props = Object.assign(
      {},
      ...Object.entries(row).map(([f, v]) => PAIRWISE_FACTORS[f]![v]),
    ) as PypiServerStackProps;
    const existing = row.vpc === "existing";
    return {
      name: `pairwise ${Object.values(row).join("/")}`,
      props,
      ...(existing
        ? {
            env: { account: ACCOUNT, region: "eu-west-1" },
            context: vpcLookupContext({ region: "eu-west-1" }),
          }
        : row.accessLogs === "on"
          ? { env: { region: "eu-west-1" } }
          : {}),
    };
  });
}

export const COMBOS: readonly Combo[] = [
  ...pairwiseCombos(),
  ...presetCombos(),
  {
    name: "existing VPC/cert",
    props: { vpcId: EXISTING_VPC_ID, ...CERT_TLS, allowedCidrs: ["10.0.0.0/8"] },
    env: { account: ACCOUNT, region: "eu-west-1" },
    context: vpcLookupContext({ region: "eu-west-1" }),
  },
  {
    name: "3 AZs/http/bursting",
    props: {
      maxAzs: 3,
      allowHttp: true,
      allowedCidrs: ["203.0.113.0/24", "198.51.100.0/24"],
      efsThroughputMode: "bursting",
    },
    env: { account: ACCOUNT, region: "eu-west-1" },
    context: {
      [`availability-zones:account=${ACCOUNT}:region=eu-west-1`]: ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
    },
  },
  {
    name: "graviton t4g/cert/provisioned",
    props: {
      instanceType: "t4g.medium",
      ...CERT_TLS,
      efsThroughputMode: "provisioned",
      efsProvisionedMibps: 32,
    },
  },
  { name: "redeploy onto kept data/cert", props: { ...KEPT, ...CERT_TLS } },
  // ALB access logs bind the stack to a region (account-agnostic): one Region from before August 2022 (its ELB
  // account in the bucket policy), one newer (the logdelivery.elasticloadbalancing service principal).
  {
    name: "access logs/cert/eu-west-1",
    props: { albAccessLogs: true, ...CERT_TLS },
    env: { region: "eu-west-1" },
  },
  {
    name: "ECR pull-through cache/cert/nat2",
    props: { dockerHubCredentialArn: DOCKER_HUB_CREDENTIAL, ...CERT_TLS, natGateways: 2 },
  },
  {
    name: "access logs 30 days/http/nat0/ap-southeast-4",
    props: { albAccessLogs: true, albAccessLogsDays: 30, allowHttp: true, natGateways: 0 },
    env: { region: "ap-southeast-4" },
  },
  {
    name: "redeploy onto kept file system only/http/nat0",
    props: { fileSystemId: KEPT.fileSystemId, allowHttp: true, natGateways: 0 },
  },
];
