/**
 * `pypictl doctor --print-iam-policy`: the least-privilege policy for the --only/--skip selection. With a
 * fleet named (--stack, --terraform-outputs, identity flags) its ARNs are the fleet's own (the stack's outputs
 * are read); without one, placeholders (REGION, CLUSTER, …). The JSON goes to stdout, ready for
 * `aws iam create-policy --policy-document file://…`; what each statement is for, and what is still a
 * placeholder, to stderr.
 */
import type { Io } from "../io.js";
import type { DoctorFlags } from "./doctor.js";
import { fleetRequest } from "../options/fleet.js";
import { resolveFleet } from "../options/resolve-fleet.js";
import {
  doctorIamPolicy,
  explainPolicy,
  genericFleet,
  placeholdersIn,
  type IamPolicy,
  type PolicyFleet,
} from "../../sources/aws/iam-policy.js";
import { PLACEHOLDER_SOURCE, policyFleetFrom } from "../../sources/aws/policy-fleet.js";
import { probeDocumentNamePrefix } from "../../sources/host/probe-document.js";
import type { FleetTarget } from "../../sources/target/model.js";
import { AwsClientPool } from "../../sources/aws/pool.js";

const FLEET_FLAGS = [
  "stack",
  "cluster",
  "service",
  "fileSystemId",
  "loadBalancer",
  "targetGroup",
  "url",
  "secretId",
  "terraformOutputs",
] as const;

/**
 * The secret's customer KMS key ARN, if it has one. DescribeSecret omits KmsKeyId when the secret uses the
 * AWS managed key aws/secretsmanager (Secrets Manager API reference, DescribeSecret). Best effort: the
 * caller says on stderr when it could not look.
 */
async function secretKmsKey(
  pool: AwsClientPool,
  t: FleetTarget,
): Promise<{ key?: string; problem?: string }> {
  if (!t.secretId) return {};
  try {
    const { DescribeSecretCommand } = await import("@aws-sdk/client-secrets-manager");
    const client = await pool
      .for({ region: t.region, profile: t.profile }, { maxAttempts: 2 })
      .secretsManager();
    const r = await client.send(new DescribeSecretCommand({ SecretId: t.secretId }));
    const id = r.KmsKeyId;
    if (!id) return {};
    if (/^arn:[^:]+:kms:[^:]+:\d{12}:key\//.test(id)) return { key: id };
    const m = /^arn:([^:]+):secretsmanager:([^:]+):(\d{12}):/.exec(r.ARN ?? "");
    if (m && /^[0-9a-f-]{36}$/.test(id)) return { key: `arn:${m[1]}:kms:${m[2]}:${m[3]}:key/${id}` };
    return { problem: `its KMS key is given as ${id}: grant kms:Decrypt on that key's ARN` };
  } catch (e) {
    return {
      problem: `DescribeSecret failed (${(e as Error).name}: ${(e as Error).message.split("\n")[0]})`,
    };
  }
}

export async function resolvedIamPolicy(
  flags: DoctorFlags,
  io: Io,
  sources: string[] | undefined,
): Promise<{ policy: IamPolicy; comments: string[] }> {
  let fleet: PolicyFleet = genericFleet(`${probeDocumentNamePrefix()}STACK_UUID`);
  const notes: string[] = [];
  if (FLEET_FLAGS.some((k) => flags[k] !== undefined)) {
    const pool = new AwsClientPool();
    const target = await resolveFleet(fleetRequest(flags).target, flags, io, {
      aws: pool,
      checkCredentials: false,
    });
    const kms = await secretKmsKey(pool, target);
    if (kms.problem)
      notes.push(
        `the secret's KMS key is unknown (${kms.problem}); if it is a customer key, add kms:Decrypt on it with the condition kms:ViaService = secretsmanager.<region>.amazonaws.com`,
      );
    fleet = policyFleetFrom(target, kms.key ? { secretKmsKey: kms.key } : {});
    if (!target.fileSystemId)
      notes.push(
        "the file system is found at run time (the Terraform module outputs no file-system id), so DescribeFileSystems is allowed on every file system of the account and region: pass --file-system-id to narrow it",
      );
  }
  const policy = doctorIamPolicy(sources, fleet);
  const comments = explainPolicy(policy);
  const left = placeholdersIn(policy);
  if (left.length)
    comments.push(
      `Placeholders to replace: ${left.map((p) => `${p} (${PLACEHOLDER_SOURCE[p]})`).join(", ")}.${fleet.known ? "" : " Name the fleet (--stack NAME, or --terraform-outputs FILE) to get its ARNs filled in."}`,
    );
  for (const n of notes) comments.push(`Note: ${n}`);
  return { policy, comments };
}
