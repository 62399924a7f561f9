/**
 * The fleet's credentials as a Secrets Manager secret holds them: JSON with configurable key names. Pure:
 * reading the secret is a source (src/sources/aws/secret.ts). Errors name the secret or the key — never a value.
 */
import { UsageError } from "../errors.js";

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
export function credentialsFromSecretString(
  text: string | undefined,
  keys: SecretKeys,
  subject: string,
): Credentials {
  if (text === undefined || text === "")
    throw new UsageError(
      `${subject}: the secret has no SecretString (binary secrets are not supported)`,
      subject,
    );
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(
      `${subject}: the secret is not JSON; expected {"${keys.username}": …, "${keys.password}": …}`,
      subject,
    );
  }
  if (typeof json !== "object" || json === null || Array.isArray(json))
    throw new UsageError(
      `${subject}: the secret is not a JSON object; expected {"${keys.username}": …, "${keys.password}": …}`,
      subject,
    );
  const obj = json as Record<string, unknown>;
  const present = Object.keys(obj).join(", ") || "none";
  const pick = (key: string, flag: string): string => {
    const v = obj[key];
    if (typeof v !== "string" || v === "")
      throw new UsageError(
        `${subject}: no string "${key}" in the secret (its keys: ${present}); name the right one with ${flag}`,
        flag,
      );
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
