/**
 * pypictl users have no `cdk` command: every hint to bootstrap must say `pypictl bootstrap`. toolkit-lib's
 * own messages name `cdk bootstrap` (aws://ACCOUNT/REGION form, quoted and unquoted); they reach the user
 * through the IoHost and through translated errors, both of which rewrite them. Checked two ways:
 * - each bootstrap message toolkit-lib can emit (and the template's CheckBootstrapVersion rule text) (texts as in @aws-cdk/toolkit-lib 1.x, each one's fragment
 *   looked up in the installed package so a reworded message shows up here) comes out as `pypictl bootstrap`;
 * - `deploy` and `diff` run end to end against the fake AWS endpoint of an account that is not bootstrapped,
 *   and of one whose bootstrap stack is too old: neither stream says `cdk bootstrap`, both runs say what to run.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { runCli } from "../../src/cli/main.js";
import { captureIo } from "../helpers/io.js";
import { startFakeAws } from "./fake-aws.js";
import { synth } from "./helpers.js";
import { PypictlIoHost, pypictlWording, translateError } from "../../src/infra/toolkit.js";
import { BootstrapError, ToolkitError } from "@aws-cdk/toolkit-lib";

const ENV = "aws://123456789012/eu-west-1";

/** toolkit-lib's bootstrap hints: [fragment that must exist in the installed package, the message as shown]. */
const TOOLKIT_MESSAGES: Array<[string, string]> = [
  [
    "Has the environment been bootstrapped? Please run",
    `SSM parameter /cdk-bootstrap/hnb659fds/version not found in ${ENV}. Has the environment been bootstrapped? Please run 'cdk bootstrap' (see https://docs.aws.amazon.com/cdk/latest/guide/bootstrapping.html)`,
  ],
  [
    "This CDK deployment requires bootstrap stack version",
    `This CDK deployment requires bootstrap stack version '6', found '1' in ${ENV}. Please run 'cdk bootstrap'.`,
  ],
  [
    "the toolkit stack must be deployed to the environment (Run",
    `This stack uses assets, so the toolkit stack must be deployed to the environment (Run "cdk bootstrap ${ENV}")`,
  ],
  [
    "Run the following command in order to setup an S3 bucket in this environment, and then re-deploy",
    `Run the following command in order to setup an S3 bucket in this environment, and then re-deploy:\n\n\t$ cdk bootstrap ${ENV}\n`,
  ],
  [
    "Use 'cdk bootstrap' to correct this",
    "The CDK toolkit stack (CDKToolkit) does not have an output named BucketName. Use 'cdk bootstrap' to correct this.",
  ],
  [
    "that failed to create. Use %s to try provisioning it again",
    `The environment ${ENV} has a CDK toolkit stack (CDKToolkit) that failed to create. Use cdk bootstrap "${ENV}" to try provisioning it again.`,
  ],
  [
    "re-bootstrap your environment by running 'cdk bootstrap'",
    "Make sure you have permissions to call the DescribeEvents API, or re-bootstrap your environment by running 'cdk bootstrap' to update the Bootstrap CDK Toolkit stack.",
  ],
  [
    'Template too large to deploy ("cdk bootstrap" is required)',
    'Template too large to deploy ("cdk bootstrap" is required)',
  ],
];

let toolkitSource = "";
let dir: string;
const savedEnv = { ...process.env };

async function jsFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith(".js")).map((e) => join(e.parentPath, e.name));
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pypictl-bootstrap-wording-"));
  const lib = join(dirname(createRequire(import.meta.url).resolve("@aws-cdk/toolkit-lib")), "..", "lib");
  const files = await jsFiles(lib).catch(() =>
    jsFiles(dirname(createRequire(import.meta.url).resolve("@aws-cdk/toolkit-lib"))),
  );
  toolkitSource = (await Promise.all(files.map((f) => readFile(f, "utf8")))).join("\n");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
});

function fakeAwsEnv(url: string): void {
  for (const k of Object.keys(process.env))
    if (k.startsWith("AWS_") || k.startsWith("CDK_")) delete process.env[k];
  Object.assign(process.env, {
    HOME: dir,
    AWS_CONFIG_FILE: join(dir, "no-config"),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-credentials"),
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKE",
    AWS_SECRET_ACCESS_KEY: "fake",
    AWS_REGION: "eu-west-1",
    AWS_ENDPOINT_URL: url,
  });
}

