/** Infra command failures that are not usage errors (exit 1). Light: no CDK imports. */

/** The user declined (or could not approve) a deployment or destroy: nothing changed. */
export class DeclinedError extends Error {
  override readonly name = "DeclinedError";
}

/** A synthesis or toolkit failure (cdk-nag findings, a failed deployment), with the toolkit's own message. */
export class InfraError extends Error {
  override readonly name = "InfraError";
}

/** How to give pypictl AWS credentials and a region (deploy, diff, destroy, bootstrap, synth --stack). */
export const CREDENTIALS_HELP =
  "Provide AWS credentials: --profile NAME (or AWS_PROFILE), `aws sso login --profile NAME`, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY; set the region with --region or AWS_REGION.";
