/**
 * examples/host-*.json: replayable evidence bundles built from FACTS.md §2 incidents. Each is made from a
 * fixture probe output (test/fixtures/host/probe-*.txt) run through the real parser, so the bundles, the
 * parser and the checks cannot drift apart: this test rebuilds them and fails when a committed bundle is
 * stale. Regenerate with `node scripts/make-host-examples.mjs` (sets PYPICTL_UPDATE_EXAMPLES=1).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { makeBundle, parseBundle } from "../../../src/evidence/bundle.js";
import { parseProbeOutput } from "../../../src/sources/host/parse.js";
import { ok } from "../../../src/sources/model.js";
import { runCli } from "../../../src/cli/main.js";
import { TOOL_VERSION } from "../../../src/version.js";
import type { Status } from "../../../src/checks/model.js";
import { captureIo } from "../../helpers/io.js";
import { assertValidBundle, assertValidReport } from "../../helpers/schema.js";
import { fixture } from "../../unit/host/fixtures.js";

interface Example {
  file: string;
  probe: string;
  host: string;
  description: string;
  expect: Record<string, Status>;
  exit: number;
}

const ALL_PASS = {
  "host.swap-activity": "pass",
  "host.swap-used": "pass",
  "host.memory-available": "pass",
  "host.iowait": "pass",
  "host.package-count": "pass",
  "host.efs-mount": "pass",
} as const;

export const EXAMPLES: Example[] = [
  {
    file: "host-healthy.json",
    probe: "probe-healthy.txt",
    host: "ip-10-0-1-23.ec2.internal",
    description:
      "A healthy pypiserver host: t3.small (1,923 MiB), no swap, 1.1 GiB available, iowait ≤ 1 % and no blocked tasks, EFS (NFS 4.1) mounted on /data/packages with ~3 ms listing round trips in the probe's 4 s window (30 RPCs/s), 180 package files. Every host check passes.",
    expect: ALL_PASS,
    exit: 0,
  },
  {
    file: "host-swapping.json",
    probe: "probe-swapping.txt",
    host: "ip-10-0-2-51.ec2.internal",
    description:
      "A recorded incident on a Terraform-module fleet: a t3.micro (916 MiB) running 2×128 MB tasks under 10 concurrent installs swapped 750 MiB, si/so in the thousands of KiB/s and 84 % iowait, 60 MiB available. Swap activity, swap used, memory available and iowait fail; the fix that worked was t3.small with 2×512 MB tasks (iowait under 5 %).",
    expect: {
      ...ALL_PASS,
      "host.swap-activity": "fail",
      "host.swap-used": "fail",
      "host.memory-available": "fail",
      "host.iowait": "fail",
    },
    exit: 1,
  },
  {
    file: "host-low-memory.json",
    probe: "probe-low-memory.txt",
    host: "ip-10-0-1-88.ec2.internal",
    description:
      "A t3.small with one task too many placed on it: 310 MiB available (MemAvailable below the guide's 500 MB), no swap configured so nothing swaps yet, iowait low. Memory available fails before the host starts thrashing the page cache.",
    expect: { ...ALL_PASS, "host.memory-available": "fail" },
    exit: 1,
  },
  {
    file: "host-iowait.json",
    probe: "probe-iowait.txt",
    host: "ip-10-0-1-23.ec2.internal",
    description:
      "High iowait without swapping: a t3.small with memory to spare waits 31 % of CPU time on I/O because EFS is throttled (bursting mode, credits spent): in the probe's 4 s window NFS READ takes 123 ms per round trip, GETATTR and LOOKUP over 110 ms, one RPC was retransmitted, and 6–9 tasks are blocked on 2 CPUs. iowait fails, EFS mount fails (round trips over 100 ms: listings time out).",
    expect: { ...ALL_PASS, "host.iowait": "fail", "host.efs-mount": "fail" },
    exit: 1,
  },
  {
    file: "host-package-count.json",
    probe: "probe-package-count.txt",
    host: "ip-10-0-1-23.ec2.internal",
    description:
      "A healthy host serving 1,500 package files with the simple-dir backend, which rescans and re-hashes every file per listing (23 ms per /simple/ at 1,500 files, 140 ms at 10,000). Package count warns (over 1,000) with the caching-layer and cached-dir hints; exit 0 unless --fail-on warn.",
    expect: { ...ALL_PASS, "host.package-count": "warn" },
    exit: 0,
  },
  {
    file: "host-efs-mount.json",
    probe: "probe-efs-missing.txt",
    host: "ip-10-0-3-17.ec2.internal",
    description:
      "A new instance whose EFS mounts failed: /data/packages (the mount point the stack's user data makes) is empty and no NFS mount of the file system is anywhere on the host, not even the ECS task volume under /var/lib/ecs/volumes/, while memory, swap and iowait look fine. EFS mount fails; there is no package volume to count in (package count skipped, not a count of 0).",
    expect: { ...ALL_PASS, "host.efs-mount": "fail", "host.package-count": "skip" },
    exit: 1,
  },
  {
    file: "host-module-task-volume.json",
    probe: "probe-module-host.txt",
    host: "ip-10-0-2-140.ec2.internal",
    description:
      "A healthy Terraform-module host: there is no /data/packages on the host (that is the container's path); EFS is mounted only as the ECS task volume, by the ECS volume plugin under /var/lib/ecs/volumes/, through the amazon-efs-utils TLS tunnel (127.0.0.1, port 20050, matched to fs-0123456789abcdef0 by efs-utils' state file). The probe finds that mount, judges its round trips (~3 ms) and counts the 240 packages in it. Every host check passes.",
    expect: ALL_PASS,
    exit: 0,
  },
  {
    file: "host-efs-slow-now.json",
    probe: "probe-efs-slow-now.txt",
    host: "ip-10-0-1-57.ec2.internal",
    description:
      "EFS slow now, on a host whose counters look healthy: three months since mount at about 1 ms per GETATTR, but in the probe's 4 s window GETATTR, LOOKUP and READDIR take 200–420 ms per round trip. The waiting pypiserver workers sleep in the NFS client, which adds nothing to iowait (0.3 %) or vmstat b (0): only the task states show them (6 of the host's 8 gunicorn workers blocked in the NFS client in every sample). EFS mount fails on the window's round trips, iowait fails on the workers waiting on NFS; judged since mount, both would have passed.",
    expect: { ...ALL_PASS, "host.iowait": "fail", "host.efs-mount": "fail" },
    exit: 1,
  },
];

const EXAMPLES_DIR = new URL("../../../examples/", import.meta.url);

/**
 * The fixture as probe v4 prints it: gunicorn's processes (arbiter + workers of each task: pypiserver runs
 * gunicorn in-process, so every one carries "gunicorn" on its command line) and the task cgroups' oom_kill
 * counters (cgroup v2 memory.events; none is non-zero on these hosts, so only the cgroup line is printed).
 * Each host runs two tasks of one arbiter and `workers` workers, three tasks on the low-memory host.
 */
