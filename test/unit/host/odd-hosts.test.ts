/**
 * The real probe on odd hosts (issue: garbage never becomes a verdict): no vmstat, vmstat printing
 * garbage or NaN, `free` printing garbage with /proc/meminfo unreadable, a busybox-only toolset. Each
 * check that needed what could not be read is `error` naming the cause — never a pass on numbers that
 * were not read. Bad host-path flags are exit 2 before anything runs.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { Finding } from "../../../src/checks/model.js";
import { evaluateCheck, limitsFor } from "../../../src/checks/runner.js";
import { HOST_CHECKS } from "../../../src/checks/host/index.js";
import { buildProbeScript } from "../../../src/sources/host/probe-script.js";
import { parseProbeOutput } from "../../../src/sources/host/parse.js";
import { runCli } from "../../../src/cli/main.js";
import { captureIo } from "../../helpers/io.js";
import { WINDOW, evidenceOf, fixture } from "./fixtures.js";

const tmp = mkdtempSync(join(tmpdir(), "pypictl-odd-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let seq = 0;
/** A fake /proc (meminfo unless `noMeminfo`) and shims for the given commands; runs the real probe. */
function probeWith(
  shims: Record<string, string>,
  o: { noMeminfo?: boolean; shell?: string[]; path?: string } = {},
): Record<string, Finding> {
  const dir = join(tmp, `o${seq++}`);
  const proc = join(dir, "proc");
  const bin = join(dir, "bin");
  mkdirSync(join(proc, "self"), { recursive: true });
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(proc, "self", "mountstats"), "device /dev/vda1 mounted on / with fstype ext4\n");
  writeFileSync(join(proc, "uptime"), "100.00 100.00\n");
  writeFileSync(join(proc, "loadavg"), fixture("real-loadavg.txt"));
  if (!o.noMeminfo) writeFileSync(join(proc, "meminfo"), fixture("real-meminfo.txt"));
  for (const [name, body] of Object.entries(shims)) {
    writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  }
  const script = buildProbeScript({ samples: 2, mountPath: "/data/packages", discover: true, procDir: proc });
  const [cmd, ...args] = o.shell ?? ["sh"];
  const out = execFileSync(cmd!, [...args, "-s"], {
    input: script,
    env: { ...process.env, PATH: o.path ?? `${bin}:${process.env.PATH}` },
    encoding: "utf8",
    timeout: 30_000,
  });
  const ev = evidenceOf(parseProbeOutput("odd", out));
  return Object.fromEntries(HOST_CHECKS.map((c) => [c.id, evaluateCheck(c, ev, limitsFor(c, {}), WINDOW)]));
}

const VMSTAT_HEAD = `echo "procs -----------memory---------- ---swap-- -----io---- -system-- ------cpu-----"\necho " r  b   swpd   free   buff  cache   si   so    bi    bo   in   cs us sy id wa st"`;

describe("odd hosts: the probe's own output", () => {
  it("vmstat printing NaN: the vmstat checks are errors that quote it", () => {
    const f = probeWith({
      vmstat: `${VMSTAT_HEAD}\necho " 0  0      0 NaN   2124 988012    0    0    12    21  190  350  3  1 95  1  0"`,
    });
    for (const id of ["host.iowait", "host.swap-activity"]) {
      expect(f[id]!.status, id).toBe("error");
      expect(f[id]!.message, id).toMatch(/vmstat.*neither a header nor a sample.*NaN/);
    }
  });
  it("vmstat printing garbage (or nothing, or failing): errors, not zeros", () => {
    for (const body of [
      `echo "Segmentation fault (core dumped)"`,
      "exit 0",
      `echo "vmstat: /proc/stat: No such file" >&2; exit 1`,
      `${VMSTAT_HEAD}\necho "1 2 3"`,
    ]) {
      const f = probeWith({ vmstat: body });
      expect(f["host.iowait"]!.status, body).toBe("error");
      expect(f["host.swap-activity"]!.status, body).toBe("error");
      expect(f["host.iowait"]!.message, body).toMatch(/vmstat/);
    }
  });
  it("free printing garbage while /proc/meminfo is unreadable: the memory checks are errors naming both", () => {
    const f = probeWith({ free: `echo "Mem: lots plenty none"` }, { noMeminfo: true });
    for (const id of ["host.memory-available", "host.swap-used"]) {
      expect(f[id]!.status, id).toBe("error");
      expect(f[id]!.message, id).toMatch(/\/proc\/meminfo.*free/);
    }
  });
});

const BUSYBOX = ["/usr/bin/busybox", "/bin/busybox"].find((p) => existsSync(p));
const UNSHARE = spawnSync("unshare", ["-m", "--propagation", "private", "true"]).status === 0;

describe.skipIf(!BUSYBOX || !UNSHARE)("a busybox-only host (no procps: no vmstat)", () => {
  it("every check that needs vmstat is an error saying it is not installed; the rest read what exists", () => {
    const bb = join(tmp, "bb");
    mkdirSync(bb, { recursive: true });
    const applets = new Set(execFileSync(BUSYBOX!, ["--list"], { encoding: "utf8" }).split("\n"));
    for (const a of applets) if (a && !existsSync(join(bb, a))) symlinkSync(BUSYBOX!, join(bb, a));
    expect(applets.has("vmstat")).toBe(false);
    // A private mount namespace in which procps' vmstat is not executable (the probe appends /usr/bin to
    // PATH, as hosts have it): busybox's sh, awk, free, find, … and no vmstat, as on a minimal image.
    const vmstat = execFileSync("sh", ["-c", "command -v vmstat"], { encoding: "utf8" }).trim();
    const inner = `mount --bind /dev/null '${vmstat}' && PATH='${bb}' exec '${join(bb, "sh")}' "$@"`;
    const f = probeWith(
      {},
      {
        shell: ["unshare", "-m", "--propagation", "private", "/bin/sh", "-c", inner, "sh"],
        path: "/usr/bin:/bin:/usr/sbin:/sbin",
      },
    );
    for (const id of ["host.iowait", "host.swap-activity"])
      expect(f[id]).toMatchObject({
        status: "error",
        message: expect.stringMatching(/`vmstat` is not installed/),
      });
    expect(f["host.memory-available"]!.status).not.toBe("error");
    expect(f["host.swap-used"]!.status).toBe("pass"); // the fixture meminfo has no swap: read, not guessed
  });
});

describe("host-path flags on --local are checked before anything runs", () => {
  const file = join(tmp, "not-a-dir");
  writeFileSync(file, "x");
  for (const flag of ["--mount-path", "--package-dir"]) {
    it(`${flag} naming a regular file → exit 2 naming the flag`, async () => {
      const io = captureIo();
      const code = await runCli(["doctor", "--local", "--samples", "2", flag, file], io);
      expect(code).toBe(2);
      expect(io.stderr.text).toMatch(
        new RegExp(`${flag}: .*not-a-dir is not a directory \\(it is a regular file\\)`),
      );
      expect(io.stdout.text).toBe("");
    });
  }
  it("--package-dir /proc → exit 2 (a kernel pseudo file system counts as packages otherwise)", async () => {
    const io = captureIo();
    expect(await runCli(["doctor", "--local", "--package-dir", "/proc"], io)).toBe(2);
    expect(io.stderr.text).toMatch(/--package-dir: \/proc is inside \/proc/);
  });
});
