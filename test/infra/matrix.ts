/**
 * The preset × option combinations every whole-template test (wiring, cfn-lint) runs over: each size preset
 * with each TLS mode (plain HTTP, certificate ARN, domain + hosted zone), the NAT gateway count cycling
 * 0/1/2 through them, plus the options that change the network or storage shape (existing VPC, three zones,
 * Graviton hosts, EFS throughput modes, open and restricted CIDRs).
 */
import type { PypiServerStackProps } from "../../src/infra/props.js";
import { SIZES } from "../../src/infra/sizing.js";

export const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0c5f1d1e-1111-2222-3333-444455556666";
export const ACCOUNT = "123456789012";
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
  { name: "cert", props: { certificateArn: CERT } },
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

export const COMBOS: readonly Combo[] = [
  ...presetCombos(),
  {
    name: "existing VPC/cert",
    props: { vpcId: EXISTING_VPC_ID, certificateArn: CERT, allowedCidrs: ["10.0.0.0/8"] },
    env: { account: ACCOUNT, region: "us-east-1" },
    context: vpcLookupContext({ region: "us-east-1" }),
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
      certificateArn: CERT,
      efsThroughputMode: "provisioned",
      efsProvisionedMibps: 32,
    },
  },
  { name: "redeploy onto kept data/cert", props: { ...KEPT, certificateArn: CERT } },
  // ALB access logs bind the stack to a region (account-agnostic): one Region from before August 2022 (its ELB
  // account in the bucket policy), one newer (the logdelivery.elasticloadbalancing service principal).
  {
    name: "access logs/cert/eu-west-1",
    props: { albAccessLogs: true, certificateArn: CERT },
    env: { region: "eu-west-1" },
  },
  {
    name: "ECR pull-through cache/cert/nat2",
    props: { dockerHubCredentialArn: DOCKER_HUB_CREDENTIAL, certificateArn: CERT, natGateways: 2 },
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
