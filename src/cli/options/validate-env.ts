/**
 * The AWS environment checked up front (issue 14): a malformed endpoint, region or retry count used to end
 * in "internal: TypeError…" deep inside the SDK, or in a run against something else. Exit 2, naming the
 * variable or flag. Shapes follow the SDK's own rules: endpoint URLs are absolute http(s) URLs
 * (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_<SERVICE>, "Service-specific endpoints" in the SDK reference guide);
 * AWS_MAX_ATTEMPTS is a positive integer; a region is a DNS label sequence like eu-west-1, us-gov-west-1,
 * eusc-de-east-1 (the SDK puts it in host names).
 */
import { UsageError } from "../../errors.js";

/** Lower-case letters, digits and dashes, starting with letters and ending in a number: eu-west-1. */
export const REGION_PATTERN = /^[a-z]{2,}(-[a-z0-9]+)*-\d{1,2}$/;

export function checkRegion(value: string, subject: string): void {
  if (!REGION_PATTERN.test(value))
    throw new UsageError(
      `${subject}: "${value}" is not an AWS region name (like eu-west-1: lower-case letters, digits and dashes)`,
      subject,
    );
}

export function checkEndpointUrl(value: string, subject: string): void {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new UsageError(`${subject}: "${value}" is not a URL (expected e.g. https://host:port)`, subject);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    throw new UsageError(
      `${subject}: "${u.protocol}" is not supported; an AWS endpoint is an http:// or https:// URL`,
      subject,
    );
  if (u.username || u.password)
    throw new UsageError(
      `${subject}: must not carry a user name or password (AWS signs requests with credentials, not the URL)`,
      subject,
    );
}

/** Validate the AWS variables of `env` and the --region flag. Names the variable at fault. */
export function checkAwsEnvironment(env: NodeJS.ProcessEnv, regionFlag?: string): void {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (name === "AWS_ENDPOINT_URL" || name.startsWith("AWS_ENDPOINT_URL_")) {
      if (value !== "") checkEndpointUrl(value, name);
    }
  }
  const attempts = env.AWS_MAX_ATTEMPTS;
  if (
    attempts !== undefined &&
    attempts !== "" &&
    (!/^\d+$/.test(attempts) || Number(attempts) < 1 || Number(attempts) > 100)
  )
    throw new UsageError(
      `AWS_MAX_ATTEMPTS: "${attempts}" must be a whole number from 1 to 100`,
      "AWS_MAX_ATTEMPTS",
    );
  for (const name of ["AWS_REGION", "AWS_DEFAULT_REGION"] as const) {
    const v = env[name];
    if (v !== undefined && v !== "") checkRegion(v, name);
  }
  if (regionFlag !== undefined) checkRegion(regionFlag, "--region");
}
