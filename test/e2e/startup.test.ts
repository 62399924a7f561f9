import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { makeBundle } from "../../src/evidence/bundle.js";

const root = join(import.meta.dirname, "..", "..");
const tmp = mkdtempSync(join(tmpdir(), "pypictl-startup-"));
// A healthy host's probe: a replay needs known evidence some check reads (issue 26).
const healthyHost = JSON.parse(readFileSync(join(root, "examples", "host-healthy.json"), "utf8"));

/**
 * The bundle (dist/bundle, scripts/build-bundle.mjs) folds many modules into each chunk: a loaded chunk
 * stands for the source modules it holds, so the checks below see packages either way.
 */
const bundleDir = join(root, "dist", "bundle");
const chunkInputs: Record<string, string[]> = existsSync(join(bundleDir, "inputs.json"))
  ? JSON.parse(readFileSync(join(bundleDir, "inputs.json"), "utf8"))
  : {};
const expand = (url: string): string[] => {
  const path = url.startsWith("file:") ? fileURLToPath(url) : url;
  const rel = relative(bundleDir, path);
  return rel.startsWith("..") || !chunkInputs[rel] ? [url] : [url, ...chunkInputs[rel]!];
};

/** Run the built CLI and return the modules it loaded (for bundle chunks: the modules inside them too). */
function loads(args: string[]): { status: number | null; modules: string[] } {
  const file = join(tmp, `trace-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(file, "");
  const r = spawnSync(
    process.execPath,
    ["--import", join(root, "test/helpers/trace-loads.mjs"), join(root, "bin/pypictl"), ...args],
    {
      env: { ...process.env, TRACE_LOADS_FILE: file, NO_COLOR: "1" },
      encoding: "utf8",
    },
  );
  return {
    status: r.status,
    modules: readFileSync(file, "utf8").split("\n").filter(Boolean).flatMap(expand),
  };
}

const heavy = (mods: string[]) =>
  mods.filter((m) => /aws-cdk-lib|@aws-cdk\/toolkit-lib|@aws-sdk\/client-|cdk-nag/.test(m));

describe("startup stays light", () => {
  it("--version loads no dependency at all", () => {
    const r = loads(["--version"]);
    expect(r.status).toBe(0);
    expect(r.modules.filter((m) => m.includes("node_modules"))).toEqual([]);
  });

  it("--help and doctor --replay load neither aws-cdk-lib nor any AWS SDK client", () => {
    const bundle = join(tmp, "b.json");
    writeFileSync(
      bundle,
      JSON.stringify(
        makeBundle({
          version: "0",
          window: healthyHost.window,
          target: { kind: "local", host: "h" },
          evidence: healthyHost.sources,
          now: new Date(healthyHost.window.end),
        }),
      ),
    );
    const help = loads(["--help"]);
    expect(help.status).toBe(0);
    expect(heavy(help.modules)).toEqual([]);
    const replay = loads(["doctor", "--replay", bundle, "--format", "json"]);
    expect(replay.status).toBe(0);
    expect(replay.modules.some((m) => m.includes("dist/checks/registry.js"))).toBe(true);
    expect(replay.modules.some((m) => /node_modules\/commander\//.test(m))).toBe(true); // the expansion sees packages
    expect(heavy(replay.modules)).toEqual([]);
  });
});

describe("a report loads only its own renderer", () => {
  it("--format json loads neither chalk nor the human, HTML or timeline renderers; human does", () => {
    const example = join(root, "examples", "fleet-healthy.json");
    const json = loads(["doctor", "--replay", example, "--format", "json"]);
    expect(json.status).toBe(0);
    expect(
      json.modules.filter((m) =>
        /node_modules\/chalk\/|dist\/cli\/render\/(human|html|timeline|catalogue)\.js/.test(m),
      ),
    ).toEqual([]);
    const human = loads(["doctor", "--replay", example]);
    expect(human.status).toBe(0);
    expect(human.modules.some((m) => /node_modules\/chalk\//.test(m))).toBe(true);
  });
});

describe("a reader that goes away", () => {
  it("`pypictl … | head -1` ends quietly, without an EPIPE crash", () => {
    const r = spawnSync(
      "sh",
      ["-c", `"${process.execPath}" "${join(root, "bin/pypictl")}" deploy --help | head -1`],
      { encoding: "utf8" },
    );
    expect(r.stdout).toMatch(/^Usage: pypictl deploy/);
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled/);
  });
});

describe("a fleet run loads only the clients its checks need", () => {
  // The real SDK against the loopback fake (test/fixtures/aws/loopback.mjs): the selection decides.
  async function fleetLoads(only: string): Promise<{ status: number | null; clients: string[] }> {
    const { startLoopbackAws } = await import("../fixtures/aws/loopback.mjs");
    const { scenario } = await import("../fixtures/aws/sim.mjs");
    const fake = await startLoopbackAws(scenario({ instances: 2 }));
    try {
      const file = join(tmp, `trace-${Math.random().toString(36).slice(2)}.txt`);
      writeFileSync(file, "");
      const args = [
        "--import",
        join(root, "test/helpers/trace-loads.mjs"),
        join(root, "bin/pypictl"),
        "doctor",
        "--stack",
        "pypiserver",
        "--only",
        only,
        "--format",
        "json",
      ];
      const r = await new Promise<number | null>((resolve) => {
        const p = spawn(process.execPath, args, {
          env: { ...process.env, ...fake.env, HOME: tmp, TRACE_LOADS_FILE: file, NO_COLOR: "1" },
          stdio: "ignore",
        });
        p.on("close", resolve);
      });
      const modules = readFileSync(file, "utf8").split("\n").filter(Boolean).flatMap(expand);
      const clients = [
        ...new Set(
          modules.map((m) => /@aws-sdk\/(client-[a-z0-9-]+)\//.exec(m)?.[1]).filter((c): c is string => !!c),
        ),
      ].sort();
      return { status: r, clients };
    } finally {
      await fake.close();
    }
  }

  it("ecs.running-tasks: CloudFormation (the stack) and ECS, not EC2, SSM or the others", async () => {
    const r = await fleetLoads("ecs.running-tasks");
    expect(r.status).toBe(0);
    expect(r.clients).toEqual(["client-cloudformation", "client-ecs"]);
  });

  it("ec2.cpu-skew: the Auto Scaling client comes in to list the group's instances; no EC2 client for non-burstable ones", async () => {
    const r = await fleetLoads("ec2.cpu-skew");
    expect(r.status).toBe(0);
    expect(r.clients).toContain("client-auto-scaling");
    expect(r.clients).not.toContain("client-ec2");
    expect(r.clients).not.toContain("client-ssm");
  });
});
