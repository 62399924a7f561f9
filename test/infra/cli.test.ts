/**
 * The infra commands end to end in-process (runCli with captured streams), up to the AWS boundary:
 * offline synth, validation errors (exit 2), no credentials (exit 2 with instructions), an account that is
 * not bootstrapped (a local fake AWS endpoint answers STS/SSM like a fresh account), and the IoHost's
 * approval policy with recorded requests. No real AWS call is ever made.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, readFile, writeFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  AbortError,
  AuthenticationError,
  BootstrapError,
  ToolkitError,
  type IoRequest,
} from "@aws-cdk/toolkit-lib";
import { runCli } from "../../src/cli/main.js";
import { captureIo } from "../helpers/io.js";
import { STACK_OUTPUT_KEYS } from "../../src/sources/target/outputs.js";
import { LEFTOVER_BUCKET, startFakeAws } from "./fake-aws.js";
import { EXISTING_VPC_ID, vpcLookupContext } from "./matrix.js";
import {
  PypictlIoHost,
  translateError,
  DeclinedError,
  InfraError,
  type IoSink,
} from "../../src/infra/toolkit.js";
import { CredentialsError, UsageError } from "../../src/errors.js";

let dir: string;
const savedEnv = { ...process.env };

/** No credentials anywhere: no env keys, an empty HOME, no instance metadata. */
function isolateAwsEnv(extra: Record<string, string> = {}): void {
  for (const k of Object.keys(process.env))
    if (k.startsWith("AWS_") || k.startsWith("CDK_")) delete process.env[k];
  process.env.HOME = dir;
  process.env.AWS_CONFIG_FILE = join(dir, "no-config");
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(dir, "no-credentials");
  process.env.AWS_EC2_METADATA_DISABLED = "true";
  Object.assign(process.env, extra);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pypictl-infra-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => isolateAwsEnv());
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
});

describe("pypictl synth (offline)", () => {
  it("prints the template on stdout, notes on stderr, exit 0", async () => {
    const io = captureIo({}, { cwd: dir });
    const code = await runCli(["synth"], io);
    expect(code, io.stderr.text).toBe(0);
    const template = JSON.parse(io.stdout.text) as { Resources: object; Outputs: Record<string, unknown> };
    for (const key of Object.values(STACK_OUTPUT_KEYS)) expect(template.Outputs).toHaveProperty(key);
    expect(io.stderr.text).toMatch(/plain HTTP/);
  });

  it("--out writes the file; flags reach the stack", async () => {
    const io = captureIo({}, { cwd: dir });
    const code = await runCli(
      [
        "synth",
        "--out",
        "out/template.json",
        "--size",
        "heavy",
        "--certificate-arn",
        "arn:aws:acm:us-east-1:123456789012:certificate/abc-1",
        "--domain-name",
        "pypi.example.com",
        "--stack",
        "pypi-prod",
        // --stack reads the deployed stack's props; --offline synthesizes from flags and defaults only.
        "--offline",
      ],
      io,
    );
    expect(code, io.stderr.text).toBe(0);
    expect(io.stdout.text).toBe("");
    const template = JSON.parse(await readFile(join(dir, "out/template.json"), "utf8")) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const scaling = Object.values(template.Resources).find(
      (r) => r.Type === "AWS::ApplicationAutoScaling::ScalableTarget",
    )!;
    expect(scaling.Properties.MinCapacity).toBe(12);
    expect(io.stderr.text).toMatch(/written to out\/template.json/);
    expect(io.stderr.text).not.toMatch(/plain HTTP/);
  });

  it("config file deploy section, overridden by flags", async () => {
    const cfg = join(dir, "pypictl.json");
    await writeFile(
      cfg,
      JSON.stringify({
        target: { stack: "from-config" },
        deploy: { containerMemory: 1024, allowHttp: true },
      }),
    );
    const io = captureIo({}, { cwd: dir });
    const code = await runCli(["synth", "-c", cfg, "--gunicorn-workers", "3"], io);
    expect(code, io.stderr.text).toBe(0);
    const text = io.stdout.text;
    expect(text).toContain('"Memory": 1024');
    expect(text).toContain("workers = 3");
  });
});

