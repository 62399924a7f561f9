/** `--save-evidence` writes compact JSON; `--pretty` indents it. Both replay to the same findings (issue 12). */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../../src/cli/main.js";
import { captureIo } from "../../helpers/io.js";
import { assertValidBundle } from "../../helpers/schema.js";

const tmp = mkdtempSync(join(tmpdir(), "pypictl-evidence-format-"));

async function run(argv: string[]) {
  const io = captureIo();
  const code = await runCli(argv, io);
  return { code, out: io.stdout.text, err: io.stderr.text };
}

describe("doctor --save-evidence [--pretty]", () => {
  it("writes one compact line by default and an indented bundle with --pretty; both replay alike", async () => {
    const compact = join(tmp, "compact.json");
    const pretty = join(tmp, "pretty.json");
    const a = await run([
      "doctor",
      "--local",
      "--samples",
      "2",
      "--format",
      "json",
      "--quiet",
      "--save-evidence",
      compact,
    ]);
    const b = await run([
      "doctor",
      "--local",
      "--samples",
      "2",
      "--format",
      "json",
      "--quiet",
      "--save-evidence",
      pretty,
      "--pretty",
    ]);
    expect([a.code, b.code], a.err + b.err).not.toContain(2);
    const compactText = readFileSync(compact, "utf8");
    const prettyText = readFileSync(pretty, "utf8");
    expect(compactText.trimEnd().split("\n")).toHaveLength(1);
    expect(prettyText).toMatch(/^{\n {2}"\$schema": /);
    assertValidBundle(JSON.parse(compactText));
    assertValidBundle(JSON.parse(prettyText));
    for (const file of [compact, pretty]) {
      const r = await run(["doctor", "--replay", file, "--format", "json"]);
      expect(r.code, r.err).not.toBe(2);
      expect(JSON.parse(r.out).findings.map((f: { checkId: string }) => f.checkId)).toEqual(
        JSON.parse(a.out).findings.map((f: { checkId: string }) => f.checkId),
      );
    }
  });

  it("--pretty without --save-evidence is a bad invocation naming both flags", async () => {
    const r = await run(["doctor", "--local", "--pretty"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--pretty needs --save-evidence/);
  });
});
