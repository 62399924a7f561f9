/**
 * Property-based: the parsers never throw and never turn garbage into a pass. Truncated, empty, reordered
 * and random input either parses to exactly what the real data says, or becomes an error that names
 * what was wrong, and the checks reading it say `error`.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Check, Status } from "../../../src/checks/model.js";
import { evaluateCheck, limitsFor } from "../../../src/checks/runner.js";
import { HOST_CHECKS } from "../../../src/checks/host/index.js";
import {
  parseFree,
  parseLoadavg,
  parseMeminfo,
  parseMeta,
  parseMountSection,
  parseMountstatsEntry,
  parseNproc,
  parsePackages,
  parseBlocked,
  parseMountAfter,
  parseProbeOutput,
  parseVmstat,
  splitSections,
} from "../../../src/sources/host/parse.js";
import type { Parsed } from "../../../src/sources/host/model.js";
import { WINDOW, evidenceOf, fixture, withSection } from "./fixtures.js";

const RUNS = { numRuns: Number(process.env.PROPERTY_RUNS ?? 300) };
const PROBES = [
  "probe-healthy.txt",
  "probe-swapping.txt",
  "probe-low-memory.txt",
  "probe-iowait.txt",
  "probe-package-count.txt",
  "probe-efs-missing.txt",
  "probe-module-host.txt",
  "probe-efs-slow-now.txt",
  "real-probe.txt",
];
const PARSERS: Record<string, (s: string) => Parsed<unknown>> = {
  meta: parseMeta,
  vmstat: parseVmstat,
  free: parseFree,
  meminfo: parseMeminfo,
  loadavg: parseLoadavg,
  nproc: parseNproc,
  mount: parseMountSection,
  packages: parsePackages,
  mountstats: (s) => parseMountstatsEntry(s),
  blocked: parseBlocked,
  mount_after: parseMountAfter,
};
/** The section a check cannot do without (memory checks fall back from meminfo to free, which comes first). */
const READS: Record<string, string> = {
  "host.swap-activity": "vmstat",
  "host.iowait": "vmstat",
  "host.swap-used": "free",
  "host.memory-available": "free",
  "host.package-count": "packages",
  "host.efs-mount": "mount",
};
/**
 * Every section a check's verdict depends on, beyond the one it cannot do without: host.efs-mount judges
 * the delta between the two mountstats readings, so without the second one (`mount_after`) it cannot say
 * anything about now; host.iowait judges blocked tasks per CPU, so it needs the CPU count.
 */
const ALSO_READS: Record<string, string[]> = { "host.efs-mount": ["mount_after"], "host.iowait": ["nproc"] };
/** Words the error message of a check reading that section contains. */
const NAMED: Record<string, RegExp> = {
  vmstat: /vmstat/,
  free: /memory|meminfo|free/,
  packages: /package/,
  mount: /mount/,
};

function statuses(stdout: string, truncated = false): Record<string, { status: Status; message: string }> {
  const ev = evidenceOf(parseProbeOutput("h", stdout, { truncated }));
  return Object.fromEntries(
    HOST_CHECKS.map((c: Check) => {
      const f = evaluateCheck(c, ev, limitsFor(c, {}), WINDOW);
      return [c.id, { status: f.status, message: f.message }];
    }),
  );
}

const sectionBodies = (file: string) =>
  new Map([...splitSections(fixture(file))].map(([k, v]) => [k, v.body]));
const body = (file: string, name: string) => sectionBodies(file).get(name)!;

