/**
 * What a deploy starts from: the recorded props (DescribeStacks output), the props read back from an older
 * stack's template (GetTemplate), or nothing for a new stack; every other answer stops the command. The
 * CloudFormation client is a strict aws-sdk-client-mock (an unexpected call fails the test).
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import {
  CloudFormationClient,
  DescribeStacksCommand,
  GetTemplateCommand,
  type Output,
  type StackStatus,
} from "@aws-sdk/client-cloudformation";
import { readDeployedStack } from "../../src/infra/deployed.js";
import {
  decodeRecordedProps,
  encodeRecordedProps,
  RECORDED_PROPS_OUTPUT,
} from "../../src/infra/recorded-props.js";
import { layerProps, parseResets } from "../../src/infra/layers.js";
import { propsFromTemplate } from "../../src/infra/template-props.js";
import type { TemplateJson } from "../../src/infra/stateful.js";
import { resolveProps, type PypiServerStackProps } from "../../src/infra/props.js";
import { CredentialsError, IncompleteError, UsageError } from "../../src/errors.js";
import { InfraError } from "../../src/infra/errors.js";
import { synth } from "./helpers.js";
import { CERT_TLS, DOCKER_HUB_CREDENTIAL, KEPT } from "./matrix.js";

const cfnMock = mockClient(CloudFormationClient);
const client = new CloudFormationClient({ region: "eu-west-1" });
afterEach(() => cfnMock.reset());

/** Strict: any call not set up below fails. */
function strict(): void {
  cfnMock.onAnyCommand().rejects(new Error("unexpected CloudFormation call"));
}
const sdkError = (name: string, message: string, status = 400) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
const stack = (status: StackStatus, outputs: Output[] = []) => ({
  Stacks: [{ StackName: "pypiserver", StackStatus: status, CreationTime: new Date(), Outputs: outputs }],
});