describe("toolkit-lib's bootstrap hints say `pypictl bootstrap`", () => {
  for (const [fragment, message] of TOOLKIT_MESSAGES) {
    it(fragment, async () => {
      expect(toolkitSource, "toolkit-lib no longer has this message: update TOOLKIT_MESSAGES").toContain(
        fragment,
      );
      const rewritten = pypictlWording(message);
      expect(rewritten).not.toMatch(/cdk bootstrap/);
      expect(rewritten).toMatch(/pypictl bootstrap/);
      if (message.includes(`cdk bootstrap ${ENV}`) || message.includes(`cdk bootstrap "${ENV}"`))
        expect(rewritten).toContain("pypictl bootstrap --region eu-west-1");

      // Through the IoHost (progress text) and through error translation (what the CLI prints on failure).
      const progress: string[] = [];
      const host = new PypictlIoHost({
        sink: { progress: (t) => progress.push(t), result: (t) => progress.push(t) },
      });
      await host.notify({
        time: new Date(),
        level: "warn",
        action: "deploy",
        code: "CDK_TOOLKIT_W0000",
        message,
        data: undefined,
      } as never);
      expect(progress.join("")).not.toMatch(/cdk bootstrap/);
      const translated = translateError(new ToolkitError("ToolkitMessage", message), {
        region: "eu-west-1",
      }).message;
      expect(translated).toMatch(/pypictl bootstrap/);
      expect(translated).not.toMatch(/cdk bootstrap/);
    });
  }

  it("the template's own CheckBootstrapVersion rule text (CloudFormation echoes it when it fails) is rewritten too", () => {
    const rules = synth({ allowHttp: true }).json.Rules as Record<
      string,
      { Assertions: Array<{ AssertDescription: string }> }
    >;
    const text = rules.CheckBootstrapVersion!.Assertions[0]!.AssertDescription;
    expect(text).toMatch(/cdk bootstrap/);
    const failure = `Rule CheckBootstrapVersion failed validation: ${text}`;
    const translated = translateError(new ToolkitError("ChangeSetCreationFailed", failure), {
      region: "eu-west-1",
    }).message;
    expect(translated).not.toMatch(/cdk bootstrap/);
    expect(translated).toMatch(/pypictl bootstrap/);
  });

  it("a BootstrapError becomes a usage error naming the region and the profile", () => {
    const e = new BootstrapError("SsmParameterNotFound", TOOLKIT_MESSAGES[0]![1], {
      account: "123456789012",
      region: "eu-west-1",
    });
    const translated = translateError(new ToolkitError("DeployFailed", "deploy failed", undefined, e), {
      profile: "ops",
    });
    expect(translated.message).toMatch(/aws:\/\/123456789012\/eu-west-1 is not bootstrapped/);
    expect(translated.message).toMatch(/Run: pypictl bootstrap --region eu-west-1 --profile ops$/);
    expect(translated.message).not.toMatch(/cdk bootstrap/);
  });
});

describe("deploy and diff against unbootstrapped and outdated accounts never say `cdk bootstrap`", () => {
  const cases = [
    { name: "not bootstrapped", bootstrapVersion: undefined },
    { name: "bootstrap stack too old (version 1)", bootstrapVersion: "1" },
  ];
  for (const c of cases) {
    for (const command of ["deploy", "diff"] as const) {
      it(`${command}: ${c.name}`, async () => {
        const fake = await startFakeAws({ bootstrapVersion: c.bootstrapVersion });
        try {
          fakeAwsEnv(fake.url);
          const io = captureIo({}, { cwd: dir });
          const args =
            command === "deploy"
              ? ["deploy", "--allow-http", "--yes", "--outputs-file", "wording.json"]
              : ["diff", "--allow-http"];
          const code = await runCli(args, io);
          const all = io.stdout.text + io.stderr.text;
          expect(all).not.toMatch(/cdk bootstrap/);
          if (command === "deploy") {
            expect(code, all).not.toBe(0);
            expect(fake.calls).not.toContain("ExecuteChangeSet");
          }
          // diff falls back to comparing templates (no change set) and need not mention bootstrapping; when it
          // does advise it, it names pypictl's command. (The template's BootstrapVersion parameter is no advice.)
          if (command === "deploy" || /bootstrapped|run .*bootstrap/i.test(all))
            expect(all).toMatch(/pypictl bootstrap/);
        } finally {
          await fake.close();
        }
      }, 60_000);
    }
  }
});
