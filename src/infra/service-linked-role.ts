/**
 * The ECS service-linked role (AWSServiceRoleForECS), checked and if need be created before the first deploy
 * of a stack. In an account that never ran ECS, CreateCluster makes ECS create that role and assume it at
 * once; IAM is eventually consistent, so the first create fails with "Unable to assume the service linked
 * role. Please verify that the ECS service linked role exists." and a retry works
 * (aws-cloudformation/cloudformation-coverage-roadmap#818, aws/containers-roadmap#2614; Terraform's provider
 * retries CreateCluster for it, hashicorp/terraform-provider-aws#15457).
 *
 * Why a preflight and not a stack resource: AWS::IAM::ServiceLinkedRole fails when the role exists
 * ("Service role name AWSServiceRoleForECS has been taken in this account", which every account that ever
 * ran ECS answers), and a stack that owned the account-wide role would try to delete it with the stack,
 * under every other ECS cluster of the account. So: GetRole; if missing, CreateServiceLinkedRole
 * (ecs.amazonaws.com), then wait for IAM to propagate it (10 s, as aws-solutions-library-samples'
 * guidance-for-claude-code-with-amazon-bedrock#252 does for the same race). A role that appeared meanwhile
 * (another deploy, or ECS itself) is success. A denied call is no failure of the deploy (the caller may
 * deploy through the CDK bootstrap roles and hold no IAM rights): it is reported, with the IAM action and
 * the command an administrator runs once. Light: the IAM client is passed in.
 */
import type { IAMClient } from "@aws-sdk/client-iam";

export const ECS_SERVICE_LINKED_ROLE = "AWSServiceRoleForECS";
export const ECS_SERVICE_PRINCIPAL = "ecs.amazonaws.com";
/** IAM propagation after creating the role (see above). */
export const PROPAGATION_WAIT_MS = 10_000;
/** The IAM actions this needs, for the permission docs and messages. */
export const SERVICE_LINKED_ROLE_ACTIONS = ["iam:GetRole", "iam:CreateServiceLinkedRole"] as const;

export const CREATE_COMMAND = `aws iam create-service-linked-role --aws-service-name ${ECS_SERVICE_PRINCIPAL}`;

export type ServiceLinkedRoleCheck =
  | { readonly status: "exists" }
  | { readonly status: "created" }
  /** Could not be checked or created: the deploy goes on, with this warning. */
  | { readonly status: "unknown"; readonly warning: string };

function describe(e: unknown): { name: string; message: string } {
  const err = e as { name?: string; message?: string };
  return { name: err?.name ?? "Error", message: (err?.message ?? String(e)).split("\n")[0] ?? "" };
}

const isMissing = (e: unknown) =>
  describe(e).name === "NoSuchEntityException" || describe(e).name === "NoSuchEntity";
/** CreateServiceLinkedRole's answer when the role exists: InvalidInput "… has been taken in this account …". */
const isTaken = (e: unknown) => /has been taken in this account|already exists/i.test(describe(e).message);
const isDenied = (e: unknown) =>
  /AccessDenied|not authorized|UnauthorizedOperation/i.test(`${describe(e).name} ${describe(e).message}`);

export async function ensureEcsServiceLinkedRole(
  iam: Pick<IAMClient, "send">,
  o: { sleep?: (ms: number) => Promise<void> } = {},
): Promise<ServiceLinkedRoleCheck> {
  const { GetRoleCommand, CreateServiceLinkedRoleCommand } = await import("@aws-sdk/client-iam");
  let getProblem: string | undefined;
  try {
    await iam.send(new GetRoleCommand({ RoleName: ECS_SERVICE_LINKED_ROLE }));
    return { status: "exists" };
  } catch (e) {
    // Not found: create it. Anything else (denied, throttled): creating still tells, since IAM answers
    // "has been taken" for a role that exists.
    if (!isMissing(e)) {
      const d = describe(e);
      getProblem = `iam:GetRole: ${d.name}: ${d.message}`;
    }
  }
  try {
    await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: ECS_SERVICE_PRINCIPAL }));
  } catch (e) {
    if (isTaken(e)) return { status: "exists" };
    const d = describe(e);
    const problems = [getProblem, `iam:CreateServiceLinkedRole: ${d.name}: ${d.message}`].filter(Boolean);
    const what = getProblem
      ? `could not check the ECS service-linked role ${ECS_SERVICE_LINKED_ROLE}`
      : `this account has no ECS service-linked role ${ECS_SERVICE_LINKED_ROLE}, and creating it failed`;
    const grant = isDenied(e)
      ? ` Grant iam:CreateServiceLinkedRole (condition iam:AWSServiceName = ${ECS_SERVICE_PRINCIPAL})${getProblem ? " and iam:GetRole on it" : ""}, or have an administrator run once: ${CREATE_COMMAND}.`
      : ` An administrator can create it once: ${CREATE_COMMAND}.`;
    return {
      status: "unknown",
      warning: `${what} (${problems.join("; ")}). In an account that never ran ECS, the first create then fails with "Unable to assume the service linked role" (ECS creates the role itself, too late for that create); running the same deploy again works.${grant}`,
    };
  }
  await (o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))))(PROPAGATION_WAIT_MS);
  return { status: "created" };
}

/** A failed deploy's message that is this race, whatever the preflight said. */
export function isServiceLinkedRoleRace(message: string): boolean {
  return /Unable to assume the service linked role/i.test(message);
}

export const SERVICE_LINKED_ROLE_RACE_HINT = `ECS could not yet use its service-linked role ${ECS_SERVICE_LINKED_ROLE}: in an account that never ran ECS, ECS creates it with the first cluster and IAM takes seconds to propagate it. ECS has created it by then; run the same \`pypictl deploy\` again (it deletes the failed stack first).`;
