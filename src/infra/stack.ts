/**
 * The pypiserver stack: the Terraform module of FACTS.md §1 without its faults. ECS on an EC2 auto-scaling
 * group (capacity provider, managed draining), hosts with SSM and IMDSv2 only, EFS (encrypted, elastic,
 * lifecycle to IA, AWS Backup, retained), a pinned pypiserver whose htpasswd is built at task start from a
 * Secrets Manager secret, an ALB with HTTPS and a CIDR allow-list, alarms from the doctor's thresholds,
 * and the outputs doctor/creds read. Imported only by the infra commands (never at CLI startup).
 */
import {
  Aspects,
  Aws,
  CfnOutput,
  CfnRule,
  Duration,
  Fn,
  RemovalPolicy,
  Size,
  Stack,
  Token,
  Validations,
  type StackProps,
} from "aws-cdk-lib";
import * as autoscaling from "aws-cdk-lib/aws-autoscaling";
import * as backup from "aws-cdk-lib/aws-backup";
import * as acm from "aws-cdk-lib/aws-certificatemanager";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as ecs from "aws-cdk-lib/aws-ecs";
import * as efs from "aws-cdk-lib/aws-efs";
import * as elbv2 from "aws-cdk-lib/aws-elasticloadbalancingv2";
import * as events from "aws-cdk-lib/aws-events";
import * as iam from "aws-cdk-lib/aws-iam";
import * as logs from "aws-cdk-lib/aws-logs";
import * as route53 from "aws-cdk-lib/aws-route53";
import * as route53Targets from "aws-cdk-lib/aws-route53-targets";
import type * as s3 from "aws-cdk-lib/aws-s3";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import * as sns from "aws-cdk-lib/aws-sns";
import * as subscriptions from "aws-cdk-lib/aws-sns-subscriptions";
import { Dependable, DependencyGroup, type Construct, type IDependable } from "constructs";
import { UsageError } from "../errors.js";
import { EXTRA_OUTPUT_KEYS } from "./kept.js";
import { STACK_OUTPUT_KEYS } from "../sources/target/outputs.js";
import { CONTAINER_PORT, resolveProps, type PypiServerStackProps, type ResolvedProps } from "./props.js";
import { PypiServerAlarms } from "./alarms.js";
import { PypiServerDashboard } from "./dashboard.js";
import { containerCommand, containerHealthCheck } from "./container.js";
import { enableAccessLogs } from "./access-logs.js";
import { grantCachePull, pypiServerImage } from "./image-cache.js";
import { RECORDED_PROPS_OUTPUT, encodeRecordedProps } from "./recorded-props.js";
import { DoctorAccess } from "./doctor-access.js";

/** Where the hosts mount the package file system (doctor's host probes look here). */
export const HOST_MOUNT_PATH = "/data/packages";
/** pypiserver's uid/gid in the official image: the EFS access point writes as this user. */
export const PYPISERVER_UID = "9898";
export const CONTAINER_NAME = "pypiserver";
export { EXTRA_OUTPUT_KEYS };

export interface PypiServerStackOptions extends StackProps {
  /** The pypiserver props; validated (throws a UsageError naming the prop). */
  readonly pypi?: PypiServerStackProps;
}

export class PypiServerStack extends Stack {
  readonly resolved: ResolvedProps;
  readonly fileSystem: efs.IFileSystem;
  readonly backupVaultName: string;
  readonly service: ecs.Ec2Service;
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  readonly targetGroup: elbv2.ApplicationTargetGroup;
  readonly secret: secretsmanager.ISecret;
  readonly alarms: PypiServerAlarms;
  /** The ALB access-log bucket (albAccessLogs). */
  readonly accessLogsBucket?: s3.Bucket;

