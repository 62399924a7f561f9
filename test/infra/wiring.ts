/**
 * Follow the paths a request and a packet take through a synthesized template, the way CloudFormation and
 * EC2 will wire them: references resolved to logical ids, security-group rules gathered from the inline
 * properties and from standalone AWS::EC2::SecurityGroupIngress/Egress resources. Each `trace*` returns the
 * list of broken links (empty = the path works), so a failing test says which hop is missing.
 *
 * EC2 semantics relied on (AWS::EC2::SecurityGroup docs): a group created without any egress rule gets the
 * default allow-all egress; once egress rules are given (inline or as SecurityGroupEgress resources) only
 * those apply — CDK's "Disallow all traffic" placeholder (255.255.255.255/32 icmp 252-86) matches nothing.
 */
export type Json = Record<string, unknown>;
export interface Resource {
  Type: string;
  Properties?: Json;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  UpdatePolicy?: Json;
}
export interface TemplateJson {
  Resources: Record<string, Resource>;
  Outputs?: Record<string, unknown>;
}

/** ECS's dynamic host port range for bridge-mode tasks with hostPort 0 (what the ALB must reach). */
export const DYNAMIC_PORTS: [number, number] = [32768, 65535];

/** `{Ref: X}` / `{Fn::GetAtt: [X, …]}` → X; a literal string stays itself. */
export function refOf(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (v && typeof v === "object") {
    const o = v as Json;
    if (typeof o.Ref === "string") return o.Ref;
    const att = o["Fn::GetAtt"];
    if (Array.isArray(att) && typeof att[0] === "string") return att[0];
  }
  return undefined;
}

function ofType(t: TemplateJson, type: string): Array<[string, Resource]> {
  return Object.entries(t.Resources).filter(([, r]) => r.Type === type);
}

interface Rule {
  proto: string;
  from: number;
  to: number;
  sg?: string;
  cidr?: string;
}

function toRule(r: Json, peerKey: "SourceSecurityGroupId" | "DestinationSecurityGroupId"): Rule {
  const proto = String(r.IpProtocol);
  return {
    proto,
    from: proto === "-1" ? 0 : Number(r.FromPort),
    to: proto === "-1" ? 65535 : Number(r.ToPort),
    sg: r[peerKey] !== undefined ? refOf(r[peerKey]) : undefined,
    cidr: typeof r.CidrIp === "string" ? r.CidrIp : undefined,
  };
}

export function ingressRules(t: TemplateJson, sg: string): Rule[] {
  const inline = ((t.Resources[sg]?.Properties?.SecurityGroupIngress as Json[] | undefined) ?? []).map((r) =>
    toRule(r, "SourceSecurityGroupId"),
  );
  const standalone = ofType(t, "AWS::EC2::SecurityGroupIngress")
    .filter(([, r]) => refOf(r.Properties?.GroupId) === sg)
    .map(([, r]) => toRule(r.Properties!, "SourceSecurityGroupId"));
  return [...inline, ...standalone];
}

export function egressRules(t: TemplateJson, sg: string): Rule[] {
  const props = t.Resources[sg]?.Properties ?? {};
  const inline = ((props.SecurityGroupEgress as Json[] | undefined) ?? []).map((r) =>
    toRule(r, "DestinationSecurityGroupId"),
  );
  const standalone = ofType(t, "AWS::EC2::SecurityGroupEgress")
    .filter(([, r]) => refOf(r.Properties?.GroupId) === sg)
    .map(([, r]) => toRule(r.Properties!, "DestinationSecurityGroupId"));
  if (props.SecurityGroupEgress === undefined && standalone.length === 0)
    return [{ proto: "-1", from: 0, to: 65535, cidr: "0.0.0.0/0" }];
  return [...inline, ...standalone];
}

const covers = (r: Rule, [a, b]: [number, number]) =>
  (r.proto === "-1" || r.proto === "tcp") && r.from <= a && r.to >= b;

/** Does `dst` admit TCP `ports` from `src` (a security group logical id, or a CIDR)? */
export function ingressAllows(
  t: TemplateJson,
  dst: string,
  src: { sg: string } | { cidr: string },
  ports: [number, number],
): boolean {
  return ingressRules(t, dst).some(
    (r) => covers(r, ports) && ("sg" in src ? r.sg === src.sg : r.cidr === src.cidr),
  );
}

