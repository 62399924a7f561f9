/**
 * The toolkit's AssumeRoleFailed advice names the CDK CLI and its `--trust` flag, neither of which a pypictl
 * user has: it reaches them as `pypictl bootstrap`. (The `cdk bootstrap` sentences, and diff/deploy end to
 * end, are pinned in test/infra/bootstrap-wording.test.ts.) Text as in @aws-cdk/toolkit-lib 1.43,
 * lib/api/aws-auth/sdk-provider.js, looked up there so a reworded message shows up here.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { pypictlWording } from "../../../src/infra/toolkit.js";

const FRAGMENT =
  "(re)-bootstrap the environment \" +\n                    \"with the right '--trust', using the latest version of the CDK CLI.";
const SHOWN =
  "Could not assume role in target account using current credentials User is not authorized . Please make sure that this role exists in the account. If it doesn't exist, (re)-bootstrap the environment with the right '--trust', using the latest version of the CDK CLI.";

describe("AssumeRoleFailed advice, reworded for pypictl", () => {
  it("still exists in the installed toolkit", () => {
    const lib = join(
      dirname(createRequire(import.meta.url).resolve("@aws-cdk/toolkit-lib")),
      "api",
      "aws-auth",
      "sdk-provider.js",
    );
    expect(readFileSync(lib, "utf8")).toContain(FRAGMENT);
  });

  it("says pypictl bootstrap, not the CDK CLI or --trust", () => {
    const out = pypictlWording(SHOWN);
    expect(out).toMatch(/\(re\)-bootstrap the environment: pypictl bootstrap\.$/);
    expect(out).not.toMatch(/CDK CLI|--trust|\bcdk bootstrap\b/);
  });
});