describe("readDeployedStack", () => {
  it("a missing stack (ValidationError … does not exist) is a first deploy: one call", async () => {
    strict();
    cfnMock
      .on(DescribeStacksCommand, { StackName: "pypiserver" })
      .rejects(sdkError("ValidationError", "Stack with id pypiserver does not exist"));
    expect(await readDeployedStack(client, "pypiserver", { template: true })).toEqual({ exists: false });
    expect(cfnMock.calls()).toHaveLength(1);
  });

  it("a create never executed (REVIEW_IN_PROGRESS) or rolled back (ROLLBACK_COMPLETE) deployed nothing", async () => {
    strict();
    for (const status of ["REVIEW_IN_PROGRESS", "ROLLBACK_COMPLETE"] as const) {
      cfnMock.on(DescribeStacksCommand).resolves(stack(status));
      expect(await readDeployedStack(client, "pypiserver")).toEqual({ exists: false });
    }
  });

  it("recorded props come from the PypictlProps output: DescribeStacks only, unless the template is asked for", async () => {
    strict();
    const props: PypiServerStackProps = { size: "heavy", ...KEPT, ...CERT_TLS };
    cfnMock.on(DescribeStacksCommand).resolves(
      stack("UPDATE_COMPLETE", [
        { OutputKey: "FileSystemId", OutputValue: KEPT.fileSystemId },
        { OutputKey: RECORDED_PROPS_OUTPUT, OutputValue: encodeRecordedProps(props) },
      ]),
    );
    const d = await readDeployedStack(client, "pypiserver");
    expect(d).toMatchObject({ exists: true, origin: "recorded", props, status: "UPDATE_COMPLETE" });
    expect(cfnMock.commandCalls(GetTemplateCommand)).toHaveLength(0);

    cfnMock.on(GetTemplateCommand, { StackName: "pypiserver", TemplateStage: "Original" }).resolves({
      TemplateBody: JSON.stringify({ Resources: {} }),
    });
    const withTemplate = await readDeployedStack(client, "pypiserver", { template: true });
    expect(withTemplate).toMatchObject({ exists: true, template: { Resources: {} } });
  });

  it("recorded keys this version does not know (or refuses) are reported, not applied", () => {
    const d = decodeRecordedProps(
      JSON.stringify({ v: 1, props: { size: "heavy", futureProp: 1, containerMemory: 12 } }),
    );
    expect(d).toEqual({ props: { size: "heavy" }, ignored: ["futureProp", "containerMemory"] });
    expect(decodeRecordedProps("{not json")).toBeUndefined();
    expect(decodeRecordedProps(JSON.stringify({ v: 2, props: {} }))).toBeUndefined();
  });

  it("a stack deployed before props were recorded is read from its template (GetTemplate)", async () => {
    strict();
    const old = synth({ size: "heavy", ...KEPT, ...CERT_TLS, minInstances: 3 }).json;
    delete (old.Outputs as Record<string, unknown>)[RECORDED_PROPS_OUTPUT];
    cfnMock.on(DescribeStacksCommand).resolves(stack("UPDATE_COMPLETE"));
    cfnMock.on(GetTemplateCommand).resolves({ TemplateBody: JSON.stringify(old) });
    const d = await readDeployedStack(client, "pypiserver");
    expect(d).toMatchObject({ exists: true, origin: "template" });
    if (!d.exists) throw new Error("unreachable");
    expect(d.props).toEqual({ size: "heavy", minInstances: 3, ...KEPT, ...CERT_TLS });
  }, 30_000);

  it("AccessDenied stops the command naming the permissions (never a silent start from defaults)", async () => {
    strict();
    cfnMock
      .on(DescribeStacksCommand)
      .rejects(
        sdkError(
          "AccessDenied",
          "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudformation:DescribeStacks",
          403,
        ),
      );
    const e = await readDeployedStack(client, "pypiserver").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(InfraError);
    expect(String(e)).toMatch(/cannot read the deployed stack pypiserver \(DescribeStacks\): AccessDenied/);
    expect(String(e)).toMatch(/grant cloudformation:DescribeStacks and cloudformation:GetTemplate/);
  });

  it("throttling and a failed GetTemplate stop the command too; expired credentials are a usage error (exit 2)", async () => {
    strict();
    cfnMock.on(DescribeStacksCommand).rejects(sdkError("Throttling", "Rate exceeded"));
    const throttled = await readDeployedStack(client, "pypiserver").catch((x: unknown) => x);
    // AWS not reached (throttled, no answer, refused) is exit 3 as in doctor, not a failed deploy.
    expect(throttled).toBeInstanceOf(IncompleteError);
    expect(String(throttled)).toMatch(/Throttling: Rate exceeded/);
    cfnMock.reset();
    strict();
    cfnMock
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }));
    const refused = await readDeployedStack(client, "pypiserver").catch((x: unknown) => x);
    expect(refused).toBeInstanceOf(IncompleteError);
    expect(String(refused)).toMatch(
      /cannot read the deployed stack pypiserver \(DescribeStacks\): cannot reach/,
    );
    cfnMock.reset();
    strict();
    cfnMock.on(DescribeStacksCommand).resolves(stack("CREATE_COMPLETE"));
    cfnMock.on(GetTemplateCommand).rejects(sdkError("AccessDenied", "not authorized", 403));
    await expect(readDeployedStack(client, "pypiserver")).rejects.toThrow(/\(GetTemplate\): AccessDenied/);
    cfnMock.reset();
    strict();
    cfnMock
      .on(DescribeStacksCommand)
      .rejects(sdkError("ExpiredToken", "The security token included in the request is expired"));
    const e = await readDeployedStack(client, "pypiserver").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CredentialsError);
    expect(String(e)).toMatch(/--profile NAME/);
  });
});

