/**
 * Issue 26, item 4: `creds --write --dry-run` on a 30,000-line file (pip.conf, .netrc, uv.toml) ends in
 * about a second, showing only what changes. Its diff was an LCS table, quadratic in time and memory:
 * the process ran out of heap after a minute.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../../src/cli/main.js";
import { captureIo } from "../../helpers/io.js";

const tmp = mkdtempSync(join(tmpdir(), "pypictl-large-creds-"));
const TF = join(import.meta.dirname, "../../../examples/terraform/outputs.json");
/** What the same work takes on an idle machine is ~0.2 s; a loaded 2-core machine gets 5 s. */
const BOUND_MS = 5_000;

const LINES = 30_000;
const FILES: Array<{ format: string; name: string; text: string }> = [
  {
    format: "pip.conf",
    name: "pip.conf",
    text: ["[global]", "timeout = 30", ...Array.from({ length: LINES }, (_, i) => `# note ${i}`)].join("\n"),
  },
  {
    format: "pip.conf",
    name: "pip-keys.conf",
    text: ["[global]", ...Array.from({ length: LINES }, (_, i) => `key${i} = value ${i}`)].join("\n"),
  },
  {
    format: "netrc",
    name: "netrc",
    text: Array.from({ length: LINES }, (_, i) => `machine h${i}.example login u${i} password p${i}`).join(
      "\n",
    ),
  },
  {
    format: "uv",
    name: "uv.toml",
    text: Array.from({ length: LINES }, (_, i) => `# note ${i}`).join("\n"),
  },
];

describe(`creds --write --dry-run on a ${LINES.toLocaleString("en")}-line file`, () => {
  for (const f of FILES)
    it(`${f.name} (--format ${f.format}): done in seconds, the diff shows only the change`, async () => {
      const path = join(tmp, f.name);
      writeFileSync(path, `${f.text}\n`);
      const io = captureIo({ HOME: tmp });
      const started = performance.now();
      const code = await runCli(
        ["creds", "--terraform-outputs", TF, "--format", f.format, "--write", "--path", path, "--dry-run"],
        io,
      );
      const ms = performance.now() - started;
      expect(code, io.stderr.text).toBe(0);
      expect(ms).toBeLessThan(BOUND_MS);
      expect(io.stdout.text).toContain("dry run, nothing written");
      expect(io.stdout.text.split("\n").length).toBeLessThan(40);
      expect(io.stdout.text).toContain("pypi.example.invalid");
      expect(io.stdout.text).not.toContain("example-password-not-real");
      expect(readFileSync(path, "utf8")).toBe(`${f.text}\n`);
    });
});