  constructor(scope: Construct, id: string, options: PypiServerStackOptions = {}) {
    super(scope, id, {
      description: "Private Python package index (pypiserver) deployed by pypictl",
      ...options,
    });
    const p = resolveProps(options.pypi);
    this.resolved = p;

    // ---- network
    let vpc: ec2.IVpc;
    if (p.vpcId) {
      vpc = ec2.Vpc.fromLookup(this, "Vpc", { vpcId: p.vpcId });
    } else {
      const newVpc = new ec2.Vpc(this, "Vpc", {
        maxAzs: p.maxAzs,
        natGateways: p.natGateways,
        restrictDefaultSecurityGroup: false,
        subnetConfiguration: [
          { name: "public", subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
          {
            name: "hosts",
            subnetType: p.natGateways > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PUBLIC,
            cidrMask: 22,
          },
        ],
      });
      // Its own log group, deleted with the stack (CDK's default group is retained and would be orphaned).
      const flowLogs = new logs.LogGroup(this, "FlowLogs", {
        retention: p.logRetentionDays as logs.RetentionDays,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      newVpc.addFlowLog("FlowLog", {
        trafficType: ec2.FlowLogTrafficType.REJECT,
        destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
      });
      vpc = newVpc;
    }
    if (p.vpcId && vpc.privateSubnets.length === 0) {
      throw new UsageError(
        `--vpc-id ${p.vpcId}: the VPC has no private subnets with outbound internet access (a route to a NAT gateway), and the hosts need them to pull images and reach SSM. Add private subnets with a NAT route, or deploy without --vpc-id (a new VPC).`,
        "--vpc-id",
      );
    }
    if (!p.vpcId && p.maxAzs > 2) {
      // More than two zones means the stack is bound to the account/region and the zone names come from its
      // lookup (that is what maxAzs > 2 asks for), so cfn-lint's "avoid hard-coded zones" does not apply.
      this.templateOptions.metadata = {
        ...this.templateOptions.metadata,
        "cfn-lint": { config: { ignore_checks: ["W3010"] } },
      };
    }
    const hostSubnets: ec2.SubnetSelection =
      p.vpcId || p.natGateways > 0
        ? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }
        : { subnetGroupName: "hosts" };

    // ---- alarm topic (also receives the auto-scaling group's notifications)
    const topic = new sns.Topic(this, "AlarmTopic", {
      enforceSSL: true,
      displayName: `${id} pypiserver alarms`,
    });
    // enforceSSL writes a topic policy holding only its Deny, which replaces SNS's default policy: without an
    // explicit Allow, CloudWatch could not publish and no alarm would ever be delivered.
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: "CloudWatchAlarmsPublish",
        principals: [new iam.ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["sns:Publish"],
        resources: [topic.topicArn],
        conditions: {
          ArnLike: {
            "aws:SourceArn": `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*`,
          },
          StringEquals: { "aws:SourceAccount": Aws.ACCOUNT_ID },
        },
      }),
    );
    if (p.alarmEmail) topic.addSubscription(new subscriptions.EmailSubscription(p.alarmEmail));
    Validations.of(topic).acknowledge({
      id: "AwsSolutions-SNS2",
      reason:
        "CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key; messages carry alarm names and states only, no package data or credentials.",
    });

    // ---- storage: retained on delete and on update-replacement, but deleted when the first create fails
    // (RETAIN_ON_UPDATE_OR_DELETE), so a failed first deploy leaves nothing behind to block the next one.
    let mountTargetsAvailable: IDependable;
    if (p.fileSystemId) {
      // Adopt the file system a destroyed stack kept: destroy removed its mount targets and security group,
      // so this stack makes new ones in its own subnets (the packages stay where they were).
      const efsSecurityGroup = new ec2.SecurityGroup(this, "PackagesSecurityGroup", {
        vpc,
        description: "pypiserver packages file system (NFS from the hosts)",
        allowAllOutbound: false,
      });
      this.fileSystem = efs.FileSystem.fromFileSystemAttributes(this, "Packages", {
        fileSystemId: p.fileSystemId,
        securityGroup: efsSecurityGroup,
      });
      const group = new DependencyGroup();
      vpc.selectSubnets(hostSubnets).subnets.forEach((subnet, i) => {
        group.add(
          new efs.CfnMountTarget(this, `PackagesMountTarget${i + 1}`, {
            fileSystemId: p.fileSystemId!,
            subnetId: subnet.subnetId,
            securityGroups: [efsSecurityGroup.securityGroupId],
          }),
        );
      });
      mountTargetsAvailable = group;
    } else {
      const fileSystem = new efs.FileSystem(this, "Packages", {
        vpc,
        vpcSubnets: hostSubnets,
        encrypted: true,
        performanceMode: efs.PerformanceMode.GENERAL_PURPOSE,
        throughputMode:
          p.efsThroughputMode === "elastic"
            ? efs.ThroughputMode.ELASTIC
            : p.efsThroughputMode === "bursting"
              ? efs.ThroughputMode.BURSTING
              : efs.ThroughputMode.PROVISIONED,
        ...(p.efsProvisionedMibps !== undefined
          ? { provisionedThroughputPerSecond: Size.mebibytes(p.efsProvisionedMibps) }
          : {}),
        lifecyclePolicy:
          `AFTER_${p.efsTransitionToIaDays}_DAY${p.efsTransitionToIaDays === 1 ? "" : "S"}` as efs.LifecyclePolicy,
        outOfInfrequentAccessPolicy: efs.OutOfInfrequentAccessPolicy.AFTER_1_ACCESS,
        enableAutomaticBackups: false, // the explicit plan below sets the schedule and retention
        removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      });
      this.fileSystem = fileSystem;
      mountTargetsAvailable = fileSystem.mountTargetsAvailable;
    }
    // Scoped under the file system (as addAccessPoint did) so existing stacks keep the access point's logical id.
    const accessPoint = new efs.AccessPoint(this.fileSystem, "PackagesAccessPoint", {
      fileSystem: this.fileSystem,
      path: "/packages",
      createAcl: { ownerUid: PYPISERVER_UID, ownerGid: PYPISERVER_UID, permissions: "755" },
      posixUser: { uid: PYPISERVER_UID, gid: PYPISERVER_UID },
    });
    // The vault keeps recovery points (a vault with recovery points cannot be deleted anyway), so it outlives
    // the stack. A fixed name would collide with the kept vault on the next deploy: the default name carries
    // this stack's UUID (unique per creation, stable across updates); --backup-vault-name adopts a kept one.
    const vault = p.backupVaultName
      ? backup.BackupVault.fromBackupVaultName(this, "BackupVault", p.backupVaultName)
      : new backup.BackupVault(this, "BackupVault", {
          backupVaultName: Fn.join("-", ["pypictl", Fn.select(2, Fn.split("/", Aws.STACK_ID))]),
          removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
        });
    this.backupVaultName = vault.backupVaultName;
    const plan = new backup.BackupPlan(this, "BackupPlan", {
      backupVault: vault,
      backupPlanRules: [
        new backup.BackupPlanRule({
          ruleName: "daily",
          scheduleExpression: events.Schedule.cron({ hour: "3", minute: "0" }),
          deleteAfter: Duration.days(p.backupRetentionDays),
        }),
      ],
    });
    // allowRestores: the selection role also gets AWSBackupServiceRolePolicyForRestores, as the module's does.
    plan.addSelection("Packages", {
      resources: [backup.BackupResource.fromEfsFileSystem(this.fileSystem)],
      allowRestores: true,
    });
    Validations.of(plan).acknowledge(
      {
        id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]",
        reason:
          "AWS Backup's selection role uses the AWS-maintained AWSBackupServiceRolePolicyForBackup, the documented least-privilege policy for backup jobs.",
      },
      {
        id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores]",
        reason:
          "AWS Backup's selection role uses the AWS-maintained AWSBackupServiceRolePolicyForRestores so a recovery point can be restored with the same role.",
      },
    );

    // ---- credentials: generated, never a literal in the template; kept on destroy (client configurations
    // hold this password) unless the first create fails; --secret-arn adopts a kept one.
    if (p.secretArn) {
      this.secret = secretsmanager.Secret.fromSecretCompleteArn(this, "Credentials", p.secretArn);
    } else {
      const secret = new secretsmanager.Secret(this, "Credentials", {
        description: `pypiserver index credentials for ${id} (JSON: username, password). Rotate by writing a new value, then restart the service's tasks.`,
        generateSecretString: {
          secretStringTemplate: JSON.stringify({ username: p.username }),
          generateStringKey: "password",
          passwordLength: 32,
          excludePunctuation: true,
          includeSpace: false,
        },
        removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
      });
      Validations.of(secret).acknowledge({
        id: "AwsSolutions-SMG4",
        reason:
          "pypiserver has no rotation API; the htpasswd is built from the secret at task start, so rotation is: put a new secret value, then `aws ecs update-service --force-new-deployment` (documented in the secret's description).",
      });
      this.secret = secret;
    }

    // ---- compute: ECS on an EC2 auto-scaling group
    const cluster = new ecs.Cluster(this, "Cluster", {
      vpc,
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    const instanceType = new ec2.InstanceType(p.instanceType);
    // Graviton (t4g, c6g, c7g, m6g, m7g, r6g, r7g…) needs the arm64 ECS-optimized AMI; the image is multi-arch.
    const hardware =
      instanceType.architecture === ec2.InstanceArchitecture.ARM_64
        ? ecs.AmiHardwareType.ARM
        : ecs.AmiHardwareType.STANDARD;
    const asg = new autoscaling.AutoScalingGroup(this, "Hosts", {
      vpc,
      vpcSubnets: hostSubnets,
      instanceType,
      machineImage: ecs.EcsOptimizedImage.amazonLinux2023(hardware),
      // A new instance type or AMI reaches running hosts: CloudFormation replaces them one at a time
      // (managed draining moves their tasks first).
      updatePolicy: autoscaling.UpdatePolicy.rollingUpdate({
        maxBatchSize: 1,
        minInstancesInService: Math.min(p.minInstances, p.maxInstances - 1),
        pauseTime: Duration.minutes(5),
      }),
      minCapacity: p.minInstances,
      maxCapacity: p.maxInstances,
      requireImdsv2: true,
      ssmSessionPermissions: true,
      // Without NAT gateways the hosts sit in public subnets and need a public address to pull images and reach SSM.
      ...(!p.vpcId && p.natGateways === 0 ? { associatePublicIpAddress: true } : {}),
      blockDevices: [
        {
          deviceName: "/dev/xvda",
          volume: autoscaling.BlockDeviceVolume.ebs(30, {
            encrypted: true,
            volumeType: autoscaling.EbsDeviceVolumeType.GP3,
          }),
        },
      ],
      notifications: [{ topic }],
    });
    Validations.of(asg).acknowledge(
      {
        id: "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]",
        reason:
          "AmazonSSMManagedInstanceCore is required on the hosts: pypictl doctor runs its host probes (memory, swap, iowait, EFS mount) through SSM Run Command.",
      },
      {
        id: "AwsSolutions-IAM5[Action::ecs:Submit*]",
        reason:
          "ECS container-instance policy generated by CDK: ecs:Submit* (SubmitContainerStateChange, SubmitTaskStateChange…) is scoped to this cluster's ARN.",
      },
      {
        id: "AwsSolutions-IAM5[Resource::*]",
        reason:
          "ECS container-instance policy generated by CDK: ecs:DiscoverPollEndpoint and ecr:GetAuthorizationToken have no resource-level permissions; ecs:Poll and ecs:StartTelemetrySession are conditioned on this cluster. The logs actions CDK adds on * are moved onto the task log group (scopeHostLogPermissions).",
      },
    );
    // IMDSv2 with a hop limit of 1: bridge-mode containers sit one hop behind the host and cannot reach the
    // instance role's credentials (the ECS agent uses host networking on AL2023, so it still can).
    const launchTemplate = asg.node.findChild("LaunchTemplate").node.defaultChild as ec2.CfnLaunchTemplate;
    launchTemplate.addPropertyOverride("LaunchTemplateData.MetadataOptions.HttpPutResponseHopLimit", 1);
    // Mount the package file system on the hosts too, so `pypictl doctor` host probes see the same EFS mount.
    asg.addUserData(
      "dnf install -y amazon-efs-utils || yum install -y amazon-efs-utils",
      `mkdir -p ${HOST_MOUNT_PATH}`,
      `echo "${this.fileSystem.fileSystemId}:/ ${HOST_MOUNT_PATH} efs _netdev,noresvport,tls,iam,accesspoint=${accessPoint.accessPointId} 0 0" >> /etc/fstab`,
      // Mount-target DNS can lag its creation by a minute or more: retry for up to 5 minutes.
      `for i in $(seq 1 30); do mount ${HOST_MOUNT_PATH} && break; sleep 10; done`,
    );
    // The user data mounts EFS at boot: hosts must not start before the mount targets exist.
    (asg.node.defaultChild as autoscaling.CfnAutoScalingGroup).node.addDependency(mountTargetsAvailable);
    this.fileSystem.connections.allowDefaultPortFrom(asg);
    this.fileSystem.grant(asg.role, "elasticfilesystem:ClientMount");
    const capacityProvider = new ecs.AsgCapacityProvider(this, "Capacity", {
      autoScalingGroup: asg,
      enableManagedDraining: true,
      // Off: with managed termination protection the ASG's instances are protected from scale-in and a stack
      // delete can hang on them (aws-cdk #18179). Managed draining still moves tasks before a host goes.
      enableManagedTerminationProtection: false,
      targetCapacityPercent: 100,
    });
    cluster.addAsgCapacityProvider(capacityProvider);
    // addAsgCapacityProvider (unlike the deprecated addAutoScalingGroup) does not put the hosts' security
    // groups into cluster.connections (aws-cdk #22764, #14764), so the service's registerConnectable for
    // the load balancer would open nothing: no ALB→host ingress on the dynamic port range, no ALB egress.
    cluster.connections.addSecurityGroup(...asg.connections.securityGroups);

    // ---- the pypiserver task
    const logGroup = new logs.LogGroup(this, "Logs", {
      retention: p.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const taskDefinition = new ecs.Ec2TaskDefinition(this, "Task", { networkMode: ecs.NetworkMode.BRIDGE });
    taskDefinition.addVolume({
      name: "packages",
      efsVolumeConfiguration: {
        fileSystemId: this.fileSystem.fileSystemId,
        transitEncryption: "ENABLED",
        authorizationConfig: { accessPointId: accessPoint.accessPointId, iam: "ENABLED" },
      },
    });
    this.fileSystem.grant(
      taskDefinition.taskRole,
      "elasticfilesystem:ClientMount",
      "elasticfilesystem:ClientWrite",
    );
    // Docker Hub directly, or through an ECR pull-through cache (dockerHubCredentialArn): image-cache.ts.
    const image = pypiServerImage(this, {
      imageTag: p.imageTag,
      dockerHubCredentialArn: p.dockerHubCredentialArn,
    });
    const container = taskDefinition.addContainer(CONTAINER_NAME, {
      image: image.image,
      memoryLimitMiB: p.containerMemory,
      memoryReservationMiB: p.containerMemoryReservation,
      cpu: p.containerCpu,
      essential: true,
      entryPoint: ["/bin/sh", "-c"],
      command: [containerCommand(p)],
      secrets: {
        PYPI_USERNAME: ecs.Secret.fromSecretsManager(this.secret, "username"),
        PYPI_PASSWORD: ecs.Secret.fromSecretsManager(this.secret, "password"),
      },
      portMappings: [{ containerPort: CONTAINER_PORT, hostPort: 0, protocol: ecs.Protocol.TCP }],
      healthCheck: containerHealthCheck(),
      logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: "pypiserver" }),
      stopTimeout: Duration.seconds(30),
    });
    container.addMountPoints({ sourceVolume: "packages", containerPath: "/data/packages", readOnly: false });

    this.service = new ecs.Ec2Service(this, "Service", {
      cluster,
      taskDefinition,
      // No DesiredCount: service auto scaling owns it (min taskMinCount), so a deploy never resets a
      // scaled-out service; on create Application Auto Scaling raises the service to its minimum.
      minHealthyPercent: 50,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
      capacityProviderStrategies: [{ capacityProvider: capacityProvider.capacityProviderName, weight: 1 }],
      placementStrategies: [
        ecs.PlacementStrategy.spreadAcross(ecs.BuiltInAttributes.AVAILABILITY_ZONE),
        ecs.PlacementStrategy.spreadAcrossInstances(),
      ],
      healthCheckGracePeriod: Duration.seconds(60),
      propagateTags: ecs.PropagatedTagSource.SERVICE,
    });
    // The service must be deleted before the cluster's capacity-provider association (and created after it):
    // the association is made by an aspect at synthesis, so the dependency is resolved lazily.
    (this.service.node.defaultChild as ecs.CfnService).node.addDependency(
      capacityProviderAssociation(cluster),
    );
    if (image.rule) {
      // The first task's pull goes through the cache: the rule must exist before the service starts tasks.
      (this.service.node.defaultChild as ecs.CfnService).node.addDependency(image.rule);
      grantCachePull(taskDefinition.obtainExecutionRole(), image.rule.ecrRepositoryPrefix!);
    }
    scopeHostLogPermissions(asg.role, logGroup);
    const scaling = this.service.autoScaleTaskCount({
      minCapacity: p.taskMinCount,
      maxCapacity: p.taskMaxCount,
    });
    scaling.scaleOnCpuUtilization("Cpu", { targetUtilizationPercent: 70 });

    // ---- load balancer
    const albSecurityGroup = new ec2.SecurityGroup(this, "LoadBalancerSecurityGroup", {
      vpc,
      description: "pypiserver load balancer: clients from the allowed CIDRs",
      allowAllOutbound: false,
    });
    const ports = p.protocol === "https" ? [80, 443] : [80];
    for (const cidr of p.allowedCidrs)
      for (const port of ports)
        albSecurityGroup.addIngressRule(ec2.Peer.ipv4(cidr), ec2.Port.tcp(port), `clients ${cidr}`);
    if (p.allowedCidrs.includes("0.0.0.0/0")) {
      Validations.of(albSecurityGroup).acknowledge({
        id: "AwsSolutions-EC23",
        reason:
          "allowedCidrs was left at (or set to) 0.0.0.0/0: the index is public by choice and every request needs the index password.",
      });
    }
    this.loadBalancer = new elbv2.ApplicationLoadBalancer(this, "LoadBalancer", {
      vpc,
      internetFacing: true,
      securityGroup: albSecurityGroup,
      idleTimeout: Duration.seconds(p.albIdleTimeoutSeconds),
      dropInvalidHeaderFields: true,
    });
    if (p.albAccessLogs) {
      this.accessLogsBucket = enableAccessLogs(this, this.loadBalancer, p.albAccessLogsDays);
    } else {
      Validations.of(this.loadBalancer).acknowledge({
        id: "AwsSolutions-ELB2",
        reason:
          "ALB access logs are off by choice (turn them on with --alb-access-logs, which needs the region for the log-delivery bucket policy); request metrics, alarms and the dashboard cover diagnosis (pypictl doctor reads CloudWatch, not access logs).",
      });
    }
    this.targetGroup = new elbv2.ApplicationTargetGroup(this, "TargetGroup", {
      vpc,
      port: CONTAINER_PORT,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.INSTANCE,
      deregistrationDelay: Duration.seconds(p.deregistrationDelaySeconds),
      healthCheck: {
        path: "/health",
        // The dynamic host port each task got (explicit: cfn-lint E3049 requires it with hostPort 0).
        port: "traffic-port",
        healthyHttpCodes: "200",
        interval: Duration.seconds(15),
        timeout: Duration.seconds(5),
        healthyThresholdCount: 2,
        unhealthyThresholdCount: 3,
      },
      targets: [
        this.service.loadBalancerTarget({ containerName: CONTAINER_NAME, containerPort: CONTAINER_PORT }),
      ],
    });

    let url: string;
    if (p.protocol === "https") {
      let certificate: elbv2.IListenerCertificate;
      let zone: route53.IHostedZone | undefined;
      if (p.hostedZoneId && p.hostedZoneName)
        zone = route53.HostedZone.fromHostedZoneAttributes(this, "Zone", {
          hostedZoneId: p.hostedZoneId,
          zoneName: p.hostedZoneName,
        });
      if (p.certificateArn) {
        requireCertificateInStackRegion(this, p.certificateArn);
        certificate = elbv2.ListenerCertificate.fromArn(p.certificateArn);
      } else {
        certificate = new acm.Certificate(this, "Certificate", {
          domainName: p.domainName!,
          validation: acm.CertificateValidation.fromDns(zone),
        });
      }
      this.loadBalancer.addListener("Https", {
        port: 443,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        certificates: [certificate],
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        open: false,
        defaultTargetGroups: [this.targetGroup],
      });
      this.loadBalancer.addListener("Http", {
        port: 80,
        protocol: elbv2.ApplicationProtocol.HTTP,
        open: false,
        defaultAction: elbv2.ListenerAction.redirect({ protocol: "HTTPS", port: "443", permanent: true }),
      });
      if (zone && p.domainName) {
        new route53.ARecord(this, "DnsRecord", {
          zone,
          recordName: p.domainName,
          target: route53.RecordTarget.fromAlias(new route53Targets.LoadBalancerTarget(this.loadBalancer)),
        });
      }
      url = `https://${p.domainName ?? this.loadBalancer.loadBalancerDnsName}`;
    } else {
      this.loadBalancer.addListener("Http", {
        port: 80,
        protocol: elbv2.ApplicationProtocol.HTTP,
        open: false,
        defaultTargetGroups: [this.targetGroup],
      });
      url = `http://${p.domainName ?? this.loadBalancer.loadBalancerDnsName}`;
    }

    // ---- alarms from the doctor's thresholds
    this.alarms = new PypiServerAlarms(this, "Alarms", {
      props: p,
      topic,
      fileSystem: this.fileSystem,
      cluster,
      service: this.service,
      loadBalancer: this.loadBalancer,
      targetGroup: this.targetGroup,
    });

    // ---- dashboard: the series doctor reads, with its thresholds
    new PypiServerDashboard(this, "Dashboard", {
      fileSystemId: this.fileSystem.fileSystemId,
      cluster: cluster.clusterName,
      service: this.service.serviceName,
      loadBalancer: this.loadBalancer.loadBalancerFullName,
      targetGroup: this.targetGroup.targetGroupFullName,
    });

    // ---- outputs doctor/creds read (names shared with src/sources/target/outputs.ts)
    const outputs: Record<keyof typeof STACK_OUTPUT_KEYS, { value: string; description: string }> = {
      cluster: { value: cluster.clusterName, description: "ECS cluster name" },
      service: { value: this.service.serviceName, description: "ECS service name" },
      fileSystemId: {
        value: this.fileSystem.fileSystemId,
        description: `EFS file system with the packages (retained on destroy; mounted at ${HOST_MOUNT_PATH} on the hosts)`,
      },
      loadBalancer: {
        value: this.loadBalancer.loadBalancerArn,
        description: "Application load balancer ARN",
      },
      targetGroup: { value: this.targetGroup.targetGroupArn, description: "Target group ARN" },
      url: { value: url, description: "Index base URL (pip: <url>/simple/, twine: <url>)" },
      secretId: {
        value: this.secret.secretArn,
        description: "Secrets Manager secret with {username, password} (pypictl creds reads it)",
      },
      autoScalingGroup: {
        value: asg.autoScalingGroupName,
        description: "Auto-scaling group of the ECS hosts",
      },
    };
    for (const [field, o] of Object.entries(outputs)) {
      new CfnOutput(this, STACK_OUTPUT_KEYS[field as keyof typeof STACK_OUTPUT_KEYS], o);
    }
    new CfnOutput(this, EXTRA_OUTPUT_KEYS.alarmTopic, {
      value: topic.topicArn,
      description: "SNS topic the alarms notify",
    });
    if (this.accessLogsBucket)
      new CfnOutput(this, EXTRA_OUTPUT_KEYS.accessLogsBucket, {
        value: this.accessLogsBucket.bucketName,
        description:
          "S3 bucket with the load balancer's access logs (retained on destroy; expired by its lifecycle rule)",
      });
    // ---- least-privilege access: the probe document and the doctor/creds managed policies (doctor-access.ts)
    new DoctorAccess(this, "DoctorAccess", {
      clusterName: cluster.clusterName,
      serviceName: this.service.serviceName,
      fileSystemId: this.fileSystem.fileSystemId,
      logGroupName: logGroup.logGroupName,
      autoScalingGroupName: asg.autoScalingGroupName,
      secret: this.secret,
    });
    new CfnOutput(this, EXTRA_OUTPUT_KEYS.backupVaultName, {
      value: this.backupVaultName,
      description: "AWS Backup vault with the daily EFS recovery points (retained on destroy)",
    });
    // The next `pypictl deploy` starts from these (recorded-props.ts): what this deploy was asked for.
    new CfnOutput(this, RECORDED_PROPS_OUTPUT, {
      value: encodeRecordedProps(options.pypi ?? {}),
      description: "The props pypictl deployed this stack with (the next deploy keeps them unless changed)",
    });
  }
}