/** Does `src` let TCP `ports` out to `dst` (a group, or a CIDR)? 0.0.0.0/0 reaches everything. */
export function egressAllows(
  t: TemplateJson,
  src: string,
  dst: { sg: string } | { cidr: string },
  ports: [number, number],
): boolean {
  return egressRules(t, src).some(
    (r) =>
      covers(r, ports) && (r.cidr === "0.0.0.0/0" || ("sg" in dst ? r.sg === dst.sg : r.cidr === dst.cidr)),
  );
}

function one(t: TemplateJson, type: string): [string, Resource] {
  const found = ofType(t, type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0]!;
}

export interface WiringExpectations {
  readonly protocol: "http" | "https";
  readonly allowedCidrs: readonly string[];
  /** 0 = hosts in public subnets with public addresses; undefined = an existing VPC (lookup). */
  readonly natGateways: number | undefined;
  /** Subnet ids the hosts must use in an existing VPC (its private subnets). */
  readonly existingPrivateSubnets?: readonly string[];
}

/** The pieces of the request path, found by following references from the ECS service. */
export function servicePieces(t: TemplateJson) {
  const [serviceId, service] = one(t, "AWS::ECS::Service");
  const sp = service.Properties!;
  const taskId = refOf(sp.TaskDefinition)!;
  const task = t.Resources[taskId]!;
  const cpId = refOf((sp.CapacityProviderStrategy as Json[] | undefined)?.[0]?.CapacityProvider);
  const cp = cpId ? t.Resources[cpId] : undefined;
  const asgId = refOf((cp?.Properties?.AutoScalingGroupProvider as Json | undefined)?.AutoScalingGroupArn);
  const asg = asgId ? t.Resources[asgId] : undefined;
  const ltId = refOf((asg?.Properties?.LaunchTemplate as Json | undefined)?.LaunchTemplateId);
  const ltData = (ltId ? t.Resources[ltId]?.Properties?.LaunchTemplateData : undefined) as Json | undefined;
  const nics = (ltData?.NetworkInterfaces as Json[] | undefined) ?? [];
  const hostSgs = [
    ...((ltData?.SecurityGroupIds as unknown[]) ?? []),
    ...nics.flatMap((n) => (n.Groups as unknown[]) ?? []),
  ]
    .map(refOf)
    .filter((x): x is string => !!x);
  const publicIp = nics.some((n) => n.AssociatePublicIpAddress === true);
  const hostSubnets = ((asg?.Properties?.VPCZoneIdentifier as unknown[]) ?? [])
    .map(refOf)
    .filter((x): x is string => !!x);
  return { serviceId, service, taskId, task, cpId, asgId, asg, ltId, hostSgs, publicIp, hostSubnets };
}

