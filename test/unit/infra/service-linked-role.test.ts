/**
 * The ECS service-linked role preflight of a first deploy, against a strict aws-sdk-client-mock IAM client
 * (an unexpected call fails): present, missing and created (then the propagation wait), the "has been taken"
 * race, denied calls (reported with the IAM action and the command, never a failed deploy), throttling.
 * Error shapes as IAM answers them (iam-2010-05-08 service-2.json: NoSuchEntityException 404,
 * InvalidInputException 400 "Service role name AWSServiceRoleForECS has been taken in this account, please
 * try a different suffix.", as quoted in Rayraegah/terraform-aws-hasura#17).
 */
import { afterEach, describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import { CreateServiceLinkedRoleCommand, GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import {
  CREATE_COMMAND,
  ECS_SERVICE_LINKED_ROLE,
  PROPAGATION_WAIT_MS,
  ensureEcsServiceLinkedRole,
  isServiceLinkedRoleRace,
} from "../../../src/infra/service-linked-role.js";

const iamMock = mockClient(IAMClient);
const iam = new IAMClient({ region: "eu-west-1" });
afterEach(() => iamMock.reset());

function strict(): void {
  iamMock.onAnyCommand().rejects(new Error("unexpected IAM call"));
}
const sdkError = (name: string, message: string, status = 400) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
const noSuchEntity = () =>
  sdkError("NoSuchEntityException", `The role with name ${ECS_SERVICE_LINKED_ROLE} cannot be found.`, 404);
const taken = () =>
  sdkError(
    "InvalidInputException",
    "Service role name AWSServiceRoleForECS has been taken in this account, please try a different suffix.",
  );
const denied = (action: string) =>
  sdkError(
    "AccessDenied",
    `User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ${action} on resource: role ${ECS_SERVICE_LINKED_ROLE} because no identity-based policy allows the ${action} action`,
    403,
  );
const role = {
  Role: {
    Path: "/aws-service-role/ecs.amazonaws.com/",
    RoleName: ECS_SERVICE_LINKED_ROLE,
    RoleId: "AROAEXAMPLEEXAMPLE123",
    Arn: "arn:aws:iam::123456789012:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS",
    CreateDate: new Date("2021-03-01T00:00:00Z"),
  },
};

function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

describe("ensureEcsServiceLinkedRole", () => {
  it("an account that has the role: one GetRole, nothing created, no wait", async () => {
    strict();
    iamMock.on(GetRoleCommand, { RoleName: ECS_SERVICE_LINKED_ROLE }).resolves(role);
    const s = recordingSleep();
    expect(await ensureEcsServiceLinkedRole(iam, s)).toEqual({ status: "exists" });
    expect(iamMock.calls()).toHaveLength(1);
    expect(s.waits).toEqual([]);
  });

  it("a brand-new account: creates it for ecs.amazonaws.com, then waits for IAM to propagate it", async () => {
    strict();
    iamMock.on(GetRoleCommand).rejects(noSuchEntity());
    iamMock.on(CreateServiceLinkedRoleCommand, { AWSServiceName: "ecs.amazonaws.com" }).resolves(role);
    const s = recordingSleep();
    expect(await ensureEcsServiceLinkedRole(iam, s)).toEqual({ status: "created" });
    expect(iamMock.commandCalls(CreateServiceLinkedRoleCommand)[0]!.args[0].input).toEqual({
      AWSServiceName: "ecs.amazonaws.com",
    });
    expect(s.waits).toEqual([PROPAGATION_WAIT_MS]);
  });

  it("created meanwhile (another deploy, or ECS itself): 'has been taken' is success, no wait", async () => {
    strict();
    iamMock.on(GetRoleCommand).rejects(noSuchEntity());
    iamMock.on(CreateServiceLinkedRoleCommand).rejects(taken());
    const s = recordingSleep();
    expect(await ensureEcsServiceLinkedRole(iam, s)).toEqual({ status: "exists" });
    expect(s.waits).toEqual([]);
  });

  it("GetRole denied but the role exists: creating tells ('has been taken')", async () => {
    strict();
    iamMock.on(GetRoleCommand).rejects(denied("iam:GetRole"));
    iamMock.on(CreateServiceLinkedRoleCommand).rejects(taken());
    expect(await ensureEcsServiceLinkedRole(iam, recordingSleep())).toEqual({ status: "exists" });
  });

  it("GetRole denied and the role missing: created with the other right", async () => {
    strict();
    iamMock.on(GetRoleCommand).rejects(denied("iam:GetRole"));
    iamMock.on(CreateServiceLinkedRoleCommand).resolves(role);
    expect(await ensureEcsServiceLinkedRole(iam, recordingSleep())).toEqual({ status: "created" });
  });

  it("missing and CreateServiceLinkedRole denied: a warning naming the action, its condition and the command", async () => {
    strict();
    iamMock.on(GetRoleCommand).rejects(noSuchEntity());
    iamMock.on(CreateServiceLinkedRoleCommand).rejects(denied("iam:CreateServiceLinkedRole"));
    const r = await ensureEcsServiceLinkedRole(iam, recordingSleep());
    expect(r.status).toBe("unknown");
    const w = (r as { warning: string }).warning;
    expect(w).toMatch(/has no ECS service-linked role AWSServiceRoleForECS/);
    expect(w).toContain("iam:CreateServiceLinkedRole: AccessDenied");
    expect(w).toContain("iam:AWSServiceName = ecs.amazonaws.com");
    expect(w).toContain(CREATE_COMMAND);
    expect(w).toMatch(/Unable to assume the service linked role.*same deploy again/);
    expect(w).not.toMatch(/iam:GetRole on it/);
  });

  it("both denied: could not check, names both actions", async () => {
    strict();
    iamMock.on(GetRoleCommand).rejects(denied("iam:GetRole"));
    iamMock.on(CreateServiceLinkedRoleCommand).rejects(denied("iam:CreateServiceLinkedRole"));
    const r = await ensureEcsServiceLinkedRole(iam, recordingSleep());
    const w = (r as { warning: string }).warning;
    expect(r.status).toBe("unknown");
    expect(w).toMatch(/^could not check the ECS service-linked role/);
    expect(w).toContain("iam:GetRole: AccessDenied");
    expect(w).toContain("iam:CreateServiceLinkedRole: AccessDenied");
    expect(w).toContain("and iam:GetRole on it");
  });

  it("throttled past the SDK's retries: a warning (not a pass, not a failed deploy)", async () => {
    strict();
    iamMock.on(GetRoleCommand).rejects(sdkError("Throttling", "Rate exceeded"));
    iamMock.on(CreateServiceLinkedRoleCommand).rejects(sdkError("Throttling", "Rate exceeded"));
    const r = await ensureEcsServiceLinkedRole(iam, recordingSleep());
    expect(r.status).toBe("unknown");
    expect((r as { warning: string }).warning).toContain("Throttling: Rate exceeded");
    expect((r as { warning: string }).warning).toContain(CREATE_COMMAND);
  });
});

describe("isServiceLinkedRoleRace", () => {
  it("recognises CloudFormation's failure text for the race", () => {
    expect(
      isServiceLinkedRoleRace(
        'Resource handler returned message: "Invalid request provided: CreateCluster Invalid Request: Unable to assume the service linked role. Please verify that the ECS service linked role exists."',
      ),
    ).toBe(true);
    expect(isServiceLinkedRoleRace("Resource creation cancelled")).toBe(false);
  });
});
