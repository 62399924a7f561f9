/**
 * One validator per format, generated from its schema (issue 23): the checked-in src/generated/* must be
 * exactly what scripts/gen-validators.mjs makes of schemas/*.schema.json today, self-contained (no Ajv at
 * run time), and the config schema must list what the config code reads.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain .mjs script, no types
import { generatedFiles } from "../../../scripts/gen-validators.mjs";
import { FORMATS, TARGET_KEYS } from "../../../src/config/config.js";
import { CRED_FORMATS } from "../../../src/creds/formats.js";

const root = join(import.meta.dirname, "../../..");
const files = (generatedFiles as () => Map<string, string>)();

describe("generated validators", { timeout: 60_000 }, () => {
  it("are up to date with schemas/ (else: npm run validators)", () => {
    expect([...files.keys()].sort()).toEqual([
      "src/generated/config-validator.ts",
      "src/generated/evidence-validator.ts",
    ]);
    for (const [file, text] of files)
      expect(
        readFileSync(join(root, file), "utf8") === text,
        `${file} is stale: run npm run validators`,
      ).toBe(true);
  });

  it("import nothing at run time", () => {
    for (const text of files.values()) {
      expect(text).not.toMatch(/\brequire\(/);
      expect(text).not.toMatch(/^\s*import\s/m);
    }
  });
});

describe("schemas/config.schema.json states what the config code reads", () => {
  const schema = JSON.parse(readFileSync(join(root, "schemas/config.schema.json"), "utf8")) as {
    properties: Record<string, { enum?: string[]; properties?: Record<string, { enum?: string[] }> }>;
  };
  it("target keys, formats and creds formats", () => {
    expect(Object.keys(schema.properties.target!.properties!).sort()).toEqual([...TARGET_KEYS].sort());
    expect(schema.properties.format!.enum).toEqual([...FORMATS]);
    expect(schema.properties.creds!.properties!.format!.enum).toEqual([...CRED_FORMATS]);
  });
});
