import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import {
  scenario,
  CLUSTER,
  SERVICE,
  FS_ID,
  LB_ARN,
  TG_ARN,
  ASG,
  SECRET_ARN,
} from "../../fixtures/aws/sim.mjs";
import { NOW, installTestFleet, useTestAwsEnv } from "./harness.js";
import { resolveFleet } from "../../../src/cli/options/resolve-fleet.js";
import { captureIo } from "../../helpers/io.js";
import { CredentialsError, IncompleteError, UsageError } from "../../../src/errors.js";

useTestAwsEnv();

const TF = {
  ecs_cluster_name: { value: "tf-cluster", type: "string", sensitive: false },
  ecs_service_name: { value: "pypiserver", type: "string", sensitive: false },
  ecs_service_arn: {
    value: "arn:aws:ecs:us-east-2:123456789012:service/tf-cluster/pypiserver",
    type: "string",
    sensitive: false,
  },
  pypi_load_balancer_arn: {
    value: "arn:aws:elasticloadbalancing:us-east-2:123456789012:loadbalancer/app/tf/1",
    type: "string",
    sensitive: false,
  },
  asg_name: { value: "tf-asg", type: "string", sensitive: false },
  pypi_server_urls: { value: ["pypi.example.com"], type: ["list", "string"], sensitive: false },
};

describe("resolveFleet", () => {
  it("reads the default stack's outputs when nothing else identifies the fleet", async () => {
    const fleet = installTestFleet(scenario(), NOW);
    const t = await resolveFleet({ kind: "fleet", region: "eu-west-1" }, {}, captureIo());
    expect(fleet.mocks.cloudformation.commandCalls(DescribeStacksCommand)[0]!.args[0].input).toEqual({
      StackName: "pypiserver",
    });
    expect(t).toEqual({
      kind: "fleet",
      region: "eu-west-1",
      stack: "pypiserver",
      cluster: CLUSTER,
      service: SERVICE,
      fileSystemId: FS_ID,
      loadBalancer: LB_ARN,
      targetGroup: TG_ARN,
      url: "https://pypi.example.com",
      secretId: SECRET_ARN,
      autoScalingGroup: ASG,
    });
  });

  it("explicit flags override stack outputs", async () => {
    installTestFleet(scenario(), NOW);
    const t = await resolveFleet(
      { kind: "fleet", region: "eu-west-1", stack: "pypiserver", service: "other" },
      {},
      captureIo(),
    );
    expect(t.service).toBe("other");
    expect(t.cluster).toBe(CLUSTER);
  });

  it("a named stack that does not exist is a usage error naming it; the default one says how to identify the fleet", async () => {
    const fleet = installTestFleet(scenario(), NOW);
    await expect(
      resolveFleet({ kind: "fleet", region: "eu-west-1", stack: "nope" }, {}, captureIo()),
    ).rejects.toThrow(/stack nope does not exist in eu-west-1/);
    fleet.mocks.cloudformation
      .on(DescribeStacksCommand)
      .rejects(
        Object.assign(new Error("Stack with id pypiserver does not exist"), { name: "ValidationError" }),
      );
    const e = await resolveFleet({ kind: "fleet", region: "eu-west-1" }, {}, captureIo()).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toMatch(/default stack pypiserver does not exist.*--terraform-outputs/);
  });

  it("takes Terraform outputs from a file or stdin without calling CloudFormation", async () => {
    const fleet = installTestFleet(scenario(), NOW);
    const dir = mkdtempSync(join(tmpdir(), "pypictl-tf-"));
    const file = join(dir, "out.json");
    writeFileSync(file, JSON.stringify(TF));
    const t = await resolveFleet({ kind: "fleet" }, { terraformOutputs: file }, captureIo());
    expect(t).toMatchObject({
      cluster: "tf-cluster",
      service: "pypiserver",
      region: "us-east-2",
      autoScalingGroup: "tf-asg",
      url: "https://pypi.example.com",
    });
    expect(t.targetGroup).toBeUndefined();
    const io = { ...captureIo(), stdin: Readable.from([JSON.stringify(TF)]) as never };
    const t2 = await resolveFleet({ kind: "fleet", cluster: "flag-cluster" }, { terraformOutputs: "-" }, io);
    expect(t2.cluster).toBe("flag-cluster");
    expect(fleet.mocks.cloudformation.calls()).toHaveLength(0);
  });

  it("an unreachable endpoint or a denied stack read stops with a message, not a stack trace", async () => {
    const fleet = installTestFleet(scenario(), NOW);
    fleet.mocks.cloudformation
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" }));
    const p = resolveFleet({ kind: "fleet", region: "eu-west-1" }, {}, captureIo());
    await expect(p).rejects.toBeInstanceOf(IncompleteError);
    await expect(p).rejects.toThrow(
      /cannot read the outputs of stack pypiserver: unreachable: cannot reach .*ECONNREFUSED/,
    );
    fleet.mocks.cloudformation
      .on(DescribeStacksCommand)
      .rejects(
        Object.assign(
          new Error(
            "User: arn:aws:iam::1:user/x is not authorized to perform: cloudformation:DescribeStacks on resource: y",
          ),
          { name: "AccessDenied" },
        ),
      );
    const q = resolveFleet({ kind: "fleet", region: "eu-west-1" }, {}, captureIo());
    await expect(q).rejects.toBeInstanceOf(UsageError);
    await expect(q).rejects.toThrow(
      /Grant cloudformation:DescribeStacks or identify the fleet with --cluster and --service/,
    );
  });

  it("missing credentials → CredentialsError telling how to provide them", async () => {
    const fleet = installTestFleet(scenario(), NOW);
    fleet.mocks.cloudformation.on(DescribeStacksCommand).rejects(
      Object.assign(new Error("Could not load credentials from any providers"), {
        name: "CredentialsProviderError",
      }),
    );
    const e = await resolveFleet({ kind: "fleet", region: "eu-west-1" }, {}, captureIo()).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(CredentialsError);
    expect((e as Error).message).toMatch(/AWS_PROFILE.*--profile.*aws sso login.*AWS_ACCESS_KEY_ID/);
  });

  it("checks the real credential chain when no AWS call is needed (explicit flags)", async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    delete process.env.AWS_PROFILE;
    const dir = mkdtempSync(join(tmpdir(), "pypictl-aws-"));
    Object.assign(process.env, {
      AWS_CONFIG_FILE: join(dir, "config"),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials"),
    });
    const e = await resolveFleet(
      { kind: "fleet", region: "eu-west-1", cluster: "c", service: "s" },
      {},
      captureIo(),
    ).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CredentialsError);
    delete process.env.AWS_REGION;
    delete process.env.AWS_DEFAULT_REGION;
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "secret" });
    const r = await resolveFleet({ kind: "fleet", cluster: "c", service: "s" }, {}, captureIo()).catch(
      (x: unknown) => x,
    );
    expect((r as Error).message).toMatch(/No AWS region.*--region.*AWS_REGION/);
  });
});