/** Every hop from a client to the container, and from the hosts/tasks to what they need. Returns what is broken. */
export function traceWiring(t: TemplateJson, e: WiringExpectations): string[] {
  const broken: string[] = [];
  const need = (ok: boolean, what: string) => {
    if (!ok) broken.push(what);
  };
  const s = servicePieces(t);
  need(
    s.hostSgs.length > 0,
    "service → capacity provider → auto-scaling group → launch template security groups",
  );

  // client → listener(s) on the load balancer's security group
  const [lbId, lb] = one(t, "AWS::ElasticLoadBalancingV2::LoadBalancer");
  const albSgs = ((lb.Properties?.SecurityGroups as unknown[]) ?? [])
    .map(refOf)
    .filter((x): x is string => !!x);
  need(albSgs.length > 0, "load balancer has a security group");
  const listeners = ofType(t, "AWS::ElasticLoadBalancingV2::Listener").filter(
    ([, l]) => refOf(l.Properties?.LoadBalancerArn) === lbId,
  );
  const listenerOn = (port: number) => listeners.find(([, l]) => l.Properties?.Port === port)?.[1];
  const clientPorts = e.protocol === "https" ? [80, 443] : [80];
  for (const port of clientPorts) {
    need(!!listenerOn(port), `listener on ${port}`);
    for (const cidr of e.allowedCidrs)
      need(
        albSgs.some((sg) => ingressAllows(t, sg, { cidr }, [port, port])),
        `client ${cidr} → load balancer SG on ${port}`,
      );
  }
  // listener → target group (HTTP redirects to HTTPS when there is a certificate)
  const serving = listenerOn(e.protocol === "https" ? 443 : 80);
  const forward = ((serving?.Properties?.DefaultActions as Json[] | undefined) ?? []).find(
    (a) => a.Type === "forward",
  );
  const tgId = refOf(forward?.TargetGroupArn);
  need(!!tgId, `listener ${e.protocol === "https" ? 443 : 80} forwards to a target group`);
  if (e.protocol === "https") {
    const redirect = ((listenerOn(80)?.Properties?.DefaultActions as Json[] | undefined) ?? []).find(
      (a) => a.Type === "redirect",
    );
    need((redirect?.RedirectConfig as Json | undefined)?.Port === "443", "listener 80 redirects to 443");
  }
  const tg = tgId ? t.Resources[tgId] : undefined;
  need(tg?.Properties?.TargetType === "instance", "target group registers instances (bridge mode)");
  need(
    tg?.Properties?.HealthCheckPort === "traffic-port",
    "target group health-checks the traffic port (the dynamic host port)",
  );

  // target group → service → container port → host port range
  const lbEntry = ((s.service.Properties?.LoadBalancers as Json[] | undefined) ?? []).find(
    (l) => refOf(l.TargetGroupArn) === tgId,
  );
  need(!!lbEntry, "service registers its tasks in the listener's target group");
  const containers = (s.task.Properties?.ContainerDefinitions as Json[] | undefined) ?? [];
  const container = containers.find((c) => c.Name === lbEntry?.ContainerName);
  const mapping = ((container?.PortMappings as Json[] | undefined) ?? []).find(
    (m) => m.ContainerPort === lbEntry?.ContainerPort,
  );
  need(!!mapping, `container ${String(lbEntry?.ContainerName)} maps port ${String(lbEntry?.ContainerPort)}`);
  const hostPorts: [number, number] =
    mapping && mapping.HostPort && mapping.HostPort !== 0
      ? [Number(mapping.HostPort), Number(mapping.HostPort)]
      : DYNAMIC_PORTS;
  need(s.task.Properties?.NetworkMode === "bridge", "task runs in bridge mode");

  // load balancer SG → hosts SG on the host port range: ingress on the hosts AND egress on the load balancer
  const pairOk = (check: (alb: string, host: string) => boolean) =>
    albSgs.some((a) => s.hostSgs.some((h) => check(a, h)));
  need(
    pairOk((a, h) => ingressAllows(t, h, { sg: a }, hostPorts)),
    `hosts' SG admits the load balancer's SG on ${hostPorts.join("–")}`,
  );
  need(
    pairOk((a, h) => egressAllows(t, a, { sg: h }, hostPorts)),
    `load balancer's SG may send to the hosts' SG on ${hostPorts.join("–")}`,
  );

  // hosts → EFS 2049 on the file system the task mounts
  const volume = ((s.task.Properties?.Volumes as Json[] | undefined) ?? []).find(
    (v) => v.EFSVolumeConfiguration,
  );
  const fsRef = refOf((volume?.EFSVolumeConfiguration as Json | undefined)?.FilesystemId);
  need(!!fsRef, "task has an EFS volume");
  const mountTargets = ofType(t, "AWS::EFS::MountTarget").filter(
    ([, m]) => refOf(m.Properties?.FileSystemId) === fsRef,
  );
  need(mountTargets.length > 0, `file system ${String(fsRef)} has mount targets in this stack`);
  const mtSubnets = new Set(mountTargets.map(([, m]) => refOf(m.Properties?.SubnetId)));
  need(
    s.hostSubnets.every((sub) => mtSubnets.has(sub)),
    "a mount target in every host subnet",
  );
  for (const [mtId, mt] of mountTargets) {
    const mtSgs = ((mt.Properties?.SecurityGroups as unknown[]) ?? [])
      .map(refOf)
      .filter((x): x is string => !!x);
    need(
      mtSgs.some((m) =>
        s.hostSgs.some(
          (h) => ingressAllows(t, m, { sg: h }, [2049, 2049]) && egressAllows(t, h, { sg: m }, [2049, 2049]),
        ),
      ),
      `hosts → mount target ${mtId} on 2049`,
    );
  }
  // the host mounts the same file system (user data) and waits for its mount targets
  const userData = JSON.stringify(s.ltId ? t.Resources[s.ltId]?.Properties?.LaunchTemplateData : undefined);
  need(
    userData.includes(JSON.stringify(fsRef && t.Resources[fsRef] ? { Ref: fsRef } : fsRef).slice(1, -1)) ||
      userData.includes(String(fsRef)),
    "host user data mounts the task's file system",
  );
  const asgDeps = new Set([s.asg?.DependsOn ?? []].flat());
  need(
    mountTargets.every(([mtId]) => asgDeps.has(mtId)),
    "the auto-scaling group (whose user data mounts EFS) waits for every mount target",
  );

  // hosts → the internet (image pulls, SSM, ECS, Secrets Manager, CloudWatch Logs) on 443
  need(
    s.hostSgs.some((h) => egressAllows(t, h, { cidr: "0.0.0.0/0" }, [443, 443])),
    "hosts' SG lets 443 out to the internet",
  );
  if (e.natGateways === undefined) {
    const want = new Set(e.existingPrivateSubnets ?? []);
    need(
      s.hostSubnets.length > 0 && s.hostSubnets.every((sub) => want.has(sub)),
      "hosts in the existing VPC's private subnets",
    );
  } else {
    for (const sub of s.hostSubnets) {
      const route = defaultRoute(t, sub);
      if (e.natGateways > 0) {
        const nat = route ? refOf(route.NatGatewayId) : undefined;
        need(!!nat, `host subnet ${sub} routes 0.0.0.0/0 to a NAT gateway`);
        const natSubnet = nat ? refOf(t.Resources[nat]?.Properties?.SubnetId) : undefined;
        need(
          !!natSubnet && !!refOf(defaultRoute(t, natSubnet)?.GatewayId),
          `NAT gateway ${String(nat)} sits in a subnet routed to the internet gateway`,
        );
      } else {
        need(
          !!route && !!refOf(route.GatewayId),
          `host subnet ${sub} routes 0.0.0.0/0 to the internet gateway`,
        );
      }
    }
    if (e.natGateways === 0) need(s.publicIp, "hosts get a public address (no NAT gateway)");
  }

  // tasks → Secrets Manager (injected secrets) and CloudWatch Logs, through the execution role
  const execRole = refOf(s.task.Properties?.ExecutionRoleArn);
  const execPolicy = JSON.stringify(
    ofType(t, "AWS::IAM::Policy").filter(([, p]) =>
      ((p.Properties?.Roles as unknown[]) ?? []).some((r) => refOf(r) === execRole),
    ),
  );
  const secrets = (container?.Secrets as Json[] | undefined) ?? [];
  need(secrets.length > 0, "container gets its credentials as ECS secrets");
  for (const secret of secrets) {
    const valueFrom = JSON.stringify(secret.ValueFrom);
    const secretRef =
      /"Ref":"([^"]+)"/.exec(valueFrom)?.[1] ??
      /arn:aws:secretsmanager:[^:]+:\d+:secret:[^:"]+/.exec(valueFrom)?.[0];
    need(
      !!secretRef && execPolicy.includes("secretsmanager:GetSecretValue") && execPolicy.includes(secretRef),
      `execution role may read secret ${String(secretRef)}`,
    );
  }
  const logGroup = refOf(
    ((container?.LogConfiguration as Json | undefined)?.Options as Json | undefined)?.["awslogs-group"],
  );
  need(
    !!logGroup && execPolicy.includes("logs:PutLogEvents") && execPolicy.includes(`"${String(logGroup)}"`),
    `execution role may write to log group ${String(logGroup)}`,
  );
  return broken;
}

function defaultRoute(t: TemplateJson, subnet: string): Json | undefined {
  const assoc = ofType(t, "AWS::EC2::SubnetRouteTableAssociation").find(
    ([, a]) => refOf(a.Properties?.SubnetId) === subnet,
  )?.[1];
  const rtb = refOf(assoc?.Properties?.RouteTableId);
  return ofType(t, "AWS::EC2::Route").find(
    ([, r]) =>
      refOf(r.Properties?.RouteTableId) === rtb && r.Properties?.DestinationCidrBlock === "0.0.0.0/0",
  )?.[1]?.Properties;
}