function shuffle<T>(xs: T[], seed: number[]): T[] {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = (seed[i % seed.length] ?? 0) % (i + 1);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

const noThrow = (f: () => unknown) => expect(f).not.toThrow();

describe("random input", () => {
  it("no parser throws on any string, and garbage is never ok-with-a-value-it-made-up", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 400 }), (s) => {
        for (const [name, p] of Object.entries(PARSERS)) {
          let r: Parsed<unknown> | undefined;
          noThrow(() => (r = p(s)));
          if (r && !r.ok) expect(r.error.length, name).toBeGreaterThan(0);
        }
        const hr = parseProbeOutput("h", s);
        expect(hr.ok).toBe(false);
      }),
      RUNS,
    );
  });
  it("random lines from real sections, mutated, never throw", () => {
    const pool = PROBES.flatMap((f) => fixture(f).split("\n")).concat(
      fixture("efs-nfs41-slow.mountstats").split("\n"),
    );
    const mutate = fc
      .tuple(fc.constantFrom(...pool), fc.integer({ min: 0, max: 5 }), fc.nat())
      .map(([l, how, at]) => {
        const i = l.length ? at % l.length : 0;
        if (how === 0) return l.slice(0, i);
        if (how === 1) return l.replace(/\d/, "x");
        if (how === 2) return `${l.slice(0, i)} ${l.slice(i)}`;
        if (how === 3) return l.replace(/\d+/, "-1");
        if (how === 4) return l.replace(/\s+/g, "\t");
        return l;
      });
    fc.assert(
      fc.property(fc.array(mutate, { maxLength: 40 }), (ls) => {
        const s = ls.join("\n");
        for (const p of Object.values(PARSERS)) noThrow(() => p(s));
        noThrow(() => statuses(s));
      }),
      RUNS,
    );
  });
  it("a random body in any section: the checks reading it say error and name it", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("vmstat", "free", "packages", "mount"),
        fc.string({ maxLength: 200 }),
        fc.constantFrom(...PROBES.slice(0, 6)),
        (sec, junk, file) => {
          let out = withSection(fixture(file), sec, junk);
          if (sec === "free") out = withSection(out, "meminfo", junk); // both memory sources broken
          const got = statuses(out);
          for (const [id, needs] of Object.entries(READS)) {
            if (needs !== sec) continue;
            expect(got[id]!.status, `${id} on ${JSON.stringify(junk)}`).toBe("error");
            expect(got[id]!.message).toMatch(NAMED[sec]!);
          }
        },
      ),
      RUNS,
    );
  });
  it("empty input", () => {
    for (const [name, p] of Object.entries(PARSERS)) expect(p("").ok, name).toBe(false);
    for (const r of Object.values(statuses(""))) expect(r.status).toBe("error");
    for (const sec of ["vmstat", "free", "meminfo", "mount", "packages"]) {
      const out = withSection(
        withSection(fixture("probe-healthy.txt"), sec, ""),
        sec === "free" ? "meminfo" : "free",
        sec === "free" ? "" : body("probe-healthy.txt", "free"),
      );
      for (const [id, needs] of Object.entries(READS))
        if (needs === sec) expect(statuses(out)[id]!.status, `${id} with empty ${sec}`).toBe("error");
    }
  });
});

describe("truncated input", () => {
  it("output cut anywhere: a check is judged as on the full output if its sections are complete, else error", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PROBES),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.boolean(),
        (file, frac, flag) => {
          const full = fixture(file);
          const cut = full.slice(0, Math.floor(full.length * frac));
          const want = statuses(full);
          const got = statuses(cut, flag);
          const sections = splitSections(cut);
          const complete = (sec: string) => sections.get(sec)?.status !== undefined;
          for (const [id, sec] of Object.entries(READS)) {
            const what = `${id} cut at ${cut.length}/${full.length}`;
            if (!complete(sec)) expect(got[id]!.status, what).toBe("error");
            else if ((ALSO_READS[id] ?? []).every(complete))
              expect(got[id]!.status, what).toBe(want[id]!.status);
            // A section only some verdicts need (no EFS mount needs no second reading): as full, or error.
            else expect([want[id]!.status, "error"], what).toContain(got[id]!.status);
          }
        },
      ),
      RUNS,
    );
  });
  it("a section body cut anywhere never parses to something the full body did not say", () => {
    const cases: Array<[string, string]> = [];
    for (const f of PROBES) for (const [k, v] of sectionBodies(f)) cases.push([k, v]);
    cases.push(["mountstats", fixture("efs-nfs41-slow.mountstats")]);
    fc.assert(
      fc.property(fc.constantFrom(...cases), fc.nat(), ([name, text], at) => {
        const cut = text.slice(0, at % (text.length + 1));
        const r = PARSERS[name]!(cut);
        if (!r.ok) return;
        // Still ok: only when the cut fell on a line boundary. Every value it gives is in the full parse.
        const full = PARSERS[name]!(text);
        expect(full.ok).toBe(true);
        if (name === "meminfo") {
          for (const [k, v] of Object.entries((r.value as { kB: Record<string, number> }).kB))
            expect((full as { value: { kB: Record<string, number> } }).value.kB[k]).toBe(v);
        }
        if (name === "vmstat") {
          const rows = (r.value as { rows: unknown[] }).rows;
          expect((full as { value: { rows: unknown[] } }).value.rows.slice(0, rows.length)).toEqual(rows);
        }
        if (name === "mountstats" && r.ok) {
          const ops = (r.value as { ops?: Record<string, unknown> }).ops ?? {};
          // A cut may drop a line's optional last column (errors): saying less is fine, saying otherwise is not.
          for (const [k, v] of Object.entries(ops))
            expect((full as { value: { ops: Record<string, unknown> } }).value.ops[k]).toMatchObject(
              v as object,
            );
        }
      }),
      RUNS,
    );
  });
  it("a cut that loses an NFS op block: not ok unless the probe said it truncated", () => {
    const t = fixture("efs-nfs41-slow.mountstats");
    const beforePerOp = t.slice(0, t.indexOf("\tper-op statistics"));
    expect(parseMountstatsEntry(beforePerOp).ok).toBe(false);
  });
});

