/**
 * The probe prints only what the checks read, so that over SSM its gzipped, base64-encoded output fits
 * in the 2,500 characters ListCommandInvocations returns per instance (no GetCommandInvocation per
 * instance) — and the checks judge the trimmed output exactly as they judge the full one.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { MEMINFO_KEYS, buildProbeScript } from "../../../src/sources/host/probe-script.js";
import {
  parseMeminfo,
  parseMountstatsEntry,
  parseProbeOutput,
  splitSections,
} from "../../../src/sources/host/parse.js";
import { evaluateCheck, limitsFor } from "../../../src/checks/runner.js";
import { HOST_CHECKS } from "../../../src/checks/host/index.js";
import { LIST_OUTPUT_LIMIT, wrapScript } from "../../../src/sources/aws/ssm-probe.js";
import { fakeHost, sectionBodies } from "../../fixtures/host/fake-host.mjs";
import { WINDOW, evidenceOf, fixture } from "./fixtures.js";

const tmp = mkdtempSync(join(tmpdir(), "pypictl-size-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let seq = 0;
/** What today's probe prints on the host a full (untrimmed) probe output describes. */
function probeOn(full: string, samples = 5): string {
  const dir = join(tmp, `h${seq++}`);
  const h = fakeHost(full, dir);
  const script = buildProbeScript({
    samples,
    mountPath: h.mountPath,
    discover: true,
    packageDir: join(tmp, "no-packages"),
    procDir: h.proc,
  });
  const out = execFileSync("sh", ["-s"], { input: script, env: h.env, encoding: "utf8", timeout: 30_000 });
  // Back to the fixture's paths (the fake host's mount path lives under its directory).
  return out.split(join(dir, "root")).join("");
}

/** What the SSM wrapper prints for it: markers around gzip -9 | base64. */
const wrapped = (stdout: string) =>
  `pypictl-gz64:begin\n${gzipSync(Buffer.from(stdout), { level: 9 }).toString("base64")}\npypictl-gz64:end\n`;

const INCIDENTS = [
  "probe-healthy.txt",
  "probe-swapping.txt",
  "probe-low-memory.txt",
  "probe-iowait.txt",
  "probe-efs-missing.txt",
  "probe-package-count.txt",
];
const REALISTIC = fixture("../aws/probe-stdout.txt");

describe("the probe's output is small", () => {
  it("prints only MEMINFO_KEYS of /proc/meminfo, with the kernel's values", () => {
    const out = probeOn(fixture("probe-healthy.txt"));
    const mi = parseProbeOutput("t", out);
    if (!mi.ok || !mi.snapshot.meminfo.ok) throw new Error("meminfo did not parse");
    const full = parseMeminfo(sectionBodies(fixture("probe-healthy.txt")).get("meminfo")!);
    if (!full.ok) throw new Error(full.error);
    expect(Object.keys(mi.snapshot.meminfo.value.kB).sort()).toEqual(
      [...MEMINFO_KEYS].filter((k) => k in full.value.kB).sort(),
    );
    for (const k of MEMINFO_KEYS) expect(mi.snapshot.meminfo.value.kB[k]).toBe(full.value.kB[k]);
  });

  it("keeps of the mountstats entry what the parser reads: device, opts, age, xprt, non-zero ops", () => {
    const out = probeOn(REALISTIC);
    const body = splitSections(out).get("mount")!.body;
    expect(body).not.toMatch(/^\s*(events|bytes|caps|nfsv4|sec|impl_id):/m);
    const r = parseProbeOutput("t", out);
    if (!r.ok || !r.snapshot.mount.ok) throw new Error("mount did not parse");
    const entryText = sectionBodies(REALISTIC)
      .get("mount")!
      .split("\n")
      .filter((l) => !l.startsWith("pypictl."))
      .join("\n");
    const full = parseMountstatsEntry(entryText);
    if (!full.ok) throw new Error(full.error);
    const { ops, ...rest } = full.value;
    // Probe v3 judges the mounts it found; this host has one, on the probe's path (the stack's data path).
    const { role, fileSystemId, window, windowError, ...trimmed } = r.snapshot.mount.value.judged![0]!;
    expect({ role, fileSystemId, windowError }).toEqual({
      role: "data-path",
      fileSystemId: "fs-0123456789abcdef0",
      windowError: undefined,
    });
    expect(window).toMatchObject({ ops: {} });
    expect({ ...trimmed, ops: undefined }).toEqual({ ...rest, ops: undefined });
    expect(trimmed.ops).toEqual(Object.fromEntries(Object.entries(ops!).filter(([, o]) => o.ops > 0)));
  });

  it(`gzipped and base64-encoded, a realistic EFS host's output fits the ${LIST_OUTPUT_LIMIT}-character listing with room to spare (samples 2-5)`, () => {
    for (const samples of [2, 5]) {
      const out = probeOn(REALISTIC, samples);
      const w = wrapped(out);
      expect(w.length, `samples ${samples}: ${out.length} characters → ${w.length} wrapped`).toBeLessThan(
        LIST_OUTPUT_LIMIT * 0.85,
      );
      // Untrimmed, the same host did not fit: the point of trimming.
      expect(wrapped(REALISTIC).length).toBeGreaterThan(LIST_OUTPUT_LIMIT);
    }
    expect(
      wrapScript(buildProbeScript({ samples: 5, mountPath: "/data/packages", packageDir: "/data/packages" })),
    ).toContain("gzip -9c");
  });
});

describe("the checks judge the trimmed output as the full one", () => {
  for (const name of INCIDENTS) {
    it(name, () => {
      const full = parseProbeOutput("h1", fixture(name));
      const trimmed = parseProbeOutput("h1", probeOn(fixture(name)));
      for (const c of HOST_CHECKS) {
        // The package count runs for real on the fake host (no package dir here): not comparable.
        if (c.id === "host.package-count") continue;
        const a = evaluateCheck(c, evidenceOf(full), limitsFor(c, {}), WINDOW);
        const b = evaluateCheck(c, evidenceOf(trimmed), limitsFor(c, {}), WINDOW);
        const pick = (f: typeof a) => ({
          status: f.status,
          message: f.message,
          observed: f.observed,
          hints: f.hints,
          resources: f.resources,
        });
        expect(pick(b), c.id).toEqual(pick(a));
      }
    });
  }
});