/**
 * An ALB takes only an ACM certificate from its own region ("the certificate must be in the same Region as
 * your load balancer", ELB User Guide, HTTPS listeners). A region-bound stack checks at synthesis; an
 * environment-agnostic one gets a template rule, so CloudFormation refuses before creating anything.
 */
function requireCertificateInStackRegion(stack: Stack, certificateArn: string): void {
  const region = certificateArn.split(":")[3]!;
  if (!Token.isUnresolved(stack.region)) {
    if (stack.region !== region)
      throw new UsageError(
        `--certificate-arn: the certificate is in ${region}, the stack in ${stack.region}; a load balancer takes only a certificate from its own region (request or import one in ${stack.region}).`,
        "--certificate-arn",
      );
    return;
  }
  new CfnRule(stack, "CertificateInStackRegion", {
    assertions: [
      {
        assert: Fn.conditionEquals(Aws.REGION, region),
        assertDescription: `certificateArn must be an ACM certificate in this stack's region (it is in ${region}): a load balancer takes only a certificate from its own region.`,
      },
    ],
  });
}

/** The cluster's capacity-provider association, created by aws-cdk's aspect during synthesis (found lazily). */
function capacityProviderAssociation(cluster: ecs.Cluster): IDependable {
  const dependable: IDependable = {};
  Dependable.implement(dependable, {
    get dependencyRoots() {
      return cluster.node.children.filter(
        (c) =>
          c.node.defaultChild instanceof ecs.CfnClusterCapacityProviderAssociations ||
          c instanceof ecs.CfnClusterCapacityProviderAssociations,
      );
    },
  });
  return dependable;
}