describe("bad input → exit 2 naming the flag or field", () => {
  it("flag out of range", async () => {
    const io = captureIo({}, { cwd: dir });
    expect(await runCli(["synth", "--container-memory", "100"], io)).toBe(2);
    expect(io.stderr.text).toMatch(/--container-memory: must be ≥ 256 \(got 100\)/);
    expect(io.stdout.text).toBe("");
  });
  it("config file field", async () => {
    const cfg = join(dir, "bad.json");
    await writeFile(cfg, JSON.stringify({ deploy: { containerMemory: 100 } }));
    const io = captureIo({}, { cwd: dir });
    expect(await runCli(["synth", "-c", cfg], io)).toBe(2);
    expect(io.stderr.text).toContain(`${cfg}: deploy.containerMemory: must be ≥ 256 (got 100)`);
  });
  it("unknown config key", async () => {
    const cfg = join(dir, "typo.json");
    await writeFile(cfg, JSON.stringify({ deploy: { instanceTyp: "t3.small" } }));
    const io = captureIo({}, { cwd: dir });
    expect(await runCli(["synth", "-c", cfg], io)).toBe(2);
    expect(io.stderr.text).toMatch(/unknown key "deploy.instanceTyp"/);
  });
  it("deploy of a new stack insists on a TLS decision before synthesizing or changing anything", async () => {
    // The decision may come from the deployed stack's props, so only the stack's read comes first.
    const fake = await startFakeAws({ bootstrapVersion: "30" });
    try {
      isolateAwsEnv({
        AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKE",
        AWS_SECRET_ACCESS_KEY: "fake",
        AWS_REGION: "eu-west-1",
        AWS_ENDPOINT_URL: fake.url,
      });
      const io = captureIo({}, { cwd: dir });
      expect(await runCli(["deploy"], io)).toBe(2);
      expect(io.stderr.text).toMatch(
        /--certificate-arn, or --domain-name with --hosted-zone-id .*--allow-http/,
      );
      expect(fake.calls).toEqual(["DescribeStacks"]);
    } finally {
      await fake.close();
    }
  });
  it("enum flags list their choices", async () => {
    const io = captureIo({}, { cwd: dir });
    expect(await runCli(["synth", "--size", "huge"], io)).toBe(2);
    expect(io.stderr.text).toMatch(/light, medium, heavy, very-heavy/);
  });
});

describe("no credentials", () => {
  it("deploy: exit 2 with how to provide credentials, quickly, nothing saved", async () => {
    const io = captureIo({}, { cwd: dir });
    const t0 = Date.now();
    const code = await runCli(["deploy", "--allow-http", "--yes", "--outputs-file", "nocreds.json"], io);
    expect(code, io.stderr.text).toBe(2);
    expect(io.stderr.text).toMatch(/no usable AWS credentials/);
    expect(io.stderr.text).toMatch(/--profile NAME .*AWS_ACCESS_KEY_ID/);
    expect(Date.now() - t0).toBeLessThan(20_000);
    await expect(readFile(join(dir, "nocreds.json"))).rejects.toThrow();
  });
  it("bootstrap: exit 2", async () => {
    const io = captureIo({}, { cwd: dir });
    expect(await runCli(["bootstrap"], io)).toBe(2);
    expect(io.stderr.text).toMatch(/no usable AWS credentials/);
  });
  it("synth that needs a lookup (--max-azs 3, --vpc-id) goes through the toolkit: exit 2 without credentials", async () => {
    const io = captureIo({}, { cwd: dir });
    expect(await runCli(["synth", "--max-azs", "3"], io)).toBe(2);
    expect(io.stderr.text).toMatch(/--max-azs above 2 .*needs the AWS account and region/);
    expect(io.stderr.text).toMatch(/--profile NAME/);
    expect(io.stdout.text).toBe("");
  });
  it("destroy: says what is retained, then exit 2", async () => {
    const io = captureIo({}, { cwd: dir });
    expect(await runCli(["destroy", "--yes"], io)).toBe(2);
    expect(io.stderr.text).toMatch(/EFS file system with your packages/);
    expect(io.stderr.text).toMatch(/no usable AWS credentials/);
  });
});

