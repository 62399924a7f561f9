/**
 * Where the fleet's credentials live: a Secrets Manager secret holding JSON (key names configurable), the
 * stack's outputs (`IndexUrl`, `SecretArn`), or the Terraform module's outputs. Errors name the secret, the
 * key or the file — never a value.
 */
import { IncompleteError, UsageError } from "../errors.js";
import type { AwsClients } from "../sources/aws/clients.js";

export interface Credentials {
  username: string;
  password: string;
}

export interface SecretKeys {
  username: string;
  password: string;
}

export const DEFAULT_SECRET_KEYS: SecretKeys = { username: "username", password: "password" };

/** Parse a secret's SecretString. `subject` names the secret in errors (e.g. `--secret-id arn:…`). */
export function credentialsFromSecretString(text: string | undefined, keys: SecretKeys, subject: string): Credentials {
  if (text === undefined || text === "") throw new UsageError(`${subject}: the secret has no SecretString (binary secrets are not supported)`, subject);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`${subject}: the secret is not JSON; expected {"${keys.username}": …, "${keys.password}": …}`, subject);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new UsageError(`${subject}: the secret is not a JSON object; expected {"${keys.username}": …, "${keys.password}": …}`, subject);
  const obj = json as Record<string, unknown>;
  const present = Object.keys(obj).join(", ") || "none";
  const pick = (key: string, flag: string): string => {
    const v = obj[key];
    if (typeof v !== "string" || v === "")
      throw new UsageError(`${subject}: no string "${key}" in the secret (its keys: ${present}); name the right one with ${flag}`, flag);
    return v;
  };
  return { username: pick(keys.username, "--username-key"), password: pick(keys.password, "--password-key") };
}

/** An AWS error as `Name: message`, for errors that name the secret or stack (never a value). */
export function describeAwsError(e: unknown): string {
  const err = e as { name?: string; message?: string };
  const name = err.name && err.name !== "Error" ? `${err.name}: ` : "";
  return `${name}${err.message ?? String(e)}`;
}

const AWS_NOT_ANSWERING: ReadonlySet<string> = new Set(["unreachable", "timeout", "server-error", "throttled", "malformed"]);

export async function readSecret(aws: AwsClients, secretId: string, keys: SecretKeys, subject = `--secret-id ${secretId}`): Promise<Credentials> {
  const { GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
  const client = await aws.secretsManager();
  let text: string | undefined;
  try {
    const r = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    text = r.SecretString;
  } catch (e) {
    const { classifyError } = await import("../sources/classify.js");
    const f = classifyError(e, "secretsmanager:GetSecretValue");
    // The endpoint could not answer (network, timeout, 5xx, throttling, garbage): incomplete, exit 3 — not bad input.
    if (!f.ok && AWS_NOT_ANSWERING.has(f.kind))
      throw new IncompleteError(`${subject}: cannot read the secret (${f.kind}: ${f.message}). Check the network, --region and AWS_ENDPOINT_URL*, then run again.`);
    throw new UsageError(`${subject}: cannot read the secret (${describeAwsError(e)})`, subject);
  }
  return credentialsFromSecretString(text, keys, subject);
}