/**
 * CDK's ECS instance policy grants logs:CreateLogStream/PutLogEvents on `*`. The awslogs driver uses the task
 * execution role (which already has them on the task log group), so keep them only on that log group.
 */
function scopeHostLogPermissions(role: iam.IRole, logGroup: logs.ILogGroup): void {
  const policy = role.node.tryFindChild("DefaultPolicy")?.node.defaultChild as iam.CfnPolicy | undefined;
  if (!policy) return;
  Aspects.of(policy).add({
    visit(node) {
      if (node !== policy) return;
      const doc = Stack.of(policy).resolve(policy.policyDocument) as {
        Version: string;
        Statement: Array<{ Action: string | string[]; Resource: unknown }>;
      };
      const isLogs = (a: string) => a.startsWith("logs:");
      const statements = doc.Statement.flatMap((st) => {
        const actions = [st.Action].flat();
        if (st.Resource !== "*" || !actions.some(isLogs)) return [st];
        const rest = actions.filter((a) => !isLogs(a));
        return [
          ...(rest.length ? [{ ...st, Action: rest.length === 1 ? rest[0] : rest }] : []),
          { ...st, Action: actions.filter(isLogs), Resource: Stack.of(policy).resolve(logGroup.logGroupArn) },
        ];
      });
      policy.addPropertyOverride("PolicyDocument", { ...doc, Statement: statements });
    },
  });
}
