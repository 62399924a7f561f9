// The simulated fleet both scripts/bench-fleet.mjs (the bench) and scripts/prof-fleet.mjs (profiling) run
// doctor against: strict fake clients answering after a fixed per-call latency (sim.mjs, light mode), the
// real sources, SSM runner, parsers and checks. Run after `npm run build`.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runDoctor } from "../dist/checks/doctor.js";
import { CHECKS } from "../dist/checks/registry.js";
import { SOURCE_LOADERS } from "../dist/sources/registry.js";
import { DEFAULT_GATHER_SETTINGS } from "../dist/sources/context.js";
import { AwsClientPool } from "../dist/sources/aws/pool.js";
import { buildProbeScript } from "../dist/sources/host/probe-script.js";
import { installFleet, scenario, fleetTarget } from "../test/fixtures/aws/sim.mjs";
import { fakeHost } from "../test/fixtures/host/fake-host.mjs";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/** The checks a fleet run judges (auth and upload need an index; the simulated fleet has none). */
export const FLEET_CHECKS = CHECKS.filter((c) =>
  ["efs", "ecs", "alb", "ec2", "host"].includes(c.id.split(".")[0]),
);

/**
 * Probe outputs: `realistic` is what TODAY's probe script prints on the host of
 * test/fixtures/aws/probe-stdout.txt (run for real on a fake host made from it), `compact` the same without
 * an EFS mount entry, `untrimmed` the fixture itself (all of /proc/meminfo and mountstats).
 */
export function probeOutputs(samples = 5) {
  const untrimmed = readFileSync(new URL("../test/fixtures/aws/probe-stdout.txt", import.meta.url), "utf8");
  const dir = mkdtempSync(join(tmpdir(), "pypictl-bench-"));
  let realistic;
  try {
    const h = fakeHost(untrimmed, dir, { packages: true });
    const script = buildProbeScript({
      samples,
      mountPath: h.mountPath,
      packageDir: h.packageDir,
      procDir: h.proc,
    });
    realistic = execFileSync("sh", ["-s"], { input: script, env: h.env, encoding: "utf8" })
      .split(h.packageDir)
      .join("/data/packages");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const compact = realistic.replace(
    /==> pypictl:mount <==[\s\S]*?<== pypictl:mount status=ok exit=0 ==>/,
    "==> pypictl:mount <==\npypictl.path_state=absent\npypictl.entries=0\n<== pypictl:mount status=ok exit=0 ==>",
  );
  return { realistic, compact, untrimmed };
}

/**
 * One doctor run over a simulated fleet of `n` instances (one-hour window ending at `now`, one OOM-killed
 * task). `onCall(ms, commandName)` sees every AWS call as it is sent; `onProgress` is doctor's.
 * Returns the wall time, the call count by action and the report's error count.
 */
export async function runSimulatedDoctor({ n, latencyMs, probeStdout, now, onCall, onProgress }) {
  const fleet = installFleet(
    scenario({
      instances: n,
      latencyMs,
      probeStdout,
      stoppedTasks: [{ minutesAgo: 5, exitCode: 137, reason: "OutOfMemoryError" }],
    }),
    now,
    { light: true },
  );
  try {
    const t0 = performance.now();
    if (onCall)
      for (const m of Object.values(fleet.mocks)) {
        const calls = m.calls();
        const push = calls.push.bind(calls);
        calls.push = (c) => {
          onCall(performance.now() - t0, c.args[0].constructor.name);
          return push(c);
        };
      }
    const { report } = await runDoctor({
      checks: FLEET_CHECKS,
      overrides: {},
      window: {
        start: new Date(now.getTime() - 3_600_000).toISOString(),
        end: now.toISOString(),
        since: "1h",
      },
      target: fleetTarget(),
      settings: {
        ...DEFAULT_GATHER_SETTINGS,
        ssmInitialPollMs: 0,
        ssmMaxPollMs: 50,
        aws: new AwsClientPool(),
      },
      toolVersion: "bench",
      ...(onProgress ? { onProgress: (e) => onProgress(performance.now() - t0, e) } : {}),
      load: async (id) => SOURCE_LOADERS[id]?.(),
      now: () => now,
    });
    const ms = performance.now() - t0;
    const byAction = {};
    for (const a of fleet.actions()) byAction[a] = (byAction[a] ?? 0) + 1;
    return { ms, calls: fleet.calls(), byAction, errors: report.summary.error };
  } finally {
    fleet.restore();
  }
}
