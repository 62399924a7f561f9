/**
 * The props of a stack deployed before pypictl recorded them, read back from its template (GetTemplate), so
 * such a stack gains the same protection on its next deploy: adopted ids (file system, secret, vault, VPC),
 * instance type, host and task counts, container sizes, throughput mode, TLS, CIDRs, alarms e-mail, … Values
 * the defaults would give anyway are left out, so the stack keeps following its preset. Pure.
 */
import { STACK_OUTPUT_KEYS } from "../sources/target/outputs.js";
import { EXTRA_OUTPUT_KEYS } from "./kept.js";
import {
  PROP_FIELDS,
  checkField,
  resolveProps,
  type PropKey,
  type PypiServerStackProps,
  type ResolvedProps,
} from "./props.js";
import { SIZES } from "./sizing.js";
import type { TemplateJson } from "./stateful.js";

type Resource = { Type?: string; Properties?: Record<string, unknown> };

function ofType(t: TemplateJson, type: string): Resource[] {
  return Object.values(t.Resources ?? {}).filter((r) => r.Type === type);
}
const num = (v: unknown): number | undefined => {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
};
const str = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);
const output = (t: TemplateJson, key: string) => str(t.Outputs?.[key]?.Value);

function attribute(r: Resource | undefined, list: string, key: string): unknown {
  const attrs = r?.Properties?.[list];
  if (!Array.isArray(attrs)) return undefined;
  return (attrs as Array<{ Key?: string; Value?: unknown }>).find((a) => a.Key === key)?.Value;
}

