/**
 * The stack, prop by prop: fine-grained Template assertions for each prop's effect, the alarms against the
 * doctor's thresholds, cdk-nag with zero unsuppressed errors, and one snapshot as a refactor guard.
 * Four stacks are synthesized once (beforeAll) and shared by the assertions.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { Match } from "aws-cdk-lib/assertions";
import { Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import { synth, only, containerDefinition, type Synthesized } from "./helpers.js";
import { ACCESS_OUTPUT_KEYS, STACK_OUTPUT_KEYS } from "../../src/sources/target/outputs.js";
import { ALARM_SPECS, OOM_KILL_SPEC, OUTAGE_ALARM_SPECS } from "../../src/infra/alarms.js";
import { RECORDED_PROPS_OUTPUT } from "../../src/infra/recorded-props.js";
import { EXTRA_OUTPUT_KEYS } from "../../src/infra/stack.js";
import { DASHBOARD_THRESHOLDS, dashboardSeries } from "../../src/infra/dashboard.js";
import { SERIES } from "../../src/sources/aws/metric-catalogue.js";
import { containerCommand } from "../../src/infra/container.js";
import { resolveProps } from "../../src/infra/props.js";
import { ALB_5XX_RATE, ALB_P95_LATENCY, ALB_UNHEALTHY_HOSTS } from "../../src/checks/alb/thresholds.js";
import { ECS_MEMORY_UTILIZATION, ECS_OOM_KILLS, ECS_RUNNING_TASKS } from "../../src/checks/ecs/thresholds.js";
import { EFS_BURST_CREDITS, EFS_PERCENT_IO_LIMIT } from "../../src/checks/efs/thresholds.js";
import { findCheck } from "../../src/checks/registry.js";

const CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0c5f1d1e-1111-2222-3333-444455556666";

let base: Synthesized; // defaults (plain HTTP allowed), with aws-cdk-lib's own template validation
let https: Synthesized; // domain + hosted zone, heavy preset, bursting EFS, many props changed
let cert: Synthesized; // certificate ARN, provisioned EFS, explicit capacity
let existingVpc: Synthesized;
let threeAzs: Synthesized; // maxAzs 3: bound to an account/region, zones from (seeded) lookup context

beforeAll(() => {
  base = synth({ allowHttp: true }, { validate: true });
  https = synth({
    size: "heavy",
    domainName: "pypi.example.com",
    hostedZoneId: "Z0123456789ABC",
    alarmEmail: "ops@example.com",
    allowedCidrs: ["203.0.113.0/24", "198.51.100.0/24"],
    efsThroughputMode: "bursting",
    backend: "cached-dir",
    hashAlgo: "off",
    imageTag: "v2.3.2",
    albIdleTimeoutSeconds: 120,
    deregistrationDelaySeconds: 10,
    logRetentionDays: 90,
    efsTransitionToIaDays: 7,
    backupRetentionDays: 35,
    username: "ci",
    bcryptRounds: 6,
    natGateways: 2,
  });
  cert = synth({
    certificateArn: CERT,
    domainName: "pypi.example.com",
    efsThroughputMode: "provisioned",
    efsProvisionedMibps: 64,
    instanceType: "m6i.large",
    minInstances: 3,
    maxInstances: 6,
    containerMemory: 1024,
    containerMemoryReservation: 900,
    gunicornWorkers: 3,
    containerCpu: 512,
    taskMinCount: 3,
    taskMaxCount: 9,
  });
  existingVpc = synth(
    { vpcId: "vpc-0123456789abcdef0", allowHttp: true },
    { env: { account: "123456789012", region: "us-east-1" } },
  );
  threeAzs = synth(
    { maxAzs: 3, allowHttp: true, allowedCidrs: ["10.0.0.0/8"] },
    {
      env: { account: "123456789012", region: "eu-west-1" },
      context: {
        "availability-zones:account=123456789012:region=eu-west-1": [
          "eu-west-1a",
          "eu-west-1b",
          "eu-west-1c",
        ],
      },
    },
  );
}, 120_000);

describe("outputs doctor and creds read", () => {
  it("emits every STACK_OUTPUT_KEYS and ACCESS_OUTPUT_KEYS output (and the alarm topic, backup vault; the access-log bucket only with albAccessLogs)", () => {
    const always = Object.values(EXTRA_OUTPUT_KEYS).filter((k) => k !== EXTRA_OUTPUT_KEYS.accessLogsBucket);
    for (const s of [base, https, cert, existingVpc]) {
      expect(Object.keys(s.json.Outputs).sort()).toEqual(
        [
          ...Object.values(STACK_OUTPUT_KEYS),
          ...Object.values(ACCESS_OUTPUT_KEYS),
          ...always,
          RECORDED_PROPS_OUTPUT,
        ].sort(),
      );
    }
  });
  it("IndexUrl follows the protocol and domain", () => {
    expect(JSON.stringify(base.json.Outputs[STACK_OUTPUT_KEYS.url])).toMatch(/http:\/\//);
    expect((https.json.Outputs[STACK_OUTPUT_KEYS.url] as { Value: unknown }).Value).toBe(
      "https://pypi.example.com",
    );
    expect(JSON.stringify(cert.json.Outputs[STACK_OUTPUT_KEYS.url])).toMatch(/https:\/\//);
  });
  it("secret output is the secret's ARN, never a password", () => {
    base.template.hasOutput(STACK_OUTPUT_KEYS.secretId, {
      Value: { Ref: Match.stringLikeRegexp("^Credentials") },
    });
  });
});

describe("network", () => {
  it("new VPC: 2 AZs, one NAT gateway, rejected-traffic flow log, default SG left alone", () => {
    base.template.resourceCountIs("AWS::EC2::VPC", 1);
    base.template.resourceCountIs("AWS::EC2::NatGateway", 1);
    base.template.resourceCountIs("AWS::EC2::Subnet", 4);
    base.template.hasResourceProperties("AWS::EC2::FlowLog", { TrafficType: "REJECT" });
    base.template.resourceCountIs("Custom::VpcRestrictDefaultSG", 0);
  });
  it("maxAzs 3 (bound to a region): three zones, EFS mount target in each", () => {
    threeAzs.template.resourceCountIs("AWS::EC2::Subnet", 6);
    threeAzs.template.resourceCountIs("AWS::EFS::MountTarget", 3);
  });
  it("natGateways", () => {
    https.template.resourceCountIs("AWS::EC2::NatGateway", 2);
    cert.template.resourceCountIs("AWS::EC2::NatGateway", 1);
  });
  it("natGateways 0: hosts in public subnets with public addresses, nag still clean", () => {
    const s = synth({ natGateways: 0, allowHttp: true, allowedCidrs: ["10.0.0.0/8"] });
    s.template.resourceCountIs("AWS::EC2::NatGateway", 0);
    s.template.hasResourceProperties("AWS::EC2::LaunchTemplate", {
      LaunchTemplateData: Match.objectLike({
        NetworkInterfaces: [Match.objectLike({ AssociatePublicIpAddress: true })],
      }),
    });
  });
  it("vpcId: no VPC or flow log created", () => {
    existingVpc.template.resourceCountIs("AWS::EC2::VPC", 0);
    existingVpc.template.resourceCountIs("AWS::EC2::FlowLog", 0);
    existingVpc.template.resourceCountIs("AWS::ECS::Service", 1);
  });
});

describe("EFS", () => {
  it("encrypted, General Purpose, elastic by default, lifecycle to IA after 30 days, retained except on a failed create", () => {
    base.template.hasResource("AWS::EFS::FileSystem", {
      Properties: Match.objectLike({
        Encrypted: true,
        PerformanceMode: "generalPurpose",
        ThroughputMode: "elastic",
        LifecyclePolicies: [
          { TransitionToIA: "AFTER_30_DAYS" },
          { TransitionToPrimaryStorageClass: "AFTER_1_ACCESS" },
        ],
      }),
      DeletionPolicy: "RetainExceptOnCreate",
      UpdateReplacePolicy: "Retain",
    });
  });
  it("efsThroughputMode bursting / provisioned with efsProvisionedMibps", () => {
    https.template.hasResourceProperties("AWS::EFS::FileSystem", { ThroughputMode: "bursting" });
    cert.template.hasResourceProperties("AWS::EFS::FileSystem", {
      ThroughputMode: "provisioned",
      ProvisionedThroughputInMibps: 64,
    });
  });
  it("efsTransitionToIaDays", () => {
    https.template.hasResourceProperties("AWS::EFS::FileSystem", {
      LifecyclePolicies: Match.arrayWith([{ TransitionToIA: "AFTER_7_DAYS" }]),
    });
  });
  it("access point writes as pypiserver's uid 9898", () => {
    base.template.hasResourceProperties("AWS::EFS::AccessPoint", {
      PosixUser: { Uid: "9898", Gid: "9898" },
      RootDirectory: {
        Path: "/packages",
        CreationInfo: { OwnerUid: "9898", OwnerGid: "9898", Permissions: "755" },
      },
    });
  });
  it("AWS Backup: daily, backupRetentionDays kept, vault retained", () => {
    base.template.hasResourceProperties("AWS::Backup::BackupPlan", {
      BackupPlan: {
        BackupPlanRule: [
          Match.objectLike({ Lifecycle: { DeleteAfterDays: 7 }, ScheduleExpression: "cron(0 3 * * ? *)" }),
        ],
      },
    });
    https.template.hasResourceProperties("AWS::Backup::BackupPlan", {
      BackupPlan: { BackupPlanRule: [Match.objectLike({ Lifecycle: { DeleteAfterDays: 35 } })] },
    });
    base.template.resourceCountIs("AWS::Backup::BackupSelection", 1);
  });
  it("vault: retained except on a failed create, named with the stack's UUID (no collision with a kept vault)", () => {
    base.template.hasResource("AWS::Backup::BackupVault", {
      DeletionPolicy: "RetainExceptOnCreate",
      Properties: {
        BackupVaultName: {
          "Fn::Join": [
            "-",
            ["pypictl", { "Fn::Select": [2, { "Fn::Split": ["/", { Ref: "AWS::StackId" }] }] }],
          ],
        },
      },
    });
  });
  it("backup selection role can restore too (AWSBackupServiceRolePolicyForRestores)", () => {
    const roles = JSON.stringify(
      Object.values(base.json.Resources).filter((r) => r.Type === "AWS::IAM::Role"),
    );
    expect(roles).toContain("AWSBackupServiceRolePolicyForBackup");
    expect(roles).toContain("AWSBackupServiceRolePolicyForRestores");
  });
});

describe("credentials", () => {
  it("generated JSON secret {username, password}; no literal password in the template", () => {
    base.template.hasResourceProperties("AWS::SecretsManager::Secret", {
      GenerateSecretString: {
        SecretStringTemplate: '{"username":"pypi"}',
        GenerateStringKey: "password",
        PasswordLength: 32,
        ExcludePunctuation: true,
      },
    });
    expect(JSON.stringify(base.json)).not.toMatch(/"SecretString"/);
    base.template.hasResource("AWS::SecretsManager::Secret", {
      DeletionPolicy: "RetainExceptOnCreate",
      UpdateReplacePolicy: "Retain",
    });
    https.template.hasResourceProperties("AWS::SecretsManager::Secret", {
      GenerateSecretString: Match.objectLike({ SecretStringTemplate: '{"username":"ci"}' }),
    });
  });
  it("injected into the container by ECS, not as environment", () => {
    const c = containerDefinition(base);
    expect(c.Environment).toBeUndefined();
    expect((c.Secrets as Array<{ Name: string }>).map((s) => s.Name).sort()).toEqual([
      "PYPI_PASSWORD",
      "PYPI_USERNAME",
    ]);
    expect(JSON.stringify(c.Secrets)).toContain(":password::");
  });
});

describe("hosts", () => {
  it("ECS-optimized launch template: IMDSv2 only, encrypted root volume, instance type from the preset", () => {
    base.template.hasResourceProperties("AWS::EC2::LaunchTemplate", {
      LaunchTemplateData: Match.objectLike({
        InstanceType: "t3.small",
        MetadataOptions: Match.objectLike({ HttpTokens: "required" }),
        BlockDeviceMappings: [
          Match.objectLike({
            DeviceName: "/dev/xvda",
            Ebs: Match.objectLike({ Encrypted: true, VolumeType: "gp3" }),
          }),
        ],
      }),
    });
    https.template.hasResourceProperties("AWS::EC2::LaunchTemplate", {
      LaunchTemplateData: Match.objectLike({ InstanceType: "c6a.xlarge" }),
    });
    cert.template.hasResourceProperties("AWS::EC2::LaunchTemplate", {
      LaunchTemplateData: Match.objectLike({ InstanceType: "m6i.large" }),
    });
  });
  it("SSM: AmazonSSMManagedInstanceCore on the instance role", () => {
    expect(JSON.stringify(only(base, "AWS::IAM::InstanceProfile"))).toBeTruthy();
    const roles = Object.values(base.json.Resources).filter((r) => r.Type === "AWS::IAM::Role");
    expect(JSON.stringify(roles)).toContain("AmazonSSMManagedInstanceCore");
  });
  it("user data mounts the package file system at /data/packages", () => {
    const lt = JSON.stringify(only(base, "AWS::EC2::LaunchTemplate"));
    expect(lt).toContain("/data/packages efs _netdev,noresvport,tls,iam,accesspoint=");
    expect(lt).toContain("amazon-efs-utils");
  });
  it("instance counts: minInstances / maxInstances", () => {
    base.template.hasResourceProperties("AWS::AutoScaling::AutoScalingGroup", { MinSize: "2", MaxSize: "4" });
    cert.template.hasResourceProperties("AWS::AutoScaling::AutoScalingGroup", { MinSize: "3", MaxSize: "6" });
  });
  it("capacity provider with managed draining, no managed termination protection (destroy cannot hang); Container Insights on", () => {
    base.template.hasResourceProperties("AWS::ECS::CapacityProvider", {
      AutoScalingGroupProvider: Match.objectLike({
        ManagedDraining: "ENABLED",
        ManagedTerminationProtection: "DISABLED",
      }),
    });
    const asg = only(base, "AWS::AutoScaling::AutoScalingGroup");
    expect(asg.Properties!.NewInstancesProtectedFromScaleIn).toBeUndefined();
    base.template.hasResourceProperties("AWS::ECS::Cluster", {
      ClusterSettings: [{ Name: "containerInsights", Value: "enabled" }],
    });
    base.template.resourceCountIs("AWS::Lambda::Function", 0);
  });
});

describe("pypiserver task", () => {
  it("pinned image, memory limit and 75 % reservation, CPU workers×150+40", () => {
    const c = containerDefinition(base);
    expect(c).toMatchObject({
      Image: "pypiserver/pypiserver:v2.4.1",
      Memory: 512,
      MemoryReservation: 384,
      Cpu: 640,
    });
    expect(containerDefinition(https).Image).toBe("pypiserver/pypiserver:v2.3.2");
    expect(containerDefinition(cert)).toMatchObject({ Memory: 1024, MemoryReservation: 900, Cpu: 512 });
  });
  it("gunicorn workers and keep-alive longer than the ALB idle timeout", () => {
    const cmd = (s: Synthesized) => (containerDefinition(s).Command as string[])[0]!;
    expect(cmd(base)).toContain("workers = 4");
    expect(cmd(base)).toContain("keepalive = 75");
    expect(cmd(base)).toContain('worker_class = "gevent"');
    expect(cmd(https)).toContain("keepalive = 135");
    expect(cmd(cert)).toContain("workers = 3");
  });
  it("htpasswd built at start from the injected secret, bcryptRounds, then the password leaves the environment", () => {
    const cmd = (containerDefinition(base).Command as string[])[0]!;
    expect(cmd).toContain("bcrypt.gensalt(rounds=5)");
    expect(cmd).toContain("os.environ['PYPI_PASSWORD']");
    expect(cmd).toContain("unset PYPI_PASSWORD PYPI_USERNAME");
    expect(cmd).toMatch(/exec \/entrypoint\.sh run .*-P \/data\/\.htpasswd/);
    expect((containerDefinition(https).Command as string[])[0]).toContain("rounds=6");
  });
  it("backend, hash algorithm, auth and health endpoint", () => {
    const cmd = (containerDefinition(base).Command as string[])[0]!;
    expect(cmd).toContain("--backend simple-dir --hash-algo sha256 --authenticate download,list,update");
    expect(cmd).toContain("--health-endpoint /health");
    expect((containerDefinition(https).Command as string[])[0]).toContain(
      "--backend cached-dir --hash-algo off",
    );
  });
  it("container health check on /health; EFS volume encrypted in transit with IAM", () => {
    expect(JSON.stringify(containerDefinition(base).HealthCheck)).toContain("127.0.0.1:8080/health");
    base.template.hasResourceProperties("AWS::ECS::TaskDefinition", {
      NetworkMode: "bridge",
      Volumes: [
        {
          Name: "packages",
          EFSVolumeConfiguration: Match.objectLike({
            TransitEncryption: "ENABLED",
            AuthorizationConfig: Match.objectLike({ IAM: "ENABLED" }),
          }),
        },
      ],
    });
  });
  it("logRetentionDays", () => {
    base.template.hasResourceProperties("AWS::Logs::LogGroup", { RetentionInDays: 30 });
    https.template.hasResourceProperties("AWS::Logs::LogGroup", { RetentionInDays: 90 });
  });
});

describe("task counts (capacity formula unless given; auto scaling owns the desired count)", () => {
  it("light: 3 per t3.small × 2 = 6, max 12", () => {
    base.template.hasResourceProperties("AWS::ECS::Service", {
      DesiredCount: Match.absent(),
      DeploymentConfiguration: Match.objectLike({
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
      }),
    });
    base.template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", {
      MinCapacity: 6,
      MaxCapacity: 12,
    });
  });
  it("heavy: 12 → 24 tasks, as the module's stress test", () => {
    https.template.hasResourceProperties("AWS::ECS::Service", { DesiredCount: Match.absent() });
    https.template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", {
      MinCapacity: 12,
      MaxCapacity: 24,
    });
  });
  it("explicit taskMinCount / taskMaxCount", () => {
    cert.template.hasResourceProperties("AWS::ECS::Service", { DesiredCount: Match.absent() });
    cert.template.hasResourceProperties("AWS::ApplicationAutoScaling::ScalableTarget", {
      MinCapacity: 3,
      MaxCapacity: 9,
    });
  });
});

describe("load balancer", () => {
  it("plain HTTP only when allowed: one HTTP listener forwarding, open on 80 only", () => {
    base.template.resourceCountIs("AWS::ElasticLoadBalancingV2::Listener", 1);
    base.template.hasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", {
      Port: 80,
      Protocol: "HTTP",
      DefaultActions: [Match.objectLike({ Type: "forward" })],
    });
    base.template.hasResourceProperties("AWS::EC2::SecurityGroup", {
      GroupDescription: Match.stringLikeRegexp("load balancer"),
      SecurityGroupIngress: [Match.objectLike({ CidrIp: "0.0.0.0/0", FromPort: 80, ToPort: 80 })],
    });
  });
  it("domain + zone: DNS-validated certificate, HTTPS listener, HTTP→HTTPS redirect, alias record", () => {
    https.template.hasResourceProperties("AWS::CertificateManager::Certificate", {
      DomainName: "pypi.example.com",
      DomainValidationOptions: [{ DomainName: "pypi.example.com", HostedZoneId: "Z0123456789ABC" }],
      ValidationMethod: "DNS",
    });
    https.template.hasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", {
      Port: 443,
      Protocol: "HTTPS",
      SslPolicy: Match.anyValue(),
    });
    https.template.hasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", {
      Port: 80,
      DefaultActions: [
        { Type: "redirect", RedirectConfig: { Protocol: "HTTPS", Port: "443", StatusCode: "HTTP_301" } },
      ],
    });
    https.template.hasResourceProperties("AWS::Route53::RecordSet", {
      Name: "pypi.example.com.",
      Type: "A",
      HostedZoneId: "Z0123456789ABC",
    });
  });
  it("certificateArn: used as is, no certificate or record created", () => {
    cert.template.hasResourceProperties("AWS::ElasticLoadBalancingV2::Listener", {
      Port: 443,
      Certificates: [{ CertificateArn: CERT }],
    });
    cert.template.resourceCountIs("AWS::CertificateManager::Certificate", 0);
    cert.template.resourceCountIs("AWS::Route53::RecordSet", 0);
    // Clients get the domain the certificate covers, never the load balancer's own DNS name.
    expect(cert.json.Outputs.IndexUrl).toMatchObject({ Value: "https://pypi.example.com" });
  });
  it("certificateArn: without a domain it is refused; a certificate from another region is refused or asserted", () => {
    expect(() => synth({ certificateArn: CERT })).toThrow(
      /domainName \(--domain-name\): is required with certificateArn: .*matches no certificate/,
    );
    expect(() =>
      synth({ certificateArn: CERT, domainName: "pypi.example.com" }, { env: { region: "eu-west-1" } }),
    ).toThrow(/--certificate-arn: the certificate is in us-east-1, the stack in eu-west-1/);
    // Environment-agnostic: CloudFormation checks the region before it creates anything.
    expect(cert.json.Rules?.CertificateInStackRegion).toEqual({
      Assertions: [
        {
          Assert: { "Fn::Equals": [{ Ref: "AWS::Region" }, "us-east-1"] },
          AssertDescription: expect.stringMatching(
            /certificateArn must be an ACM certificate in this stack's region/,
          ),
        },
      ],
    });
  });
  it("allowedCidrs: each CIDR on 80 and 443, nothing else", () => {
    const sg = Object.values(https.json.Resources).find(
      (r) =>
        r.Type === "AWS::EC2::SecurityGroup" &&
        String(r.Properties?.GroupDescription).includes("load balancer"),
    )!;
    const ingress = (sg.Properties!.SecurityGroupIngress as Array<{ CidrIp: string; FromPort: number }>)
      .map((i) => `${i.CidrIp}:${i.FromPort}`)
      .sort();
    expect(ingress).toEqual([
      "198.51.100.0/24:443",
      "198.51.100.0/24:80",
      "203.0.113.0/24:443",
      "203.0.113.0/24:80",
    ]);
  });
  it("idle timeout, deregistration delay, /health target check", () => {
    base.template.hasResourceProperties("AWS::ElasticLoadBalancingV2::LoadBalancer", {
      LoadBalancerAttributes: Match.arrayWith([{ Key: "idle_timeout.timeout_seconds", Value: "60" }]),
    });
    https.template.hasResourceProperties("AWS::ElasticLoadBalancingV2::LoadBalancer", {
      LoadBalancerAttributes: Match.arrayWith([{ Key: "idle_timeout.timeout_seconds", Value: "120" }]),
    });
    base.template.hasResourceProperties("AWS::ElasticLoadBalancingV2::TargetGroup", {
      HealthCheckPath: "/health",
      Matcher: { HttpCode: "200" },
      TargetGroupAttributes: Match.arrayWith([{ Key: "deregistration_delay.timeout_seconds", Value: "30" }]),
    });
    https.template.hasResourceProperties("AWS::ElasticLoadBalancingV2::TargetGroup", {
      TargetGroupAttributes: Match.arrayWith([{ Key: "deregistration_delay.timeout_seconds", Value: "10" }]),
    });
  });
});

describe("alarms use the doctor's thresholds", () => {
  const alarms = (s: Synthesized) =>
    Object.entries(s.json.Resources).filter(([, r]) => r.Type === "AWS::CloudWatch::Alarm");
  const alarm = (s: Synthesized, id: string) => {
    const found = alarms(s).find(([logicalId]) => logicalId.startsWith(`Alarms${id}`));
    if (!found) throw new Error(`no alarm ${id}`);
    return found[1].Properties!;
  };

  it("a total outage alarms: no healthy target, and fewer tasks than desired, for the doctor's durations", () => {
    const none = alarm(base, OUTAGE_ALARM_SPECS.noHealthyTargets.id);
    expect(none).toMatchObject({
      MetricName: "HealthyHostCount",
      Namespace: "AWS/ApplicationELB",
      Statistic: "Minimum",
      Threshold: 1,
      ComparisonOperator: "LessThanThreshold",
      EvaluationPeriods: ALB_UNHEALTHY_HOSTS.unhealthyMinutes.default,
      // Nothing registered publishes nothing: that is an outage too.
      TreatMissingData: "breaching",
    });
    expect(none.AlarmActions).toHaveLength(1);
    const short = alarm(base, OUTAGE_ALARM_SPECS.tasksBelowDesired.id);
    expect(short).toMatchObject({
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      EvaluationPeriods: ECS_RUNNING_TASKS.maxGapMinutes.default,
    });
    expect(JSON.stringify(short.Metrics)).toMatch(/"Expression":"desired - running"/);
    expect(JSON.stringify(short.Metrics)).toMatch(
      /ECS\/ContainerInsights.*DesiredTaskCount|DesiredTaskCount.*ECS\/ContainerInsights/,
    );
    for (const spec of Object.values(OUTAGE_ALARM_SPECS)) {
      expect(findCheck(spec.checkId)!.thresholds[spec.threshold]?.default, spec.checkId).toBe(spec.value);
      expect(alarm(base, spec.id).EvaluationPeriods, spec.id).toBe(spec.value);
      expect(alarm(base, spec.id).AlarmDescription).toContain(`${spec.checkId} (${spec.threshold})`);
    }
    expect(findCheck("alb.target-health")!.thresholds).toBe(ALB_UNHEALTHY_HOSTS);
    expect(findCheck("ecs.running-tasks")!.thresholds).toBe(ECS_RUNNING_TASKS);
  });

  it("a target stuck in transition alarms: fewer healthy targets than desired tasks for transitionMinutes", () => {
    const spec = OUTAGE_ALARM_SPECS.targetsInTransition;
    expect(spec).toMatchObject({ checkId: "alb.target-health", threshold: "transitionMinutes" });
    expect(spec.value).toBe(ALB_UNHEALTHY_HOSTS.transitionMinutes.default);
    const stuck = alarm(base, spec.id);
    expect(stuck).toMatchObject({
      Threshold: 0,
      ComparisonOperator: "GreaterThanThreshold",
      EvaluationPeriods: ALB_UNHEALTHY_HOSTS.transitionMinutes.default,
    });
    const metrics = JSON.stringify(stuck.Metrics);
    expect(metrics).toContain("desired - FILL(healthy, 0)");
    expect(metrics).toMatch(/HealthyHostCount/);
    expect(metrics).toMatch(/DesiredTaskCount/);
    expect(metrics).toMatch(/"Period":60/);
  });

  it("slow p95: above slowSeconds for slowMinutes, judged only in periods with minRequests requests", () => {
    const spec = ALARM_SPECS.slowP95;
    expect(spec.value).toBe(ALB_P95_LATENCY.slowSeconds.default);
    const slow = alarm(base, spec.id);
    expect(slow.Threshold).toBe(ALB_P95_LATENCY.slowSeconds.default);
    const metrics = JSON.stringify(slow.Metrics);
    expect(metrics).toContain(`IF(n >= ${ALB_P95_LATENCY.minRequests.default}, p95, 0)`);
    expect(metrics).toContain('"Stat":"p95"');
    expect(metrics).toContain('"Stat":"SampleCount"');
    expect(slow.TreatMissingData).toBe("notBreaching");
  });

  it("every alarm with a doctor duration holds for exactly that long (period × evaluation periods)", () => {
    const withDuration = Object.values(ALARM_SPECS).filter((s) => "duration" in s);
    expect(withDuration.map((s) => s.id).sort()).toEqual(["EfsPercentIoLimit", "SlowP95"]);
    for (const spec of withDuration) {
      const d = (spec as { duration: { threshold: string; minutes: number } }).duration;
      expect(
        findCheck(spec.checkId)!.thresholds[d.threshold]?.default,
        `${spec.checkId}.${d.threshold}`,
      ).toBe(d.minutes);
      const a = alarm(base, spec.id);
      const stats = (a.Metrics as Array<{ MetricStat?: { Period?: number } }> | undefined) ?? [];
      const period = (a.Period as number | undefined) ?? stats.find((m) => m.MetricStat)?.MetricStat?.Period;
      expect((period! * (a.EvaluationPeriods as number)) / 60, spec.id).toBe(d.minutes);
    }
  });

  it("PercentIOLimit alarms on the Average, as the module's alarm does (FACTS §1), not on one throttled second", () => {
    expect(alarm(base, ALARM_SPECS.efsPercentIoLimit.id)).toMatchObject({
      MetricName: "PercentIOLimit",
      Statistic: "Average",
      Period: 300,
      EvaluationPeriods: 2,
    });
  });

  it("an OOM kill notifies the alarm topic (doctor's maxKills is 0: every kill)", () => {
    expect(OOM_KILL_SPEC.value).toBe(ECS_OOM_KILLS.maxKills.default);
    expect(findCheck(OOM_KILL_SPEC.checkId)!.thresholds).toBe(ECS_OOM_KILLS);
    const rule = only(base, "AWS::Events::Rule").Properties!;
    expect(rule.EventPattern).toMatchObject({
      source: ["aws.ecs"],
      "detail-type": ["ECS Task State Change"],
      detail: { lastStatus: ["STOPPED"], containers: { reason: [{ prefix: "OutOfMemoryError" }] } },
    });
    const [target] = rule.Targets as Array<{ Arn: unknown; InputTransformer?: unknown }>;
    expect(JSON.stringify(target!.Arn)).toMatch(/AlarmTopic/);
    expect(JSON.stringify(target!.InputTransformer)).toMatch(/OOM-killed/);
  });

  it("each alarm's threshold is the named constant", () => {
    expect(alarm(base, ALARM_SPECS.efsPercentIoLimit.id).Threshold).toBe(
      EFS_PERCENT_IO_LIMIT.maxPercent.default,
    );
    expect(alarm(https, ALARM_SPECS.efsBurstCredits.id).Threshold).toBe(
      EFS_BURST_CREDITS.minBalanceBytes.default,
    );
    expect(alarm(base, ALARM_SPECS.memory.id).Threshold).toBe(
      ECS_MEMORY_UTILIZATION.failPercentOfHardLimit.default,
    );
    expect(alarm(base, ALARM_SPECS.http5xxRate.id).Threshold).toBe(ALB_5XX_RATE.maxPercent.default);
    expect(alarm(base, ALARM_SPECS.p95Latency.id).Threshold).toBe(ALB_P95_LATENCY.failSeconds.default);
    expect(alarm(base, ALARM_SPECS.unhealthyHosts.id).Threshold).toBe(
      ALB_UNHEALTHY_HOSTS.maxUnhealthy.default,
    );
  });

  it("each alarm's threshold equals the matching doctor check's default", () => {
    for (const spec of Object.values(ALARM_SPECS)) {
      const s = spec === ALARM_SPECS.efsBurstCredits ? https : base;
      expect(alarm(s, spec.id).Threshold).toBe(spec.value);
      expect(alarm(s, spec.id).AlarmDescription).toContain(spec.checkId);
      const check = findCheck(spec.checkId);
      expect(check, `${spec.checkId} is a registered check`).toBeDefined();
      expect(check!.thresholds[spec.threshold]?.default, `${spec.checkId}.${spec.threshold}`).toBe(
        spec.value,
      );
    }
  });

  it("the constants the alarms import are the very objects the registered checks use", () => {
    const used: Array<[string, object]> = [
      ["efs.percent-io-limit", EFS_PERCENT_IO_LIMIT],
      ["efs.burst-credits", EFS_BURST_CREDITS],
      ["ecs.memory-utilization", ECS_MEMORY_UTILIZATION],
      ["alb.5xx-rate", ALB_5XX_RATE],
      ["alb.p95-latency", ALB_P95_LATENCY],
      ["alb.target-health", ALB_UNHEALTHY_HOSTS],
    ];
    expect(new Set(used.map(([id]) => id))).toEqual(
      new Set(Object.values(ALARM_SPECS).map((s) => s.checkId)),
    );
    for (const [id, constant] of used) expect(findCheck(id)?.thresholds, id).toBe(constant);
  });

  it("burst-credit alarm only in bursting mode", () => {
    expect(
      alarms(base)
        .map(([id]) => id)
        .some((id) => id.includes("EfsBurstCredits")),
    ).toBe(false);
    // 6 threshold alarms + the 3 outage alarms (no healthy target, tasks below desired, targets stuck in
    // transition); +1 burst credits.
    expect(alarms(base)).toHaveLength(9);
    expect(alarms(https)).toHaveLength(10);
    for (const s of [base, https])
      for (const spec of Object.values(OUTAGE_ALARM_SPECS))
        expect(alarms(s).some(([id]) => id.startsWith(`Alarms${spec.id}`))).toBe(true);
  });

  it("5xx rate by metric math over ELB + target 5xx and RequestCount", () => {
    const metrics = JSON.stringify(alarm(base, ALARM_SPECS.http5xxRate.id).Metrics);
    expect(metrics).toContain("100 * (FILL(elb, 0) + FILL(target, 0)) / requests");
    for (const m of ["HTTPCode_ELB_5XX_Count", "HTTPCode_Target_5XX_Count", "RequestCount"])
      expect(metrics).toContain(m);
  });

  it("memory against the hard limit: MemoryUtilization × reservation ÷ limit, with ClusterName and ServiceName", () => {
    const metrics = JSON.stringify(alarm(base, ALARM_SPECS.memory.id).Metrics);
    expect(metrics).toContain("m * 384 / 512");
    expect(metrics).toContain("ClusterName");
    expect(metrics).toContain("ServiceName");
    expect(JSON.stringify(alarm(cert, ALARM_SPECS.memory.id).Metrics)).toContain("m * 900 / 1024");
  });

  it("alarms notify the topic; alarmEmail subscribes", () => {
    expect(JSON.stringify(alarm(base, ALARM_SPECS.p95Latency.id).AlarmActions)).toContain("AlarmTopic");
    base.template.resourceCountIs("AWS::SNS::Subscription", 0);
    https.template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "ops@example.com",
    });
  });
});

describe("cdk-nag AwsSolutions", () => {
  function acknowledgements(root: IConstruct): Array<{ path: string; id: string; reason: string }> {
    const found: Array<{ path: string; id: string; reason: string }> = [];
    const walk = (c: IConstruct) => {
      for (const m of c.node.metadata)
        if (m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          for (const [id, reason] of Object.entries(m.data as Record<string, string>))
            found.push({ path: c.node.path, id, reason });
      for (const child of c.node.children) walk(child);
    };
    walk(root);
    return found;
  }

  it("zero unsuppressed errors on every variant", () => {
    for (const s of [base, https, cert, existingVpc, threeAzs]) {
      const report = new AwsSolutionsChecks().validateScope(s.stack);
      expect(report.violations.filter((v) => v.severity === "error").map((v) => v.ruleName)).toEqual([]);
    }
  });

  it("every cdk-nag suppression names its rule and carries a reason", () => {
    // aws-cdk-lib acknowledges some of its own CloudFormation-Validate findings; ours are the AwsSolutions ones.
    const acks = acknowledgements(base.stack).filter((a) => a.id.includes("AwsSolutions"));
    expect(acks.length).toBeGreaterThan(5);
    for (const a of acks) {
      expect(a.id).toMatch(/^(Annotation::)?AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      expect(a.reason.length, `${a.path} ${a.id}`).toBeGreaterThan(40);
    }
  });

  it("EC23 (open ingress) is acknowledged only when 0.0.0.0/0 is allowed", () => {
    expect(acknowledgements(base.stack).some((a) => a.id.includes("EC23"))).toBe(true);
    expect(acknowledgements(https.stack).some((a) => a.id.includes("EC23"))).toBe(false);
  });
});

describe("the review's points, each pinned", () => {
  it("alarm topic policy lets CloudWatch (this account's alarms) publish, next to the TLS-only Deny", () => {
    const policy = JSON.stringify(only(base, "AWS::SNS::TopicPolicy").Properties);
    expect(policy).toContain('"Service":"cloudwatch.amazonaws.com"');
    expect(policy).toMatch(
      /"aws:SourceArn":\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},":cloudwatch:",\{"Ref":"AWS::Region"\},":",\{"Ref":"AWS::AccountId"\},":alarm:\*"\]\]\}/,
    );
    expect(policy).toContain('"aws:SourceAccount":{"Ref":"AWS::AccountId"}');
    expect(policy).toContain('"aws:SecureTransport":"false"');
  });
  it("instance type / AMI changes reach running hosts: rolling update one at a time", () => {
    base.template.hasResource("AWS::AutoScaling::AutoScalingGroup", {
      UpdatePolicy: Match.objectLike({
        AutoScalingRollingUpdate: Match.objectLike({ MaxBatchSize: 1, MinInstancesInService: 2 }),
      }),
    });
    cert.template.hasResource("AWS::AutoScaling::AutoScalingGroup", {
      UpdatePolicy: Match.objectLike({
        AutoScalingRollingUpdate: Match.objectLike({ MinInstancesInService: 3 }),
      }),
    });
  });
  it("IMDS hop limit 1 (containers in bridge mode cannot reach the instance role)", () => {
    base.template.hasResourceProperties("AWS::EC2::LaunchTemplate", {
      LaunchTemplateData: Match.objectLike({
        MetadataOptions: { HttpTokens: "required", HttpPutResponseHopLimit: 1 },
      }),
    });
  });
  it("the hosts (whose user data mounts EFS) wait for every mount target, and the mount retries for minutes", () => {
    const asg = Object.values(base.json.Resources).find(
      (r) => r.Type === "AWS::AutoScaling::AutoScalingGroup",
    ) as { DependsOn?: string[] };
    const mountTargets = Object.entries(base.json.Resources)
      .filter(([, r]) => r.Type === "AWS::EFS::MountTarget")
      .map(([id]) => id);
    expect(mountTargets).toHaveLength(2);
    expect(asg.DependsOn).toEqual(expect.arrayContaining(mountTargets));
    expect(JSON.stringify(only(base, "AWS::EC2::LaunchTemplate"))).toContain(
      "for i in $(seq 1 30); do mount /data/packages && break; sleep 10; done",
    );
  });
  it("service depends on the cluster's capacity-provider association", () => {
    const [assocId] = Object.entries(base.json.Resources).find(
      ([, r]) => r.Type === "AWS::ECS::ClusterCapacityProviderAssociations",
    )!;
    const service = Object.values(base.json.Resources).find((r) => r.Type === "AWS::ECS::Service") as {
      DependsOn?: string[];
    };
    expect(service.DependsOn).toContain(assocId);
  });
  it("target group health check on traffic-port (the task's dynamic host port)", () => {
    base.template.hasResourceProperties("AWS::ElasticLoadBalancingV2::TargetGroup", {
      HealthCheckPort: "traffic-port",
    });
  });
  it("no logs permission on * for the hosts: scoped to the task log group", () => {
    const policies = Object.values(base.json.Resources).filter((r) => r.Type === "AWS::IAM::Policy");
    for (const p of policies) {
      for (const st of (
        p.Properties!.PolicyDocument as { Statement: Array<{ Action: string | string[]; Resource: unknown }> }
      ).Statement) {
        const actions = [st.Action].flat();
        if (actions.some((a) => a.startsWith("logs:"))) expect(st.Resource, JSON.stringify(st)).not.toBe("*");
      }
    }
    const hostPolicy = JSON.stringify(
      Object.entries(base.json.Resources).find(
        ([id, r]) => r.Type === "AWS::IAM::Policy" && id.startsWith("HostsInstanceRole"),
      )![1],
    );
    expect(hostPolicy).toMatch(
      /"Action":\["logs:CreateLogStream","logs:PutLogEvents"\],"Effect":"Allow","Resource":\{"Fn::GetAtt":\["Logs[0-9A-F]+","Arn"\]\}/,
    );
  });
  it("Graviton instance types get the arm64 ECS-optimized AMI; x86 types the standard one", () => {
    const graviton = synth({ instanceType: "c7g.large", allowHttp: true });
    expect(JSON.stringify(graviton.json.Parameters)).toContain(
      "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id",
    );
    expect(JSON.stringify(base.json.Parameters)).toContain(
      "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
    );
    expect(JSON.stringify(base.json.Parameters)).not.toContain("arm64");
  });
  it("umask only for the htpasswd (a subshell): pypiserver's uploads keep the image's umask", () => {
    const cmd = containerCommand(resolveProps({ allowHttp: true }));
    expect(cmd).toContain("(umask 077 && python -c ");
    expect(
      cmd
        .split("\n")
        .filter((l) => /\bumask\b/.test(l))
        .every((l) => l.startsWith("(umask")),
    ).toBe(true);
  });
});

describe("dashboard: the series doctor reads, with its thresholds", () => {
  it("one widget per catalogue series (not per instance), same namespace/metric/stat/dimensions", () => {
    const body = JSON.stringify(only(base, "AWS::CloudWatch::Dashboard").Properties!.DashboardBody);
    const keys = dashboardSeries();
    expect(keys.length).toBeGreaterThan(10);
    for (const key of keys) {
      const def = SERIES[key];
      expect(body, key).toContain(`${key} (${def.stat})`);
      // One metric line per widget: [namespace, metric, dimension, value, …, {stat}] (dimensions sorted by CDK).
      const widget = body.slice(body.indexOf(`${key} (${def.stat})`)).split('\\"type\\":\\"metric\\"')[0]!;
      expect(widget, key).toContain(`[\\"${def.namespace}\\",\\"${def.metric}\\",`);
      for (const dim of Object.keys(def.dimensions))
        expect(widget, `${key} ${dim}`).toContain(`\\"${dim}\\"`);
      expect(widget, key).toContain(`\\"stat\\":\\"${def.stat}\\"`);
    }
    expect(body).not.toContain("CPUCreditBalance");
  });
  it("threshold lines are the doctor's defaults", () => {
    const body = JSON.stringify(only(base, "AWS::CloudWatch::Dashboard").Properties!.DashboardBody);
    expect(DASHBOARD_THRESHOLDS["efs.PercentIOLimit"]!.value).toBe(EFS_PERCENT_IO_LIMIT.maxPercent.default);
    expect(DASHBOARD_THRESHOLDS["alb.TargetResponseTime.p95"]!.value).toBe(
      ALB_P95_LATENCY.failSeconds.default,
    );
    expect(body).toContain(
      `\\"value\\":${ALB_P95_LATENCY.failSeconds.default},\\"label\\":\\"doctor alb.p95-latency\\"`,
    );
  });
});

describe("snapshot", () => {
  it("default stack template (refactor guard)", () => {
    expect(base.json).toMatchSnapshot();
  });
});
