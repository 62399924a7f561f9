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
