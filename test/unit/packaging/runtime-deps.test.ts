/**
 * What the shipped code imports must be installed by `npm install pypictl`: every bare import in src/ is a
 * runtime (or optional) dependency, and nothing test-only (ajv, vitest, aws-sdk-client-mock) is imported
 * there — so devDependencies really are dev-only and the install stays as small as it can be.
 */
import { readFileSync, readdirSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = new URL("../../../", import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

/** Package names of the bare specifiers a file imports (static, dynamic and type-only are all listed). */
function importsOf(source: string): Array<{ name: string; typeOnly: boolean }> {
  const out: Array<{ name: string; typeOnly: boolean }> = [];
  for (const m of source.matchAll(
    /(?:^|\n)\s*(import|export)\s+(type\s+)?[^;]*?from\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)/g,
  )) {
    const spec = m[3] ?? m[4]!;
    if (spec.startsWith(".") || spec.startsWith("node:") || builtinModules.includes(spec)) continue;
    const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;
    out.push({ name, typeOnly: !!m[2] });
  }
  return out;
}

describe("runtime dependencies", () => {
  const runtime = new Set([
    ...Object.keys(pkg.dependencies ?? {}),
    ...Object.keys(pkg.optionalDependencies ?? {}),
  ]);
  const files = tsFiles(join(root, "src"));

  it("finds the imports it checks (guards the scanner itself)", () => {
    const names = new Set(files.flatMap((f) => importsOf(readFileSync(f, "utf8")).map((i) => i.name)));
    expect(names).toContain("commander");
    expect(names).toContain("@aws-sdk/client-ecs");
    expect(names).toContain("aws-cdk-lib");
  });

  it("every package src/ imports at run time is a dependency (not a devDependency)", () => {
    const missing: string[] = [];
    for (const f of files)
      for (const i of importsOf(readFileSync(f, "utf8")))
        if (!i.typeOnly && !runtime.has(i.name)) missing.push(`${f.slice(root.length)} imports ${i.name}`);
    expect(missing).toEqual([]);
  });

  it("ajv is test-only: src/ validates evidence with its own hand-written validator", () => {
    expect(pkg.dependencies?.ajv).toBeUndefined();
    expect(pkg.devDependencies?.ajv).toBeDefined();
  });
});