/** Everything readable from the template, before dropping what the defaults give. */
export function readTemplateProps(t: TemplateJson): PypiServerStackProps {
  const p: Record<string, unknown> = {};
  const fs = ofType(t, "AWS::EFS::FileSystem")[0];
  if (fs) {
    const mode = str(fs.Properties?.ThroughputMode);
    if (mode) p.efsThroughputMode = mode;
    p.efsProvisionedMibps = num(fs.Properties?.ProvisionedThroughputInMibps);
    const ia = (fs.Properties?.LifecyclePolicies as Array<{ TransitionToIA?: string }> | undefined)?.find(
      (l) => l.TransitionToIA,
    )?.TransitionToIA;
    const days = ia ? /^AFTER_(\d+)_DAYS?$/.exec(ia)?.[1] : undefined;
    if (days) p.efsTransitionToIaDays = Number(days);
  } else {
    p.fileSystemId =
      str(ofType(t, "AWS::EFS::MountTarget")[0]?.Properties?.FileSystemId) ??
      output(t, STACK_OUTPUT_KEYS.fileSystemId);
  }
  const secret = ofType(t, "AWS::SecretsManager::Secret")[0];
  if (secret) {
    const tmpl = (secret.Properties?.GenerateSecretString as { SecretStringTemplate?: string } | undefined)
      ?.SecretStringTemplate;
    try {
      p.username = str((JSON.parse(tmpl ?? "{}") as { username?: unknown }).username);
    } catch {
      // not JSON: leave the default
    }
  } else p.secretArn = output(t, STACK_OUTPUT_KEYS.secretId);
  if (ofType(t, "AWS::Backup::BackupVault").length === 0)
    p.backupVaultName = output(t, EXTRA_OUTPUT_KEYS.backupVaultName);
  const plan = ofType(t, "AWS::Backup::BackupPlan")[0]?.Properties?.BackupPlan as
    { BackupPlanRule?: Array<{ Lifecycle?: { DeleteAfterDays?: unknown } }> } | undefined;
  p.backupRetentionDays = num(plan?.BackupPlanRule?.[0]?.Lifecycle?.DeleteAfterDays);

  if (ofType(t, "AWS::EC2::VPC").length === 0)
    p.vpcId = str(
      ofType(t, "AWS::EC2::SecurityGroup").find((r) => str(r.Properties?.VpcId))?.Properties?.VpcId,
    );
  else {
    p.natGateways = ofType(t, "AWS::EC2::NatGateway").length;
    const subnets = ofType(t, "AWS::EC2::Subnet").length;
    if (subnets > 0) p.maxAzs = subnets / 2;
  }

  const lt = ofType(t, "AWS::EC2::LaunchTemplate")[0]?.Properties?.LaunchTemplateData as
    { InstanceType?: unknown } | undefined;
  p.instanceType = str(lt?.InstanceType);
  const asg = ofType(t, "AWS::AutoScaling::AutoScalingGroup")[0];
  p.minInstances = num(asg?.Properties?.MinSize);
  p.maxInstances = num(asg?.Properties?.MaxSize);
  const scaling = ofType(t, "AWS::ApplicationAutoScaling::ScalableTarget")[0];
  p.taskMinCount = num(scaling?.Properties?.MinCapacity);
  p.taskMaxCount = num(scaling?.Properties?.MaxCapacity);

  const container = (
    ofType(t, "AWS::ECS::TaskDefinition")[0]?.Properties?.ContainerDefinitions as
      Array<Record<string, unknown>> | undefined
  )?.[0];
  if (container) {
    p.containerMemory = num(container.Memory);
    p.containerMemoryReservation = num(container.MemoryReservation);
    p.containerCpu = num(container.Cpu);
    const image = str(container.Image);
    const tag = image && /:([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/.exec(image)?.[1];
    if (tag) p.imageTag = tag;
    const command = JSON.stringify(container.Command ?? []);
    p.gunicornWorkers = num(/workers = (\d+)/.exec(command)?.[1]);
    p.backend = /--backend[",\s\\]+([a-z-]+)/.exec(command)?.[1];
    p.hashAlgo = /--hash-algo[",\s\\]+([a-z0-9]+)/.exec(command)?.[1];
    p.bcryptRounds = num(/gensalt\(rounds=(\d+)\)/.exec(command)?.[1]);
  }
  const logGroup = ofType(t, "AWS::Logs::LogGroup")[0];
  p.logRetentionDays = num(logGroup?.Properties?.RetentionInDays);

  const lb = ofType(t, "AWS::ElasticLoadBalancingV2::LoadBalancer")[0];
  p.albIdleTimeoutSeconds = num(attribute(lb, "LoadBalancerAttributes", "idle_timeout.timeout_seconds"));
  if (attribute(lb, "LoadBalancerAttributes", "access_logs.s3.enabled") === "true") {
    p.albAccessLogs = true;
    const rules = ofType(t, "AWS::S3::Bucket")[0]?.Properties?.LifecycleConfiguration as
      { Rules?: Array<{ ExpirationInDays?: unknown }> } | undefined;
    p.albAccessLogsDays = num(rules?.Rules?.find((r) => r.ExpirationInDays !== undefined)?.ExpirationInDays);
  }
  const tg = ofType(t, "AWS::ElasticLoadBalancingV2::TargetGroup")[0];
  p.deregistrationDelaySeconds = num(
    attribute(tg, "TargetGroupAttributes", "deregistration_delay.timeout_seconds"),
  );

  const listeners = ofType(t, "AWS::ElasticLoadBalancingV2::Listener");
  const https = listeners.find((l) => l.Properties?.Protocol === "HTTPS");
  if (!https) p.allowHttp = true;
  else {
    const cert = (https.Properties?.Certificates as Array<{ CertificateArn?: unknown }> | undefined)?.[0]
      ?.CertificateArn;
    p.certificateArn = str(cert);
  }
  const record = ofType(t, "AWS::Route53::RecordSet")[0];
  if (record) {
    p.hostedZoneId = str(record.Properties?.HostedZoneId);
    p.domainName = str(record.Properties?.Name)?.replace(/\.$/, "");
  } else p.domainName = str(ofType(t, "AWS::CertificateManager::Certificate")[0]?.Properties?.DomainName);
  if (!record && !p.domainName) {
    const url = output(t, STACK_OUTPUT_KEYS.url);
    const host = url ? /^https?:\/\/([^/]+)/.exec(url)?.[1] : undefined;
    if (host) p.domainName = host;
  }

  const ingress = ofType(t, "AWS::EC2::SecurityGroup")
    .filter((r) => /load balancer/i.test(String(r.Properties?.GroupDescription ?? "")))
    .flatMap((r) => (r.Properties?.SecurityGroupIngress as Array<{ CidrIp?: unknown }> | undefined) ?? [])
    .map((i) => str(i.CidrIp))
    .filter((c): c is string => c !== undefined);
  if (ingress.length > 0) p.allowedCidrs = [...new Set(ingress)];
  const email = ofType(t, "AWS::SNS::Subscription").find((s) => s.Properties?.Protocol === "email");
  p.alarmEmail = str(email?.Properties?.Endpoint);
  p.dockerHubCredentialArn = str(ofType(t, "AWS::ECR::PullThroughCacheRule")[0]?.Properties?.CredentialArn);

  // Keep only values the prop table accepts (a hand-edited or foreign template must not break the deploy).
  const clean: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(p))
    if (v !== undefined && checkField(PROP_FIELDS[k as PropKey], v) === undefined) clean[k] = v;
  return clean as PypiServerStackProps;
}

/** Derived props, most derived first: each is dropped when the rest already give its value. */
const DERIVED: readonly PropKey[] = [
  "taskMaxCount",
  "taskMinCount",
  "containerCpu",
  "gunicornWorkers",
  "containerMemoryReservation",
  "containerMemory",
  "maxInstances",
  "minInstances",
  "instanceType",
];

function tryResolve(p: PypiServerStackProps): ResolvedProps | undefined {
  try {
    return resolveProps(p);
  } catch {
    return undefined;
  }
}

/** Two resolutions build the same stack (the preset's name and the warnings aside). */
function equivalent(a: ResolvedProps, b: ResolvedProps): boolean {
  const strip = ({ size: _s, warnings: _w, ...rest }: ResolvedProps) => rest;
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

/**
 * The props to start the next deploy from: what the template says, minus what the defaults (and the size
 * preset that matches the instance type and memory) would give anyway.
 */
export function propsFromTemplate(t: TemplateJson): PypiServerStackProps {
  const read = readTemplateProps(t);
  const full = tryResolve(read);
  if (!full) return read;
  let best: Record<string, unknown> = { ...read };
  // The preset whose defaults explain the most of the fleet (light is the default: it needs no size).
  for (const size of SIZES) {
    let candidate: Record<string, unknown> = size === "light" ? { ...read } : { ...read, size };
    for (const key of DERIVED) {
      const { [key]: _drop, ...rest } = candidate;
      const r = tryResolve(rest as PypiServerStackProps);
      if (r && equivalent(r, full)) candidate = rest;
    }
    // On a tie a preset beats an explicit instance type: a later --size then moves the fleet as expected.
    if (Object.keys(candidate).length <= Object.keys(best).length) best = candidate;
  }
  // Plain defaults (image tag, retention, …) equal to what resolveProps gives without them.
  for (const key of Object.keys(best) as PropKey[]) {
    if (key === "size") continue;
    const { [key]: _drop, ...rest } = best;
    const r = tryResolve(rest as PypiServerStackProps);
    if (r && equivalent(r, full)) best = rest;
  }
  return best as PypiServerStackProps;
}