describe("reordered input", () => {
  it("sections in any order parse to the same snapshot", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PROBES),
        fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
        (file, seed) => {
          const text = fixture(file);
          const blocks = text.split(/(?=^==> pypictl:)/m);
          const a = parseProbeOutput("h", text);
          const b = parseProbeOutput("h", shuffle(blocks, seed).join(""));
          expect(a.ok && b.ok).toBe(true);
          if (a.ok && b.ok) expect(b.snapshot).toEqual(a.snapshot);
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 100) },
    );
  });
  it("vmstat lines shuffled: error unless the header still leads, and never a row that was not there", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PROBES),
        fc.array(fc.nat(), { minLength: 4, maxLength: 12 }),
        (file, seed) => {
          const ls = body(file, "vmstat").split("\n");
          const sh = shuffle(ls, seed);
          const r = parseVmstat(sh.join("\n"));
          const headerIdx = sh.findIndex((l) => /\bsi\b/.test(l));
          const firstRow = sh.findIndex((l) => /^\s*\d/.test(l));
          if (firstRow < headerIdx) expect(r.ok).toBe(false);
          if (r.ok) {
            const full = parseVmstat(ls.join("\n"));
            const key = (x: unknown) => JSON.stringify(x);
            expect(r.value.rows.map(key).sort()).toEqual(full.ok ? full.value.rows.map(key).sort() : []);
          }
        },
      ),
      RUNS,
    );
  });
  it("meminfo lines in any order mean the same", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PROBES),
        fc.array(fc.nat(), { minLength: 4, maxLength: 12 }),
        (file, seed) => {
          const ls = body(file, "meminfo").split("\n");
          expect(parseMeminfo(shuffle(ls, seed).join("\n"))).toEqual(parseMeminfo(ls.join("\n")));
        },
      ),
      RUNS,
    );
  });
  it("mountstats lines shuffled: error, or exactly the original ops (an op line is never silently dropped)", () => {
    const text = fixture("efs-nfs41-slow.mountstats");
    const full = parseMountstatsEntry(text);
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 4, maxLength: 12 }), (seed) => {
        const r = parseMountstatsEntry(shuffle(text.split("\n"), seed).join("\n"));
        if (r.ok && full.ok) expect(r.value.ops).toEqual(full.value.ops);
      }),
      RUNS,
    );
  });
  it("probe output with shuffled lines never passes a check whose section broke", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...PROBES.slice(0, 6)),
        fc.array(fc.nat(), { minLength: 4, maxLength: 12 }),
        (file, seed) => {
          const text = fixture(file);
          const sh = shuffle(text.split("\n"), seed).join("\n");
          const got = statuses(sh);
          const parsed = parseProbeOutput("h", sh);
          const broken = (sec: string) => {
            const s = parsed.ok
              ? (parsed.snapshot as unknown as Record<string, Parsed<unknown>>)[sec]
              : undefined;
            return !s || !s.ok;
          };
          for (const [id, sec] of Object.entries(READS)) {
            // The memory checks read /proc/meminfo first and `free -m` only when meminfo is unusable.
            const sources = sec === "free" ? ["free", "meminfo"] : [sec];
            if (sources.every(broken)) expect(got[id]!.status, id).toBe("error");
          }
        },
      ),
      RUNS,
    );
  });
});
