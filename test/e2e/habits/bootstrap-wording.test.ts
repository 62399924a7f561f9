/**
 * pypictl users have no `cdk` CLI: whatever the CDK toolkit says about bootstrapping reaches them as
 * `pypictl bootstrap` (issue 10). Pinned two ways: the rewording on the toolkit's own sentences (copied
 * verbatim from @aws-cdk/toolkit-lib 1.43, files named beside each), and `diff`/`deploy` run end to end
 * against a local fake AWS endpoint that answers like an account that was never bootstrapped.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../../../src/cli/main.js";
import { pypictlWording } from "../../../src/infra/toolkit.js";
import { captureIo } from "../../helpers/io.js";
import { startFakeAws, type FakeAws } from "../../infra/fake-aws.js";

const TOOLKIT_SENTENCES: Array<[where: string, text: string]> = [
  [
    "lib/api/environment/environment-resources.js",
    "SSM parameter /cdk-bootstrap/hnb659fds/version not found in aws://123456789012/eu-west-1. Has the environment been bootstrapped? Please run 'cdk bootstrap' (see https://docs.aws.amazon.com/cdk/latest/guide/bootstrapping.html)",
  ],
  [
    "lib/api/cloudformation/template-body-parameter.js",
    'The template for stack "pypiserver" is 60KiB. Templates larger than 50KiB must be uploaded to S3.\nRun the following command in order to setup an S3 bucket in this environment, and then re-deploy:\n\n\t$ cdk bootstrap aws://123456789012/eu-west-1\n',
  ],
  ["lib/api/cloudformation/template-body-parameter.js", 'Template too large to deploy ("cdk bootstrap" is required)'],
  [
    "lib/api/aws-auth/sdk-provider.js",
    "Could not assume role in target account using current credentials User is not authorized . Please make sure that this role exists in the account. If it doesn't exist, (re)-bootstrap the environment with the right '--trust', using the latest version of the CDK CLI.",
  ],
  [
    "lib/api/refactoring/context.js",
    "The CDK toolkit stack in environment aws://123456789012/eu-west-1 doesn't support refactoring. Please run 'cdk bootstrap aws://123456789012/eu-west-1' to update it.",
  ],
];

describe("the toolkit's bootstrap advice, reworded for pypictl", () => {
  it.each(TOOLKIT_SENTENCES)("%s", (_where, text) => {
    const out = pypictlWording(text);
    expect(out).not.toMatch(/\bcdk bootstrap\b|CDK CLI|--trust/);
    expect(out).toMatch(/pypictl bootstrap/);
    // An aws://account/region environment becomes the --region flag pypictl bootstrap takes.
    if (/cdk bootstrap '?aws:\/\//.test(text)) expect(out).toMatch(/pypictl bootstrap --region eu-west-1/);
  });
});

describe("diff and deploy against an account that was never bootstrapped", () => {
  let dir: string;
  let fake: FakeAws;
  const saved = { ...process.env };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "pypictl-boot-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    fake = await startFakeAws({});
    for (const k of Object.keys(process.env)) if (k.startsWith("AWS_") || k.startsWith("CDK_")) delete process.env[k];
    Object.assign(process.env, {
      HOME: dir,
      AWS_CONFIG_FILE: join(dir, "no-config"),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, "no-credentials"),
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKE",
      AWS_SECRET_ACCESS_KEY: "fake",
      AWS_REGION: "eu-west-1",
      AWS_ENDPOINT_URL: fake.url,
    });
  });
  afterEach(async () => {
    await fake.close();
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });

  it("deploy says `pypictl bootstrap --region …`, never `cdk bootstrap`", async () => {
    const io = captureIo({}, { cwd: dir });
    const code = await runCli(["deploy", "--allow-http", "--yes", "--outputs-file", "out.json"], io);
    const all = io.stdout.text + io.stderr.text;
    expect(code, all).toBe(2);
    expect(all).toMatch(/Run: pypictl bootstrap --region eu-west-1/);
    expect(all).not.toMatch(/\bcdk bootstrap\b|CDK CLI/);
  });

  it("diff never tells the user to run `cdk bootstrap`", async () => {
    const io = captureIo({}, { cwd: dir });
    const code = await runCli(["diff", "--allow-http"], io);
    const all = io.stdout.text + io.stderr.text;
    // Without a bootstrap stack the toolkit diffs against the template (no change set): still a diff, exit 0.
    expect(code, all).toBe(0);
    expect(io.stdout.text).toMatch(/Stack pypiserver/);
    expect(all).not.toMatch(/\bcdk bootstrap\b|CDK CLI/);
    // The only other "bootstrap" is the template's own BootstrapVersion parameter, shown in the diff.
    const advice = all.split("\n").filter((l) => /bootstrap/i.test(l) && !/BootstrapVersion|\/cdk-bootstrap\//.test(l));
    for (const line of advice) expect(line).toMatch(/pypictl bootstrap/);
  });
});