describe("propsFromTemplate: an older stack's template gives back the props it was deployed with", () => {
  // Each synthesized without the recorded output, read back, resolved: the same stack.
  const CASES: Array<[string, PypiServerStackProps, { env?: { region: string } }?]> = [
    ["defaults over plain HTTP", { allowHttp: true }],
    ["heavy, kept data, certificate", { size: "heavy", ...KEPT, ...CERT_TLS }],
    [
      "custom counts and memory, bursting, zone, e-mail, CIDRs",
      {
        instanceType: "c6a.large",
        minInstances: 3,
        maxInstances: 6,
        containerMemory: 768,
        taskMaxCount: 16, // within the 18 slots of 6 × c6a.large (the capacity model refuses more)
        efsThroughputMode: "bursting",
        domainName: "pypi.example.com",
        hostedZoneId: "Z0123456789ABC",
        alarmEmail: "oncall@example.com",
        allowedCidrs: ["10.0.0.0/8"],
        natGateways: 2,
        username: "ci",
        imageTag: "v2.3.2",
        gunicornWorkers: 3,
        backend: "cached-dir",
        bcryptRounds: 6,
        logRetentionDays: 90,
        backupRetentionDays: 35,
      },
    ],
    [
      "provisioned throughput, pull-through cache",
      {
        efsThroughputMode: "provisioned",
        efsProvisionedMibps: 64,
        dockerHubCredentialArn: DOCKER_HUB_CREDENTIAL,
        ...CERT_TLS,
        albIdleTimeoutSeconds: 120,
        deregistrationDelaySeconds: 10,
      },
    ],
    [
      "access logs",
      { albAccessLogs: true, albAccessLogsDays: 30, allowHttp: true },
      { env: { region: "eu-west-1" } },
    ],
  ];
  let read: Array<[string, PypiServerStackProps, PypiServerStackProps]>;
  beforeAll(() => {
    read = CASES.map(([name, props, o]) => {
      const json = synth(props, o ?? {}).json;
      delete (json.Outputs as Record<string, unknown>)[RECORDED_PROPS_OUTPUT];
      return [name, props, propsFromTemplate(json as TemplateJson)];
    });
  }, 60_000);

  it("resolves to the same stack as the props it was deployed with", () => {
    for (const [name, props, back] of read) {
      // The same stack; the preset's name may differ (c6a.large is medium's type, whatever it was called).
      const { warnings: _w1, size: _s1, ...a } = resolveProps(props);
      const { warnings: _w2, size: _s2, ...b } = resolveProps(back);
      expect({ name, ...b }).toEqual({ name, ...a });
    }
  });

  it("keeps only what the defaults would not give (the preset still moves the rest)", () => {
    expect(read[0]![2]).toEqual({ allowHttp: true });
    expect(read[1]![2]).toEqual({ size: "heavy", ...KEPT, ...CERT_TLS });
  });
});

describe("layerProps: flag > config > deployed > default", () => {
  const deployed: PypiServerStackProps = {
    size: "heavy",
    fileSystemId: KEPT.fileSystemId,
    allowHttp: true,
    containerMemory: 1024,
    efsThroughputMode: "provisioned",
    efsProvisionedMibps: 32,
  };

  it("keeps every deployed value the user does not set, and says where each came from", () => {
    const l = layerProps({
      deployed,
      config: { containerMemory: 768 },
      flags: { alarmEmail: "a@example.com" },
    });
    expect(l.props).toEqual({ ...deployed, containerMemory: 768, alarmEmail: "a@example.com" });
    expect(l.sources).toMatchObject({
      size: "deployed",
      fileSystemId: "deployed",
      containerMemory: "config",
      alarmEmail: "flag",
    });
    expect(
      layerProps({ deployed, config: { containerMemory: 768 }, flags: { containerMemory: 512 } }).sources
        .containerMemory,
    ).toBe("flag");
  });

  it("--reset returns one prop (or all) to its default", () => {
    const one = layerProps({ deployed, reset: parseResets(["container-memory"]) });
    expect(one.props.containerMemory).toBeUndefined();
    expect(one.props.size).toBe("heavy");
    expect(one.dropped).toEqual([{ key: "containerMemory", reason: "reset (--reset container-memory)" }]);
    expect(layerProps({ deployed, reset: parseResets(["all"]) }).props).toEqual({});
    expect(parseResets(["containerMemory,size"])).toEqual(["size", "containerMemory"].reverse());
    expect(() => parseResets(["container-memry"])).toThrow(UsageError);
  });

  it("a value the user sets drops the deployed values it makes meaningless (reported), not a validation error", () => {
    const l = layerProps({ deployed, flags: { ...CERT_TLS, efsThroughputMode: "elastic" } });
    expect(l.props.allowHttp).toBeUndefined();
    expect(l.props.efsProvisionedMibps).toBeUndefined();
    expect(l.dropped.map((d) => `${d.key}: ${d.reason}`)).toEqual([
      "efsProvisionedMibps: superseded by --efs-throughput-mode",
      "allowHttp: superseded by --certificate-arn",
    ]);
    expect(() => resolveProps(l.props)).not.toThrow();
  });
});
