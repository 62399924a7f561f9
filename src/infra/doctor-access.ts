/**
 * Least-privilege access to this fleet, shipped with it: the SSM probe document doctor sends instead of a
 * shell (src/sources/host/probe-document.ts), and the managed policies for doctor and for `creds`, built by
 * the same code as `pypictl doctor --print-iam-policy --stack` (src/sources/aws/iam-policy.ts) with
 * CloudFormation references where the printer has the stack's outputs. Outputs: the document's name (doctor
 * reads it), the service's log group, and both policy ARNs (attach them to a CI role or an on-call group).
 */
import { Aws, CfnOutput, Fn, Stack, Tags, Validations } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import type * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import * as ssm from "aws-cdk-lib/aws-ssm";
import { Construct } from "constructs";
import { probeDocumentContent, probeDocumentNamePrefix } from "../sources/host/probe-document.js";
import { ACCESS_OUTPUT_KEYS } from "../sources/target/outputs.js";
import {
  SECRET_TAG,
  credsIamPolicy,
  doctorIamPolicy,
  type IamPolicy,
  type PolicyFleet,
} from "../sources/aws/iam-policy.js";

export interface DoctorAccessProps {
  readonly clusterName: string;
  readonly serviceName: string;
  readonly fileSystemId: string;
  /** The log group the service's containers write to. */
  readonly logGroupName: string;
  readonly autoScalingGroupName: string;
  readonly secret: secretsmanager.ISecret;
}

export class DoctorAccess extends Construct {
  /** The probe document's name (unique per stack: the stack id's UUID is part of it). */
  readonly probeDocumentName: string;

  constructor(scope: Construct, id: string, props: DoctorAccessProps) {
    super(scope, id);
    // The name carries the probe's version and content hash (a new probe is a new document, replaced
    // rather than updated in place) and this stack's UUID (names are unique per account and region).
    const document = new ssm.CfnDocument(this, "HostProbe", {
      documentType: "Command",
      documentFormat: "JSON",
      content: probeDocumentContent(),
      name: Fn.join("", [probeDocumentNamePrefix(), Fn.select(2, Fn.split("/", Aws.STACK_ID))]),
      targetType: "/AWS::EC2::Instance",
    });
    this.probeDocumentName = document.ref;

    // Without a fleet, the printed policy allows secrets carrying this tag (an adopted secret is not tagged).
    Tags.of(props.secret).add(SECRET_TAG.key, SECRET_TAG.value);
    const fleet: PolicyFleet = {
      known: true,
      partition: Aws.PARTITION,
      region: Aws.REGION,
      account: Aws.ACCOUNT_ID,
      stack: Aws.STACK_NAME,
      cluster: props.clusterName,
      service: props.serviceName,
      fileSystemId: props.fileSystemId,
      logGroup: props.logGroupName,
      autoScalingGroup: props.autoScalingGroupName,
      probeDocument: document.ref,
      secret: { arn: props.secret.secretArn },
      ...(props.secret.encryptionKey ? { secretKmsKey: props.secret.encryptionKey.keyArn } : {}),
    };
    // L1 policies: the document goes into the template as built (CDK's PolicyDocument would merge and
    // reshape statements), so it is the same document `--print-iam-policy --stack` prints.
    const doctor = this.policy(
      "DoctorPolicy",
      doctorIamPolicy(undefined, fleet),
      "pypictl doctor: read-only diagnosis of this fleet (its probe document on its instances, no shell)",
    );
    const creds = this.policy(
      "CredsPolicy",
      credsIamPolicy(fleet),
      "pypictl creds: read this fleet's index credentials",
    );
    new CfnOutput(scope, ACCESS_OUTPUT_KEYS.doctorPolicy, {
      value: doctor.ref,
      description:
        "Managed policy with exactly what `pypictl doctor` needs on this fleet (attach to a CI role or on-call group)",
    });
    new CfnOutput(scope, ACCESS_OUTPUT_KEYS.credsPolicy, {
      value: creds.ref,
      description:
        "Managed policy with exactly what `pypictl creds` needs (the stack outputs and the credentials secret)",
    });
    new CfnOutput(scope, ACCESS_OUTPUT_KEYS.probeDocument, {
      value: document.ref,
      description:
        "SSM Command document with pypictl doctor's read-only host probe (doctor sends it, not a shell)",
    });
    new CfnOutput(scope, ACCESS_OUTPUT_KEYS.logGroup, {
      value: props.logGroupName,
      description: "CloudWatch Logs group of the pypiserver containers",
    });
  }

  private policy(id: string, document: IamPolicy, description: string): iam.CfnManagedPolicy {
    const policy = new iam.CfnManagedPolicy(this, id, { policyDocument: document, description });
    // cdk-nag names each wildcard resource as written in the template (tokens as <LogicalId>); acknowledge
    // exactly those, so a new wildcard in the builder fails synthesis until it is reasoned about.
    const reason =
      'Each wildcard is the narrowest IAM allows: "*" only for reads with no resource type in the Service Authorization Reference (and ecs:ListTasks, held to this cluster by ecs:cluster); task/ and container-instance/ within this cluster; instance/* only with the tag condition naming this Auto Scaling group; the stack ARN\'s trailing stack id.';
    const wildcards = new Set(
      document.Statement.flatMap((st) => [st.Resource].flat())
        .map((r) => nagForm(Stack.of(this).resolve(r)))
        .filter((r) => r.includes("*")),
    );
    Validations.of(policy).acknowledge(
      ...[...wildcards].map((r) => ({ id: `AwsSolutions-IAM5[Resource::${r}]`, reason })),
    );
    return policy;
  }
}

/** A resolved template value as cdk-nag prints it in a finding: references as <LogicalId> or <Id.Attr>. */
function nagForm(v: unknown): string {
  if (typeof v === "string") return v;
  const o = v as Record<string, unknown>;
  if ("Ref" in o) return `<${String(o.Ref)}>`;
  if ("Fn::GetAtt" in o) return `<${(o["Fn::GetAtt"] as string[]).join(".")}>`;
  if ("Fn::Join" in o) {
    const [sep, parts] = o["Fn::Join"] as [string, unknown[]];
    return parts.map(nagForm).join(sep);
  }
  return JSON.stringify(v);
}
