/**
 * Read the fleet's credentials from Secrets Manager (GetSecretValue), for `creds` and the auth probes.
 * The secret's JSON is parsed by src/creds/secret.ts; errors name the secret, never a value.
 */
import { IncompleteError, UsageError } from "../../errors.js";
import type { AwsClients } from "./clients.js";
import {
  credentialsFromSecretString,
  describeAwsError,
  type Credentials,
  type SecretKeys,
} from "../../creds/secret.js";

const AWS_NOT_ANSWERING: ReadonlySet<string> = new Set([
  "unreachable",
  "timeout",
  "server-error",
  "throttled",
  "malformed",
]);

export async function readSecret(
  aws: AwsClients,
  secretId: string,
  keys: SecretKeys,
  subject = `--secret-id ${secretId}`,
): Promise<Credentials> {
  const { GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
  const client = await aws.secretsManager();
  let text: string | undefined;
  try {
    const r = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    text = r.SecretString;
  } catch (e) {
    const { classifyError } = await import("../classify.js");
    const f = classifyError(e, "secretsmanager:GetSecretValue");
    // The endpoint could not answer (network, timeout, 5xx, throttling, garbage): incomplete, exit 3 — not bad input.
    if (!f.ok && AWS_NOT_ANSWERING.has(f.kind))
      throw new IncompleteError(
        `${subject}: cannot read the secret (${f.kind}: ${f.message}). Check the network, --region and AWS_ENDPOINT_URL*, then run again.`,
      );
    throw new UsageError(`${subject}: cannot read the secret (${describeAwsError(e)})`, subject);
  }
  return credentialsFromSecretString(text, keys, subject);
}
