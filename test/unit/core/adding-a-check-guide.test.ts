/**
 * docs/adding-a-check.md names files and folders by path; when one moves, the guide must move with it. Every
 * repository path it names (src/…, test/…, examples/…, scripts/…, docs/…, schemas/…) must exist, except
 * patterns with a placeholder (`src/checks/<area>/thresholds.ts`), whose every area is checked instead.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..", "..");
const guide = readFileSync(join(root, "docs", "adding-a-check.md"), "utf8");

/** Repository paths in the text; a trailing dot or comma ends the sentence, not the path. */
export function pathsIn(text: string): string[] {
  const found = text.match(/(?<![\w/.-])(?:src|test|examples|scripts|docs|schemas)\/[\w./<>*-]*/g) ?? [];
  return [...new Set(found.map((p) => p.replace(/[.,:;]+$/, "")))];
}

const AREAS = readdirSync(join(root, "src", "checks"), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

describe("docs/adding-a-check.md", () => {
  const paths = pathsIn(guide);

  it("names the files a new check touches", () => {
    for (const p of [
      "src/checks/model.ts",
      "src/checks/registry.ts",
      "docs/checks.md",
      "scripts/gen-docs.mjs",
      "test/unit/core/registry.test.ts",
    ])
      expect(paths).toContain(p);
  });

  it("names only paths that exist", () => {
    const missing = paths.filter((p) => !p.includes("<") && !p.includes("*") && !existsSync(join(root, p)));
    expect(missing).toEqual([]);
  });

  it("names per-area paths that every area has", () => {
    const patterns = paths.filter((p) => p.includes("<area>"));
    expect(patterns.length).toBeGreaterThan(0);
    for (const p of patterns)
      for (const area of AREAS)
        expect(existsSync(join(root, p.replace("<area>", area))), p.replace("<area>", area)).toBe(true);
  });

  it("finds paths the way a reader sees them (the matcher is not vacuous)", () => {
    expect(pathsIn("see `src/checks/nope.ts`, then test/x.test.ts.")).toEqual([
      "src/checks/nope.ts",
      "test/x.test.ts",
    ]);
    expect(pathsIn("the src/ folder and docs/checks.md: done")).toEqual(["src/", "docs/checks.md"]);
    expect(pathsIn("no ../src/a.ts nor dist/src/b.ts")).toEqual([]);
  });

  it("is linked from the README", () => {
    expect(readFileSync(join(root, "README.md"), "utf8")).toContain("(docs/adding-a-check.md)");
  });
});