describe("not bootstrapped (fake AWS endpoint of a fresh account)", () => {
  let server: Server;
  const calls: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (c: Buffer) => (body += c.toString()));
      req.on("end", () => {
        const target = String(req.headers["x-amz-target"] ?? "");
        const action = new URLSearchParams(body).get("Action") ?? target;
        calls.push(action || `${req.method} ${req.url}`);
        const xmlError = (status: number, code: string, message: string) => {
          res.writeHead(status, { "content-type": "text/xml" });
          res.end(
            `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>1</RequestId></ErrorResponse>`,
          );
        };
        if (action === "GetCallerIdentity") {
          res.writeHead(200, { "content-type": "text/xml" });
          res.end(
            '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::123456789012:user/t</Arn><UserId>AIDA</UserId><Account>123456789012</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
          );
        } else if (action === "AssumeRole") xmlError(403, "AccessDenied", "no such role");
        else if (target.endsWith("GetParameter")) {
          res.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
          res.end(JSON.stringify({ __type: "ParameterNotFound", message: "" }));
        } else if (action === "DescribeStacks")
          xmlError(400, "ValidationError", "Stack with id CDKToolkit does not exist");
        else xmlError(400, "InvalidAction", "not emulated");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it("deploy: exit 2 and suggests pypictl bootstrap for the region", async () => {
    const port = (server.address() as AddressInfo).port;
    isolateAwsEnv({
      AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKE",
      AWS_SECRET_ACCESS_KEY: "fake",
      AWS_REGION: "eu-west-1",
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
    });
    const io = captureIo({}, { cwd: dir });
    const code = await runCli(["deploy", "--allow-http", "--yes", "--outputs-file", "boot.json"], io);
    expect(code, io.stderr.text).toBe(2);
    expect(io.stderr.text).toMatch(/aws:\/\/123456789012\/eu-west-1 is not bootstrapped/);
    expect(io.stderr.text).toMatch(/Run: pypictl bootstrap --region eu-west-1/);
    expect(calls.some((c) => c.endsWith("GetParameter"))).toBe(true);
  });
});

describe("the deployed stack cannot be read", () => {
  let server: Server;
  beforeAll(async () => {
    // CloudFormation (query protocol) refusing DescribeStacks, as IAM answers a policy without it.
    server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(403, { "content-type": "text/xml" });
        res.end(
          "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/ci is not authorized to perform: cloudformation:DescribeStacks</Message></Error><RequestId>1</RequestId></ErrorResponse>",
        );
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const env = (url: string) =>
    isolateAwsEnv({
      AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKE",
      AWS_SECRET_ACCESS_KEY: "fake",
      AWS_REGION: "eu-west-1",
      AWS_ENDPOINT_URL: url,
    });

  it("diff, access denied: exit 1 naming the permissions, not an internal error", async () => {
    env(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const io = captureIo({}, { cwd: dir });
    expect(await runCli(["diff", "--allow-http"], io), io.stderr.text).toBe(1);
    expect(io.stderr.text).toMatch(
      /cannot read the deployed stack pypiserver \(DescribeStacks\): AccessDenied/,
    );
    expect(io.stderr.text).not.toMatch(/internal error|this is a bug/);
  });

  it("diff, AWS not reached (connection refused): exit 3, as doctor", async () => {
    env("http://127.0.0.1:9");
    const io = captureIo({}, { cwd: dir });
    expect(await runCli(["diff", "--allow-http"], io), io.stderr.text).toBe(3);
    expect(io.stderr.text).toMatch(
      /cannot read the deployed stack pypiserver \(DescribeStacks\): cannot reach/,
    );
  });
});

describe("deploy against a fake AWS endpoint (bootstrapped account)", () => {
  const outputs = {
    [STACK_OUTPUT_KEYS.cluster]: "pypiserver-Cluster-1",
    [STACK_OUTPUT_KEYS.service]: "pypiserver-Service-1",
    [STACK_OUTPUT_KEYS.fileSystemId]: "fs-0123456789abcdef0",
    [STACK_OUTPUT_KEYS.loadBalancer]:
      "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/pypi-alb/0123456789abcdef",
    [STACK_OUTPUT_KEYS.targetGroup]:
      "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/pypi-tg/0123456789abcdef",
    [STACK_OUTPUT_KEYS.url]: "http://pypi-alb-1.eu-west-1.elb.amazonaws.com",
    [STACK_OUTPUT_KEYS.secretId]: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:Credentials-abc",
    [STACK_OUTPUT_KEYS.autoScalingGroup]: "pypiserver-HostsASG-1",
  };
  const fakeEnv = (url: string) => ({
    AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKE",
    AWS_SECRET_ACCESS_KEY: "fake",
    AWS_REGION: "eu-west-1",
    AWS_ENDPOINT_URL: url,
  });

  it("--yes: change set created and executed, outputs printed on stdout and saved for doctor/creds", async () => {
    const fake = await startFakeAws({ bootstrapVersion: "30", outputs });
    try {
      isolateAwsEnv(fakeEnv(fake.url));
      const io = captureIo({}, { cwd: dir });
      const code = await runCli(
        ["deploy", "--allow-http", "--yes", "--outputs-file", "out/outputs.json"],
        io,
      );
      expect(code, io.stderr.text).toBe(0);
      expect(fake.calls).toEqual(
        expect.arrayContaining(["GetParameter", "CreateChangeSet", "ExecuteChangeSet"]),
      );
      // A first deploy checks the account's ECS service-linked role before the change set; it exists here.
      expect(fake.calls.indexOf("GetRole")).toBeGreaterThan(-1);
      expect(fake.calls.indexOf("GetRole")).toBeLessThan(fake.calls.indexOf("CreateChangeSet"));
      expect(fake.calls).not.toContain("CreateServiceLinkedRole");
      expect(fake.calls.some((c) => c.startsWith("PUT /cdk-hnb659fds-assets-123456789012-eu-west-1/"))).toBe(
        true,
      );
      for (const [k, v] of Object.entries(outputs))
        expect(io.stdout.text).toMatch(new RegExp(`^${k} +${v.replace(/[.]/g, "\\.")}$`, "m"));
      expect(JSON.parse(await readFile(join(dir, "out/outputs.json"), "utf8"))).toEqual({
        pypiserver: outputs,
      });
      expect(io.stderr.text).toMatch(/CREATE_COMPLETE/);
      expect(io.stderr.text).toMatch(/pypictl doctor --stack pypiserver --region eu-west-1/);
    } finally {
      await fake.close();
    }
  });

  it("a first create that fails on the service-linked-role race and leaves the access-log bucket: the report says run it again and names the bucket with its command (exit 1)", async () => {
    const fake = await startFakeAws({ bootstrapVersion: "30", outputs, failedCreate: "on-execute" });
    try {
      isolateAwsEnv(fakeEnv(fake.url));
      const io = captureIo({}, { cwd: dir });
      const code = await runCli(["deploy", "--allow-http", "--yes", "--outputs-file", "out/f.json"], io);
      expect(code, io.stderr.text).toBe(1);
      expect(io.stderr.text).toMatch(
        /ECS could not yet use its service-linked role AWSServiceRoleForECS.*run the same `pypictl deploy` again/,
      );
      expect(io.stderr.text).toMatch(/Left behind by the failed create \(ROLLBACK_FAILED\)/);
      expect(io.stderr.text).toContain(`S3 bucket ${LEFTOVER_BUCKET}: the failed create could not delete it`);
      expect(io.stderr.text).toContain(`aws s3 rb s3://${LEFTOVER_BUCKET} --force`);
    } finally {
      await fake.close();
    }
  });

  it("the next deploy of a stack a failed create left (ROLLBACK_FAILED): a create; names the bucket, then deletes and recreates (exit 0)", async () => {
    const fake = await startFakeAws({ bootstrapVersion: "30", outputs, failedCreate: "existing" });
    try {
      isolateAwsEnv(fakeEnv(fake.url));
      const io = captureIo({}, { cwd: dir });
      const code = await runCli(["deploy", "--allow-http", "--yes", "--outputs-file", "out/g.json"], io);
      expect(code, io.stderr.text).toBe(0);
      expect(io.stderr.text).toMatch(
        /Stack pypiserver is what a failed first create left \(ROLLBACK_FAILED\): deploy deletes it and creates it again\./,
      );
      expect(io.stderr.text).toContain(`aws s3 rb s3://${LEFTOVER_BUCKET} --force`);
      expect(io.stderr.text).toMatch(/Stack pypiserver does not exist yet: deploy creates it\./);
      // Not read as a deployed stack: no props read back from its template, none "kept".
      expect(io.stderr.text).not.toMatch(/Starting from the props|Kept at their deployed values/);
      expect(fake.calls.indexOf("DeleteStack")).toBeLessThan(fake.calls.indexOf("ExecuteChangeSet"));
    } finally {
      await fake.close();
    }
  });

  it("deploy: a stack without the outputs doctor/creds read fails clearly (exit 1) and saves nothing", async () => {
    const partial = { [STACK_OUTPUT_KEYS.cluster]: "c", [STACK_OUTPUT_KEYS.url]: "http://x" };
    const fake = await startFakeAws({ bootstrapVersion: "30", outputs: partial });
    try {
      isolateAwsEnv(fakeEnv(fake.url));
      const io = captureIo({}, { cwd: dir });
      expect(
        await runCli(["deploy", "--allow-http", "--yes", "--outputs-file", "partial.json"], io),
        io.stderr.text,
      ).toBe(1);
      expect(io.stderr.text).toMatch(
        /lacks the outputs doctor and creds read: ServiceName, FileSystemId, LoadBalancerArn, TargetGroupArn, SecretArn, AutoScalingGroupName/,
      );
      expect(io.stderr.text).not.toMatch(/Outputs saved/);
      await expect(readFile(join(dir, "partial.json"))).rejects.toThrow();
    } finally {
      await fake.close();
    }
  });

  it("diff: the changes on stdout once (one IAM table), no confirmation prompt text, exit 0", async () => {
    const fake = await startFakeAws({ bootstrapVersion: "30" });
    try {
      isolateAwsEnv(fakeEnv(fake.url));
      const io = captureIo({}, { cwd: dir });
      const beforeExit = process.listenerCount("beforeExit");
      expect(await runCli(["diff", "--allow-http"], io), io.stderr.text).toBe(0);
      // No auto-synth left behind for the process's exit (it would write into the deleted assembly directory).
      expect(process.listenerCount("beforeExit")).toBe(beforeExit);
      expect(io.stdout.text).toMatch(/Stack pypiserver/);
      const all = io.stdout.text + io.stderr.text;
      expect(all.split("IAM Statement Changes").length - 1).toBe(1);
      expect(all).not.toMatch(/Please confirm/);
      expect(all).not.toMatch(/cdk bootstrap/);
      expect(io.stderr.text).toMatch(/broaden permissions .*pypictl deploy` asks before applying them/);
      expect(io.stderr.text).toMatch(/differences found/);
      expect(fake.calls).not.toContain("ExecuteChangeSet");
    } finally {
      await fake.close();
    }
  });

  it("diff --fail-on-diff: exit 1 when there are differences (CI)", async () => {
    const fake = await startFakeAws({ bootstrapVersion: "30" });
    try {
      isolateAwsEnv(fakeEnv(fake.url));
      const io = captureIo({}, { cwd: dir });
      expect(await runCli(["diff", "--allow-http", "--fail-on-diff"], io), io.stderr.text).toBe(1);
      expect(io.stderr.text).toMatch(/differences found/);
    } finally {
      await fake.close();
    }
  });

  it("--vpc-id of a VPC without private subnets: clear message naming the flag, exit 2, no stack trace", async () => {
    const fake = await startFakeAws({ bootstrapVersion: "30" });
    try {
      isolateAwsEnv(fakeEnv(fake.url));
      const io = captureIo(
        {
          PYPICTL_CDK_CONTEXT: JSON.stringify(
            vpcLookupContext({ region: "eu-west-1", privateSubnets: false }),
          ),
        },
        { cwd: dir },
      );
      const code = await runCli(["synth", "--vpc-id", EXISTING_VPC_ID, "--allow-http"], io);
      expect(code, io.stderr.text).toBe(2);
      expect(io.stderr.text).toMatch(/--vpc-id vpc-0123456789abcdef0: the VPC has no private subnets/);
      expect(io.stderr.text).not.toMatch(/ENOENT|\n\s+at /);
      expect(io.stdout.text).toBe("");
    } finally {
      await fake.close();
    }
  });

  it("without --yes and no terminal: the plan is shown, a usage error naming --yes, nothing created, exit 2, nothing saved", async () => {
    const fake = await startFakeAws({ bootstrapVersion: "30", outputs });
    try {
      isolateAwsEnv(fakeEnv(fake.url));
      const io = captureIo({}, { cwd: dir });
      const code = await runCli(["deploy", "--allow-http", "--outputs-file", "declined.json"], io);
      expect(code, io.stderr.text).toBe(2);
      expect(io.stderr.text).toMatch(/No terminal to confirm on: re-run with --yes/);
      expect(io.stderr.text).toMatch(/nothing was changed/);
      expect(io.stderr.text).toMatch(
        /Stack pypiserver does not exist yet: deploy creates it\.\nProps set:\n {2}allowHttp {2}true {2}\(flag --allow-http\)/,
      );
      expect(fake.calls).not.toContain("CreateChangeSet");
      expect(fake.calls).not.toContain("ExecuteChangeSet");
      await expect(readFile(join(dir, "declined.json"))).rejects.toThrow();
    } finally {
      await fake.close();
    }
  });
});

describe("bootstrap against a fake AWS endpoint", () => {
  it("deploys the CDKToolkit stack into the resolved account/region", async () => {
    const fake = await startFakeAws({});
    try {
      isolateAwsEnv({
        AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKE",
        AWS_SECRET_ACCESS_KEY: "fake",
        AWS_ENDPOINT_URL: fake.url,
      });
      const io = captureIo({}, { cwd: dir });
      expect(await runCli(["bootstrap", "--region", "ap-south-1"], io), io.stderr.text).toBe(0);
      expect(io.stdout.text).toBe("aws://123456789012/ap-south-1  bootstrapped\n");
      expect(fake.calls).toEqual(
        expect.arrayContaining(["GetCallerIdentity", "CreateChangeSet", "ExecuteChangeSet"]),
      );
    } finally {
      await fake.close();
    }
  });
});

describe("destroy against a fake AWS endpoint", () => {
  const fakeEnv = (url: string) => ({
    AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKE",
    AWS_SECRET_ACCESS_KEY: "fake",
    AWS_REGION: "eu-west-1",
    AWS_ENDPOINT_URL: url,
  });

  it("--yes: deletes the stack and says the packages file system and backups remain", async () => {
    const fake = await startFakeAws({ bootstrapVersion: "30", existingStack: true });
    try {
      isolateAwsEnv(fakeEnv(fake.url));
      const io = captureIo({}, { cwd: dir });
      expect(await runCli(["destroy", "--yes"], io), io.stderr.text).toBe(0);
      expect(fake.calls).toContain("DeleteStack");
      expect(io.stderr.text).toMatch(/Kept \(RETAIN\): the EFS file system with your packages/);
      expect(io.stderr.text).toMatch(
        /Stack pypiserver deleted\. The packages file system, backup vault and secret remain/,
      );
      expect(io.stderr.text).toMatch(/no managed termination protection/);
    } finally {
      await fake.close();
    }
  });

  it("a stack a failed create left: names the bucket its rollback could not delete, with the command", async () => {
    const fake = await startFakeAws({ bootstrapVersion: "30", failedCreate: "existing" });
    try {
      isolateAwsEnv(fakeEnv(fake.url));
      const io = captureIo({}, { cwd: dir });
      expect(await runCli(["destroy", "--yes"], io), io.stderr.text).toBe(0);
      expect(fake.calls).toContain("ListStackResources");
      expect(io.stderr.text).toMatch(/Left behind:\n(.*\n)* {2}- S3 bucket pypiserver-accesslogs/);
      expect(io.stderr.text).toContain(`aws s3 rb s3://${LEFTOVER_BUCKET} --force`);
    } finally {
      await fake.close();
    }
  });

  it("without --yes and no terminal: refused up front naming --yes, nothing called, exit 2", async () => {
    const fake = await startFakeAws({ bootstrapVersion: "30", existingStack: true });
    try {
      isolateAwsEnv(fakeEnv(fake.url));
      const io = captureIo({}, { cwd: dir });
      expect(await runCli(["destroy"], io), io.stderr.text).toBe(2);
      expect(fake.calls).toEqual([]);
      expect(io.stderr.text).toMatch(/not on a terminal.*pass --yes/);
    } finally {
      await fake.close();
    }
  });
});

describe("IoHost: toolkit messages and the approval policy", () => {
  function host(
    o: { yes?: boolean; requireApproval?: "never" | "any-change" | "broadening"; answer?: boolean } = {},
  ) {
    const progress: string[] = [];
    const results: string[] = [];
    const sink: IoSink = {
      progress: (t) => progress.push(t),
      result: (t) => results.push(t),
      ...(o.answer !== undefined ? { confirm: async () => o.answer } : {}),
    };
    return {
      h: new PypictlIoHost({ sink, yes: o.yes, requireApproval: o.requireApproval, resultsToStdout: true }),
      progress,
      results,
    };
  }
  const deployRequest = (permissionChangeType: string): IoRequest<unknown, boolean> => ({
    time: new Date(),
    level: "info",
    action: "deploy",
    code: "CDK_TOOLKIT_I5060",
    message: "IAM Statement Changes … Do you wish to deploy these changes?",
    data: { permissionChangeType },
    defaultResponse: true,
  });

  it("broadening change, no terminal, no --yes: declined with advice", async () => {
    const { h, progress } = host();
    expect(await h.requestResponse(deployRequest("broadening"))).toBe(false);
    expect(progress.join("")).toMatch(/re-run with --yes/);
    expect(h.requests).toEqual([{ code: "CDK_TOOLKIT_I5060", answer: false }]);
  });
  it("--yes approves; non-broadening changes pass under the default policy", async () => {
    expect(await host({ yes: true }).h.requestResponse(deployRequest("broadening"))).toBe(true);
    expect(await host().h.requestResponse(deployRequest("non-broadening"))).toBe(true);
    expect(await host({ requireApproval: "never" }).h.requestResponse(deployRequest("broadening"))).toBe(
      true,
    );
  });
  it("any-change asks even without security changes; the terminal's answer counts", async () => {
    expect(
      await host({ requireApproval: "any-change", answer: true }).h.requestResponse(deployRequest("none")),
    ).toBe(true);
    expect(
      await host({ requireApproval: "any-change", answer: false }).h.requestResponse(deployRequest("none")),
    ).toBe(false);
  });
  it("destroy confirmation needs --yes or an answer", async () => {
    const req: IoRequest<unknown, boolean> = {
      time: new Date(),
      level: "info",
      action: "destroy",
      code: "CDK_TOOLKIT_I7010",
      message: "Are you sure?",
      data: {},
      defaultResponse: true,
    };
    expect(await host().h.requestResponse(req)).toBe(false);
    expect(await host({ yes: true }).h.requestResponse(req)).toBe(true);
  });
  it("routes levels: results to stdout, debug hidden, stack activity condensed", async () => {
    const { h, progress, results } = host();
    const msg = (
      level: "result" | "info" | "debug" | "warn",
      message: string,
      code?: string,
      data?: unknown,
    ) =>
      h.notify({
        time: new Date(),
        level,
        action: "deploy",
        message,
        data,
        ...(code ? { code: code as "CDK_TOOLKIT_I0000" } : {}),
      });
    await msg("result", "Resources\n[+] AWS::EFS::FileSystem");
    await msg("debug", "noise");
    await msg("warn", "\u001b[33mcareful\u001b[0m");
    await msg("info", "", "CDK_TOOLKIT_I5502", {
      event: {
        ResourceStatus: "CREATE_FAILED",
        LogicalResourceId: "Packages",
        ResourceType: "AWS::EFS::FileSystem",
        ResourceStatusReason: "quota",
      },
    });
    expect(results.join("")).toContain("[+] AWS::EFS::FileSystem");
    expect(progress.join("")).not.toContain("noise");
    expect(progress.join("")).toContain("warning: careful\n");
    expect(progress.join("")).toMatch(/CREATE_FAILED\s+AWS::EFS::FileSystem\s+Packages {2}quota/);
  });
});

describe("error translation", () => {
  it("credentials, bootstrap (even wrapped), abort, other toolkit failures", () => {
    expect(
      translateError(new AuthenticationError("NoCredentials", "Unable to resolve"), { profile: "ops" }),
    ).toBeInstanceOf(CredentialsError);
    const boot = new BootstrapError(
      "SsmParameterNotFound",
      "SSM parameter not found. Has the environment been bootstrapped?",
      { account: "1", region: "us-east-2" },
    );
    const wrapped = ToolkitError.withCause("DeployStackFailed", "pypiserver: failed", boot);
    const t = translateError(wrapped, {});
    expect(t).toBeInstanceOf(UsageError);
    expect(t.message).toMatch(/Run: pypictl bootstrap --region us-east-2/);
    expect(translateError(new AbortError("DeployAborted", "Deployment cancelled"))).toBeInstanceOf(
      DeclinedError,
    );
    const failed = translateError(
      ToolkitError.withCause(
        "DeployStackFailed",
        "pypiserver failed",
        new Error("Resource handler returned message: quota"),
      ),
    );
    expect(failed).toBeInstanceOf(InfraError);
    expect(failed.message).toMatch(/quota/);
    const sdkError = (name: string, message: string) =>
      Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 } });
    expect(
      translateError(
        sdkError("ExpiredTokenException", "The security token included in the request is expired"),
      ),
    ).toBeInstanceOf(CredentialsError);
    const denied = translateError(
      sdkError("AccessDenied", "User is not authorized to perform: cloudformation:CreateChangeSet"),
    );
    expect(denied).toBeInstanceOf(InfraError);
    expect(denied.message).toMatch(/AWS AccessDenied: .*\nThe credentials lack a permission/);
  });
});

describe("destroy says how to redeploy onto what it kept", () => {
  it("reads the stack's outputs first and prints the exact flags", async () => {
    const fake = await startFakeAws({
      bootstrapVersion: "30",
      existingStack: true,
      outputs: {
        FileSystemId: "fs-0123456789abcdef0",
        BackupVaultName: "pypictl-11111111-2222-3333-4444-555555555555",
        SecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:Credentials-AbCdEf",
        ClusterName: "pypiserver-Cluster-1",
        AccessLogsBucket: "pypiserver-accesslogs-1",
        PypictlProps: JSON.stringify({
          v: 1,
          props: {
            dockerHubCredentialArn:
              "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ecr-pullthroughcache/docker-hub-AbCdEf",
          },
        }),
      },
    });
    try {
      isolateAwsEnv({
        AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKE",
        AWS_SECRET_ACCESS_KEY: "fake",
        AWS_REGION: "eu-west-1",
        AWS_ENDPOINT_URL: fake.url,
      });
      const io = captureIo({}, { cwd: dir });
      expect(await runCli(["destroy", "--yes"], io), io.stderr.text).toBe(0);
      expect(io.stderr.text).toContain(
        "Redeploy onto them (same packages, same password): pypictl deploy --file-system-id fs-0123456789abcdef0 --backup-vault-name pypictl-11111111-2222-3333-4444-555555555555 --secret-arn arn:aws:secretsmanager:eu-west-1:123456789012:secret:Credentials-AbCdEf",
      );
      // Every leftover by name, including what AWS created outside the stack.
      expect(io.stderr.text).toContain("  - EFS file system fs-0123456789abcdef0: your packages\n");
      expect(io.stderr.text).toContain("  - S3 bucket pypiserver-accesslogs-1: ALB access logs");
      expect(io.stderr.text).toContain(
        "  - CloudWatch log group /aws/ecs/containerinsights/pypiserver-Cluster-1/performance:",
      );
      expect(io.stderr.text).toMatch(/ {2}- ECR repositories under pypictl-pypiserver-[0-9a-f]{8}\/: /);
    } finally {
      await fake.close();
    }
  });
});

describe("help", () => {
  it("bootstrap --help lists only what bootstrap uses (no --stack, no stack props)", async () => {
    const io = captureIo({}, { cwd: dir });
    await runCli(["bootstrap", "--help"], io);
    const help = io.stdout.text;
    expect(help).toMatch(/--region/);
    expect(help).toMatch(/--profile/);
    expect(help).not.toMatch(/--stack\b/);
    expect(help).not.toMatch(/--size|--no-nag|--instance-type/);
  });
  it("diff --help documents --fail-on-diff", async () => {
    const io = captureIo({}, { cwd: dir });
    await runCli(["diff", "--help"], io);
    expect(io.stdout.text).toMatch(/--fail-on-diff +exit 1 when there are differences/);
  });
});
