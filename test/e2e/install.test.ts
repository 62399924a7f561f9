/**
 * The README's install lines, for real (issue 10): `npm pack` makes the tarball a release would publish;
 * `npm install --omit=optional <tarball>` installs it into a fresh project, and the installed copy — not
 * this checkout — runs `--version`, replays a packaged example and, without the optional AWS CDK packages,
 * says what to install for the deploy commands; `npm install -g <tarball>` (into a temporary prefix, as
 * the README's global line does into npm's) installs everything, and the global copy synthesizes the
 * stack with its own CDK.
 *
 * npm resolves a tarball's dependency ranges from the registry's package documents, which `npm ci` never
 * caches (it installs from the lockfile), so a fresh machine needs the registry once: `--prefer-offline`
 * takes everything it can from the cache. Skipped, saying why, only when the registry cannot be reached.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const root = join(import.meta.dirname, "..", "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  version: string;
  optionalDependencies?: Record<string, string>;
};

/** npm could not reach the registry (and the cache could not answer): the one reason to skip. */
const REGISTRY_UNREACHABLE =
  /ENOTCACHED|only-if-cached|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ENETUNREACH/;

const npmEnv = {
  ...process.env,
  npm_config_update_notifier: "false",
  npm_config_fund: "false",
  npm_config_audit: "false",
  npm_config_loglevel: "error",
};

describe("install from the packed tarball", { timeout: 180_000 }, () => {
  let dir: string;
  let tarball: string;
  let bin: string;
  let offlineProblem: string | undefined;

  beforeAll(async () => {
    if (!existsSync(join(root, "dist", "bundle", "pypictl.cjs")))
      throw new Error("dist/ is not built: run `npm run build` (npm test does)");
    dir = mkdtempSync(join(tmpdir(), "pypictl-install-"));
    // --ignore-scripts: prepack would rebuild; the suite runs after `npm run build`, so dist/ is current.
    const packed = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", dir], {
      cwd: root,
      env: npmEnv,
    });
    tarball = join(dir, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0]!.filename);
    const project = join(dir, "project");
    rmSync(project, { recursive: true, force: true });
    await run("mkdir", ["-p", project]);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "install-test", private: true }));
    try {
      await run("npm", ["install", "--prefer-offline", "--omit=optional", tarball], {
        cwd: project,
        env: npmEnv,
        timeout: 100_000,
      });
    } catch (e) {
      const text = `${(e as { stderr?: string }).stderr ?? ""}${(e as Error).message}`;
      if (REGISTRY_UNREACHABLE.test(text))
        offlineProblem = `npm could not reach the registry for pypictl's dependencies: ${text.split("\n").find((l) => REGISTRY_UNREACHABLE.test(l))}`;
      else throw e;
    }
    bin = join(project, "node_modules", ".bin", "pypictl");
  }, 120_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("the README's install lines name the tarball npm pack writes", () => {
    const readme = readFileSync(join(root, "README.md"), "utf8");
    expect(tarball.endsWith(`pypictl-${pkg.version}.tgz`)).toBe(true);
    expect(readme).toContain(`npm install -g ./pypictl-${pkg.version}.tgz`);
    expect(readme).toContain(`npm install --omit=optional ./pypictl-${pkg.version}.tgz`);
  });

  it("the tarball ships what the CLI needs and nothing of the checkout's development", async () => {
    const { stdout } = await run("tar", ["tzf", tarball]);
    const files = stdout.split("\n");
    for (const f of [
      "package/bin/pypictl",
      "package/bin/package.json",
      "package/dist/bundle/pypictl.cjs",
      "package/dist/bundle/loader.cjs",
      "package/dist/bundle/version.cjs",
      "package/examples/fleet-oom-kills.json",
      "package/docs/checks.md",
      "package/LICENSE",
      "package/README.md",
    ])
      expect(files).toContain(f);
    expect(files.filter((f) => /^package\/(src|test|scripts)\//.test(f))).toEqual([]);
  });

  it("the installed copy runs: --version and a packaged example replayed", async (ctx) => {
    if (offlineProblem) ctx.skip(offlineProblem);
    expect(existsSync(bin)).toBe(true);
    const env = { ...process.env, NO_COLOR: "1" };
    const version = await run(bin, ["--version"], { env });
    expect(version.stdout.trim()).toBe(pkg.version);
    // exit 1: the example is an incident, and the installed copy finds it from its own examples/.
    const replay = await run(bin, ["doctor", "--replay", "example:fleet-oom-kills", "--format", "json"], {
      env,
    }).catch((e: { code: number; stdout: string }) => e);
    expect((replay as { code?: number }).code).toBe(1);
    const report = JSON.parse(replay.stdout) as { findings: Array<{ checkId: string; status: string }> };
    expect(report.findings.find((f) => f.checkId === "ecs.oom-kills")?.status).toBe("fail");
  });

  it("--omit=optional leaves the AWS CDK out, and the deploy commands say what to install (exit 2)", async (ctx) => {
    if (offlineProblem) ctx.skip(offlineProblem);
    for (const p of Object.keys(pkg.optionalDependencies ?? {}))
      expect(existsSync(join(dir, "project", "node_modules", p)), p).toBe(false);
    const synth = await run(bin, ["synth"], { env: process.env }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((synth as { code?: number }).code).toBe(2);
    expect(synth.stderr).toMatch(
      /need the AWS CDK, and this install has no (aws-cdk-lib|constructs|cdk-nag|@aws-cdk\/toolkit-lib)/,
    );
    expect(synth.stderr).toMatch(/npm install 'aws-cdk-lib@\^2\.\d+\.\d+'/);
    expect(synth.stderr).not.toMatch(/\n\s+at /);
  });

  it("npm install -g <tarball> installs everything: the global copy synthesizes the stack with its own CDK", async (ctx) => {
    if (offlineProblem) ctx.skip(offlineProblem);
    const prefix = join(dir, "global");
    // The README's line, with --prefix standing in for npm's global prefix (a test must not touch the real one).
    await run("npm", ["install", "-g", "--prefer-offline", "--prefix", prefix, tarball], {
      env: npmEnv,
      timeout: 170_000,
    }).catch((e: Error & { stderr?: string }) => {
      if (REGISTRY_UNREACHABLE.test(`${e.stderr ?? ""}${e.message}`))
        ctx.skip("npm could not reach the registry for the CDK packages");
      throw e;
    });
    const globalBin = join(prefix, "bin", "pypictl");
    const installed = join(prefix, "lib", "node_modules", "pypictl", "node_modules");
    for (const p of Object.keys(pkg.optionalDependencies ?? {}))
      expect(existsSync(join(installed, p)), `${p} in the global install`).toBe(true);
    const env = { ...process.env, NO_COLOR: "1", AWS_REGION: "eu-west-1" };
    expect((await run(globalBin, ["--version"], { env })).stdout.trim()).toBe(pkg.version);
    const synth = await run(globalBin, ["synth", "--no-nag"], {
      env,
      maxBuffer: 64 * 1024 * 1024,
      timeout: 120_000,
    }).catch((e: { code?: number; stdout: string; stderr: string }) => e);
    expect((synth as { code?: number }).code, (synth as { stderr: string }).stderr).toBeUndefined();
    expect(synth.stdout).toMatch(/AWS::ECS::Service/);
    expect(synth.stdout).toMatch(/AWS::EFS::FileSystem/);
  }, 180_000);
});
