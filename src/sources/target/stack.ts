/**
 * Read the fleet's identity from the CloudFormation outputs of the stack `pypictl deploy` creates
 * (keys in STACK_OUTPUT_KEYS, shared with src/infra). A stack that does not exist is a UsageError naming it.
 */
import type { AwsClients } from "../aws/clients.js";
import type { FleetTarget } from "./model.js";
import { ACCESS_OUTPUT_KEYS, STACK_OUTPUT_KEYS, type StackOutputField } from "./outputs.js";
import { UsageError } from "../../errors.js";

export class StackNotFoundError extends UsageError {}

export async function readStackOutputs(
  clients: AwsClients,
  stackName: string,
  region?: string,
): Promise<Partial<FleetTarget>> {
  // Imported here, not at the top: resolve-fleet loads this module on every doctor run (for the error class).
  const { DescribeStacksCommand } = await import("@aws-sdk/client-cloudformation");
  const cfn = await clients.cloudformation();
  let r;
  try {
    r = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
  } catch (e) {
    const err = e as { name?: string; message?: string };
    if (err.name === "ValidationError" && /does not exist/i.test(err.message ?? ""))
      throw new StackNotFoundError(
        `stack ${stackName} does not exist${region ? ` in ${region}` : ""} (check --stack and --region)`,
        "--stack",
      );
    throw e;
  }
  const stack = r.Stacks?.[0];
  if (!stack)
    throw new StackNotFoundError(
      `stack ${stackName} does not exist${region ? ` in ${region}` : ""}`,
      "--stack",
    );
  const out: Partial<FleetTarget> = { stack: stackName };
  for (const [field, key] of Object.entries(STACK_OUTPUT_KEYS) as Array<[StackOutputField, string]>) {
    const v = stack.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
    if (v) out[field] = v;
  }
  const output = (key: string) => stack.Outputs?.find((o) => o.OutputKey === key)?.OutputValue;
  const document = output(ACCESS_OUTPUT_KEYS.probeDocument);
  if (document) out.probeDocument = document;
  const logGroup = output(ACCESS_OUTPUT_KEYS.logGroup);
  if (logGroup) out.logGroup = logGroup;
  return out;
}
