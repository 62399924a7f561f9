/**
 * The published package is what runs (issue 22): bin/pypictl runs dist/bundle/pypictl.cjs, which holds the
 * SDK clients, commander, chalk and smol-toml — so those are build-time (devDependencies), the tarball
 * ships the bundle and no compiled tsc tree, and every `require` the bundle makes at run time is a node
 * built-in or an optional dependency (the AWS CDK, loaded only by the deploy commands). Pinned three ways:
 * the bundle's requires against package.json, the tarball's file list (`npm pack --dry-run`), and the
 * package's files copied to a folder with no node_modules at all, where doctor, creds and completion run.
 */
import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..", "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};
const bundleDir = join(root, "dist", "bundle");
const SHIPPED_CJS = ["pypictl.cjs", "loader.cjs", "version.cjs"];

function requireBuilt(): void {
  if (!existsSync(join(bundleDir, "pypictl.cjs")))
    throw new Error("dist/bundle is not built: run `npm run build` (npm test does)");
}

/** The package a specifier names: `aws-cdk-lib/aws-ecs` → aws-cdk-lib, `@aws-cdk/toolkit-lib/x` → @aws-cdk/toolkit-lib. */
const packageOf = (spec: string) =>
  spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0]!;

/**
 * The specifiers a built file requires. Template literals are blanked first: the SDK's error texts quote
 * `require("@aws-sdk/signature-v4-crt")` as advice, which is not a call. Chunks require each other as "./name".
 */
function requiresOf(text: string): { literal: string[]; dynamic: number } {
  const code = text.replace(/`(?:[^`\\]|\\.)*`/g, "``");
  const literal = [...code.matchAll(/\brequire\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1]!);
  // The chunk table's own `require(spec)` for what is not a chunk (src: scripts/build-bundle.mjs).
  const dynamic = [...code.matchAll(/\brequire\(\s*[^"'\s)]/g)].length;
  return { literal: literal.filter((s) => !s.startsWith("./")), dynamic };
}

const isBuiltin = (spec: string) => spec.startsWith("node:") || builtinModules.includes(spec);

describe("lean package: the bundle and its real runtime needs only", () => {
  beforeAll(requireBuilt);

  it("the packages the bundle holds are build-time: no runtime dependency at all besides the optional CDK", () => {
    expect(pkg.dependencies ?? {}).toEqual({});
    for (const p of ["@aws-sdk/client-ecs", "@aws-sdk/client-cloudwatch", "commander", "chalk", "smol-toml"])
      expect(pkg.devDependencies?.[p], p).toBeDefined();
    expect(Object.keys(pkg.optionalDependencies ?? {}).sort()).toEqual(
      ["@aws-cdk/toolkit-lib", "aws-cdk-lib", "cdk-nag", "constructs"].sort(),
    );
  });

  it("every runtime require in the shipped files is a node built-in or an (optional) dependency", () => {
    const runtime = new Set([
      ...Object.keys(pkg.dependencies ?? {}),
      ...Object.keys(pkg.optionalDependencies ?? {}),
    ]);
    const unresolved: string[] = [];
    const seen = new Set<string>();
    for (const file of SHIPPED_CJS) {
      const { literal, dynamic } = requiresOf(readFileSync(join(bundleDir, file), "latin1"));
      // Only the chunk table requires a computed name (and only pypictl.cjs has one).
      expect(dynamic, file).toBe(file === "pypictl.cjs" ? 1 : 0);
      for (const spec of literal) {
        seen.add(spec);
        if (!isBuiltin(spec) && !runtime.has(packageOf(spec))) unresolved.push(`${file}: ${spec}`);
      }
    }
    expect(unresolved).toEqual([]);
    // Guards the scanner: it sees the CDK the deploy commands load, and node's own modules.
    expect(seen).toContain("aws-cdk-lib");
    expect(seen).toContain("node:https");
  });

  it("the tarball ships the bundle, not the compiled tsc tree nor the bundle's build map", async () => {
    const { stdout } = await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: root,
      env: { ...process.env, npm_config_loglevel: "error", npm_config_update_notifier: "false" },
    });
    const files = (JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map(
      (f) => f.path,
    );
    expect(files.filter((f) => f.startsWith("dist/")).sort()).toEqual(
      SHIPPED_CJS.map((f) => `dist/bundle/${f}`).sort(),
    );
    expect(files).toContain("bin/pypictl");
    expect(files.filter((f) => /^(src|test|scripts|node_modules)\//.test(f))).toEqual([]);
  });
});

describe("the package's files alone, no node_modules anywhere: the bundle runs, no fallback", () => {
  let dir: string;
  let bin: string;

  beforeAll(async () => {
    requireBuilt();
    // The files `npm pack` would ship, copied outside the checkout (no node_modules up the tree).
    const { stdout } = await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: root,
      env: { ...process.env, npm_config_loglevel: "error", npm_config_update_notifier: "false" },
    });
    dir = mkdtempSync(join(tmpdir(), "pypictl-lean-"));
    for (const { path } of (JSON.parse(stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      copyFileSync(join(root, path), join(dir, path));
    }
    bin = join(dir, "bin", "pypictl");
  }, 60_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const env = () => ({
    PATH: process.env.PATH,
    HOME: dir,
    NO_COLOR: "1",
    // Nothing to find a package through but the copy itself.
    NODE_PATH: "",
  });
  const cli = (args: string[]) =>
    run(process.execPath, [bin, ...args], { env: env(), cwd: dir }).catch(
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  it("has no node_modules and no compiled tree to fall back to", () => {
    expect(existsSync(join(dir, "node_modules"))).toBe(false);
    expect(existsSync(join(dir, "dist", "cli"))).toBe(false);
    let up = dirname(dir);
    while (up !== dirname(up)) {
      expect(existsSync(join(up, "node_modules")), up).toBe(false);
      up = dirname(up);
    }
  });

  it("doctor replays a packaged example, creds writes pip config from the example outputs, completion prints", async () => {
    const replay = await cli(["doctor", "--replay", "example:fleet-oom-kills", "--format", "json"]);
    expect((replay as { code?: number }).code, replay.stderr).toBe(1); // an incident: a check failed
    const report = JSON.parse(replay.stdout) as { findings: Array<{ checkId: string; status: string }> };
    expect(report.findings.find((f) => f.checkId === "ecs.oom-kills")?.status).toBe("fail");

    const creds = await cli([
      "creds",
      "--terraform-outputs",
      "examples/terraform/outputs.json",
      "--format",
      "pip.conf",
    ]);
    expect((creds as { code?: number }).code ?? 0, creds.stderr).toBe(0);
    expect(creds.stdout).toMatch(/index-url = https:\/\//);

    const completion = await cli(["completion", "bash"]);
    expect((completion as { code?: number }).code ?? 0, completion.stderr).toBe(0);
    expect(completion.stdout).toMatch(/^complete -o default -F _pypictl pypictl$/m);
  });

  it("the deploy commands say the one npm install line for the absent CDK (exit 2)", async () => {
    const synth = await cli(["synth"]);
    expect((synth as { code?: number }).code).toBe(2);
    expect(synth.stderr).toMatch(/npm install 'aws-cdk-lib@\^2\.\d+\.\d+'/);
    expect(synth.stderr).not.toMatch(/\n\s+at /);
  });
});