function asProbeV4(stdout: string, tasks: number, workers: number): string {
  const procs = `==> pypictl:procs <==\npypictl.gunicorn=${tasks * (1 + workers)} ${tasks * workers}\n<== pypictl:procs status=ok ==>\n`;
  const oom = "==> pypictl:oom <==\npypictl.cgroup=v2\n<== pypictl:oom status=ok ==>\n";
  return stdout.replace(/^probe=\d+$/m, "probe=4").replace(/(==> pypictl:packages <==)/, `${procs}${oom}$1`);
}

export function buildExample(ex: Example): string {
  const stdout = asProbeV4(
    fixture(ex.probe),
    ex.file === "host-low-memory.json" ? 3 : 2,
    ex.file === "host-efs-slow-now.json" ? 4 : 2,
  );
  const result = parseProbeOutput(ex.host, stdout);
  if (!result.ok) throw new Error(`${ex.probe}: ${result.message}`);
  if (!result.snapshot.meta.ok) throw new Error(`${ex.probe}: no meta`);
  const probeTime = new Date(result.snapshot.meta.value.time);
  const end = new Date(probeTime.getTime() + result.snapshot.meta.value.samples * 1000);
  const window = {
    start: new Date(end.getTime() - 3600_000).toISOString(),
    end: end.toISOString(),
    since: "1h",
  };
  const bundle = makeBundle({
    version: TOOL_VERSION,
    window,
    target: { kind: "local", host: ex.host },
    evidence: { "host.probe": ok({ hosts: [result] }, stdout, end) },
    now: end,
    description: ex.description,
  });
  return `${JSON.stringify(bundle, null, 2)}\n`;
}

describe("examples/host-*.json", () => {
  for (const ex of EXAMPLES) {
    describe(ex.file, () => {
      const url = new URL(ex.file, EXAMPLES_DIR);
      const built = buildExample(ex);
      if (process.env.PYPICTL_UPDATE_EXAMPLES === "1") writeFileSync(url, built);

      it("is current (rebuilt from its fixture through the real parser)", () => {
        // The tool version is whatever built it last; a version bump alone does not make an example stale.
        const norm = (t: string) =>
          t.replace(/("tool": \{\s*"name": "pypictl",\s*"version": )"[^"]*"/, '$1"*"');
        expect(norm(readFileSync(url, "utf8")), "stale: run node scripts/make-host-examples.mjs").toBe(
          norm(built),
        );
      });
      it("is a valid bundle", () => {
        const text = readFileSync(url, "utf8");
        const b = parseBundle(text, ex.file);
        expect(b.target).toEqual({ kind: "local", host: ex.host });
        expect(b.description).toBe(ex.description);
        assertValidBundle(JSON.parse(text));
      });
      it(`replays to the expected findings, exit ${ex.exit}`, async () => {
        const io = captureIo();
        const code = await runCli(
          ["doctor", "--replay", new URL(ex.file, EXAMPLES_DIR).pathname, "--format", "json"],
          io,
        );
        const report = JSON.parse(io.stdout.text) as { findings: Array<{ checkId: string; status: Status }> };
        assertValidReport(report);
        expect(Object.fromEntries(report.findings.map((f) => [f.checkId, f.status]))).toEqual(ex.expect);
        expect(code).toBe(ex.exit);
      });
    });
  }
  it("package count fails the run with --fail-on warn", async () => {
    const io = captureIo();
    expect(
      await runCli(
        [
          "doctor",
          "--replay",
          new URL("host-package-count.json", EXAMPLES_DIR).pathname,
          "--fail-on",
          "warn",
          "--format",
          "json",
        ],
        io,
      ),
    ).toBe(1);
  });
  it("the human report of the swapping incident shows the numbers and a sparkline", async () => {
    const io = captureIo();
    await runCli(
      ["doctor", "--replay", new URL("host-swapping.json", EXAMPLES_DIR).pathname, "--no-color"],
      io,
    );
    expect(io.stdout.text).toMatch(/750 MiB of 1024 MiB swap in use/);
    expect(io.stdout.text).toMatch(/iowait 84 % on average/);
    expect(io.stdout.text).toMatch(/[▁▂▃▄▅▆▇█]{4}/);
    expect(io.stdout.text).toMatch(/asg_instance_type/);
  });
});
