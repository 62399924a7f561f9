/**
 * Least-privilege access to this fleet, shipped with it: the SSM probe document doctor sends instead of a
 * shell (src/sources/host/probe-document.ts), and the managed policies for doctor and for `creds`, built by
 * the same code as `pypictl doctor --print-iam-policy --stack` (src/sources/aws/iam-policy.ts) with
 * CloudFormation references where the printer has the stack's outputs. Outputs: the document's name (doctor
 * reads it), the service's log group, and both policy ARNs (attach them to a CI role or an on-call group).
 */
import { Aws, CfnOutput, Fn } from "aws-cdk-lib";
import * as ssm from "aws-cdk-lib/aws-ssm";
import { Construct } from "constructs";
import { probeDocumentContent, probeDocumentNamePrefix } from "../sources/host/probe-document.js";
import { ACCESS_OUTPUT_KEYS } from "../sources/target/outputs.js";

export interface DoctorAccessProps {
  /** The log group the service's containers write to. */
  readonly logGroupName: string;
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
}
