/**
 * The CloudFormation output keys of the stack `pypictl deploy` creates, and the FleetTarget field each
 * fills. One table shared by the stack (src/infra, which defines the outputs) and doctor/creds (which read
 * them), so the two cannot drift. Deliberately free of aws-cdk-lib imports.
 */
export const STACK_OUTPUT_KEYS = {
  cluster: "ClusterName",
  service: "ServiceName",
  fileSystemId: "FileSystemId",
  loadBalancer: "LoadBalancerArn",
  targetGroup: "TargetGroupArn",
  url: "IndexUrl",
  secretId: "SecretArn",
  autoScalingGroup: "AutoScalingGroupName",
} as const;

export type StackOutputField = keyof typeof STACK_OUTPUT_KEYS;

/**
 * Outputs of the stack's least-privilege access (src/infra/doctor-access.ts): the probe document doctor sends
 * (read into the FleetTarget), the service's log group (for the printed policy), and the managed policies.
 */
export const ACCESS_OUTPUT_KEYS = {
  probeDocument: "HostProbeDocumentName",
  logGroup: "LogGroupName",
  doctorPolicy: "DoctorPolicyArn",
  credsPolicy: "CredsPolicyArn",
} as const;
