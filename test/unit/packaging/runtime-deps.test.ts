/**
 * What the shipped code imports must be there when it runs: every bare import in src/ is either folded
 * into dist/bundle/pypictl.cjs at build time (a package the build bundles, BUNDLED in
 * scripts/build-bundle.mjs: a devDependency, since the install gets it inside the bundle) or a runtime
 * (optional) dependency that `npm install pypictl` installs; and nothing test-only (ajv, vitest,
 * aws-sdk-client-mock) is imported there. test/unit/packaging/lean-package.test.ts checks the built bundle.
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

  /** The build's allow-list of bundled packages (name, or scope prefix ending in "/"). */
  const bundled = JSON.parse(
    /const BUNDLED = (\[[^\]]*\]);/.exec(
      readFileSync(join(root, "scripts", "build-bundle.mjs"), "utf8"),
    )![1]!,
  ) as string[];
  const isBundled = (name: string) =>
    bundled.some((p) => (p.endsWith("/") ? name.startsWith(p) : name === p));

  it("every package src/ imports at run time is bundled at build time or installed as a dependency", () => {
    expect(bundled).toContain("commander");
    const missing: string[] = [];
    for (const f of files)
      for (const i of importsOf(readFileSync(f, "utf8"))) {
        if (i.typeOnly) continue;
        const ok = isBundled(i.name) ? pkg.devDependencies?.[i.name] !== undefined : runtime.has(i.name);
        if (!ok) missing.push(`${f.slice(root.length)} imports ${i.name}`);
      }
    expect(missing).toEqual([]);
  });

  it("nothing the build bundles is also a runtime dependency: the install would carry it twice", () => {
    expect(Object.keys(pkg.dependencies ?? {}).filter(isBundled)).toEqual([]);
  });

  it("ajv is test-only: src/ validates evidence with its own hand-written validator", () => {
    expect(pkg.dependencies?.ajv).toBeUndefined();
    expect(pkg.devDependencies?.ajv).toBeDefined();
  });
});
