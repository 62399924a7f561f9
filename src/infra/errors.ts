/** Infra command failures that are not usage errors (exit 1). Light: no CDK imports. */

/** The user declined (or could not approve) a deployment or destroy: nothing changed. */
export class DeclinedError extends Error {
  override readonly name = "DeclinedError";
}

/** A synthesis or toolkit failure (cdk-nag findings, a failed deployment), with the toolkit's own message. */
export class InfraError extends Error {
  override readonly name = "InfraError";
}
