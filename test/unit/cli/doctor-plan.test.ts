/**
 * planDoctor decides a doctor run from flags and the parsed config alone: no file, no AWS, no output. Each
 * refusal is the one the CLI prints, with exit 2.
 */
import { describe, expect, it } from "vitest";
import { planDoctor, type DoctorPlan, type DoctorPlanEnv } from "../../../src/cli/commands/doctor-plan.js";
import type { DoctorFlags } from "../../../src/cli/commands/doctor.js";
import { EMPTY_CONFIG, type PypictlConfig } from "../../../src/config/config.js";
import { CHECKS } from "../../../src/checks/registry.js";
import { UsageError } from "../../../src/errors.js";
import { runCli } from "../../../src/cli/main.js";
import { captureIo } from "../../helpers/io.js";

const NOW = new Date("2026-11-20T12:00:00.000Z");
const ENV: DoctorPlanEnv = { env: { AWS_REGION: "eu-west-1" }, now: NOW, hostname: "box-1" };
/** The flags as commander hands them over with nothing typed. */
const flags = (f: Partial<DoctorFlags> = {}): DoctorFlags => ({ threshold: [], color: true, ...f });
const plan = (
  f: Partial<DoctorFlags> = {},
  config: PypictlConfig = EMPTY_CONFIG,
  env: DoctorPlanEnv = ENV,
): DoctorPlan => planDoctor(flags(f), config, env);
const live = (p: DoctorPlan) => {
  if (p.input.kind !== "live") throw new Error(`expected a live plan, got ${p.input.kind}`);
  return p.input;
};
const idsOf = (p: DoctorPlan) => live(p).checks.map((c) => c.id);
const idsIn = (area: string) => CHECKS.filter((c) => c.id.split(".")[0] === area).map((c) => c.id);

describe("selection", () => {
  it("--only efs: every EFS check and nothing else, against the default stack", () => {
    const p = plan({ only: ["efs"] });
    expect(idsIn("efs").length).toBeGreaterThan(1);
    expect(idsOf(p)).toEqual(idsIn("efs"));
    expect(live(p).target).toEqual({ kind: "fleet" });
  });

  it("--skip takes checks out of --only; the flags win over the config file's selection", () => {
    const [first, ...rest] = idsIn("efs");
    expect(idsOf(plan({ only: ["efs"], skip: [first!] }))).toEqual(rest);
    const config: PypictlConfig = { ...EMPTY_CONFIG, only: ["alb"] };
    expect(idsOf(plan({}, config))).toEqual(idsIn("alb"));
    expect(idsOf(plan({ only: ["efs"] }, config))).toEqual(idsIn("efs"));
  });

  it("--local leaves the fleet checks out, so --only alb there names no known check", () => {
    const p = plan({ local: true });
    expect(live(p).target).toEqual({ kind: "local", host: "box-1" });
    expect(live(p).checks.every((c) => c.scope !== "fleet")).toBe(true);
    expect(live(p).checks.length).toBeGreaterThan(0);
    expect(() => plan({ local: true, only: ["alb"] })).toThrow(/--only: unknown check or playbook "alb"/);
  });

  it("--only auth with --url and --secret-id: a fleet target without a cluster, only the auth checks", () => {
    const p = plan({ only: ["auth"], url: "https://pypi.example.com", secretId: "pypi/creds" });
    expect(live(p).target).toEqual({
      kind: "fleet",
      url: "https://pypi.example.com",
      secretId: "pypi/creds",
    });
    expect(idsOf(p)).toEqual(idsIn("auth"));
    expect(idsOf(p).length).toBeGreaterThan(0);
  });
});

describe("live and replay", () => {
  it("a live plan ends its window now and looks back --since (or the config's since)", () => {
    expect(live(plan({ since: "2h" })).window).toEqual({
      since: "2h",
      start: "2026-11-20T10:00:00.000Z",
      end: NOW.toISOString(),
    });
    const p = plan({}, { ...EMPTY_CONFIG, since: "30m" });
    expect(live(p).window.start).toBe("2026-11-20T11:30:00.000Z");
    expect(p.since).toBe("30m");
  });

  it("--replay: no window or target of its own (the bundle's), the selection kept for the bundle, the AWS environment not checked", () => {
    const p = plan({ replay: "example:fleet-oom-kills", only: ["host"], format: "json" }, EMPTY_CONFIG, {
      ...ENV,
      env: { AWS_ENDPOINT_URL: "not a url" },
    });
    expect(p.input).toEqual({
      kind: "replay",
      bundle: "example:fleet-oom-kills",
      selection: { only: ["host"], skip: undefined },
      asked: { only: ["host"], skip: undefined },
    });
    expect(p.report.format).toBe("json");
    expect(p.watch).toBeUndefined();
    expect(p.evidence).toBeUndefined();
    // Nothing is read while planning: a bundle that does not exist is the run's error, not the plan's.
    expect(plan({ replay: "/nonexistent/bundle.json" }).input).toMatchObject({
      kind: "replay",
      bundle: "/nonexistent/bundle.json",
    });
    // The same environment refuses a live run: it would send requests to that endpoint.
    expect(() => plan({}, EMPTY_CONFIG, { ...ENV, env: { AWS_ENDPOINT_URL: "not a url" } })).toThrow(
      /AWS_ENDPOINT_URL: "not a url" is not a URL/,
    );
  });

  it("report, evidence, timeout and watch settings come from the flags over the config file", () => {
    const p = plan(
      {
        output: "r.html",
        format: "html",
        saveEvidence: "e.json",
        pretty: true,
        timeout: "90",
        watch: "30s",
        watchHosts: true,
        quiet: true,
        color: false,
      },
      { ...EMPTY_CONFIG, format: "json", failOn: "warn" },
    );
    expect(p.report).toEqual({
      format: "html",
      failOn: "warn",
      output: "r.html",
      color: false,
      quiet: true,
      verbose: false,
    });
    expect(p.evidence).toEqual({ path: "e.json", pretty: true });
    expect(p.timeoutMs).toBe(90_000);
    expect(p.watch).toEqual({ intervalMs: 30_000, hosts: true });
    expect(plan().timeoutMs).toBe(60_000);
    expect(plan().report).toEqual({
      format: "human",
      failOn: "fail",
      color: true,
      quiet: false,
      verbose: false,
    });
  });

  it("thresholds: --threshold over the config file's", () => {
    const config: PypictlConfig = {
      ...EMPTY_CONFIG,
      thresholds: { "host.iowait.maxIowaitPercent": 30, "host.iowait.maxBlockedPerCpu": 3 },
    };
    const p = planDoctor(
      flags({ threshold: ["host.iowait.maxIowaitPercent=15"], config: "c.json" }),
      config,
      ENV,
    );
    expect(p.overrides).toEqual({ "host.iowait.maxIowaitPercent": 15, "host.iowait.maxBlockedPerCpu": 3 });
    expect(() => plan({ threshold: ["host.iowait.nope=1"] })).toThrow(
      /--threshold "host.iowait.nope": host.iowait has no threshold "nope"/,
    );
  });
});

describe("probe settings", () => {
  it("neither given: the default mount is found by discovery and packages counted there", () => {
    const s = plan().settings;
    expect(s).toMatchObject({
      mountPath: "/data/packages",
      packageDir: "/data/packages",
      mountPathGiven: false,
      packageDirGiven: false,
      samples: 5,
    });
  });

  it("--mount-path given: judged exactly, and the packages are counted in it", () => {
    const s = plan({ mountPath: "/mnt/efs" }).settings;
    expect(s).toMatchObject({
      mountPath: "/mnt/efs",
      packageDir: "/mnt/efs",
      mountPathGiven: true,
      packageDirGiven: false,
    });
  });

  it("--package-dir given alone: counted there, the mount still found by discovery", () => {
    const s = plan({ packageDir: "/data/packages/simple" }).settings;
    expect(s).toMatchObject({
      mountPath: "/data/packages",
      packageDir: "/data/packages/simple",
      mountPathGiven: false,
      packageDirGiven: true,
    });
  });

  it("the config file's host section counts as given; flags win over it", () => {
    const config: PypictlConfig = { ...EMPTY_CONFIG, host: { mountPath: "/srv/pkgs", samples: 9 } };
    expect(plan({}, config).settings).toMatchObject({
      mountPath: "/srv/pkgs",
      packageDir: "/srv/pkgs",
      mountPathGiven: true,
      samples: 9,
    });
    expect(plan({ mountPath: "/mnt/efs", samples: "3" }, config).settings).toMatchObject({
      mountPath: "/mnt/efs",
      samples: 3,
    });
  });

  it("--dist and the client environment reach the sources", () => {
    const s = plan({ dist: "dist" }).settings;
    expect(s.distDir).toBe("dist");
    expect(s.clientEnv).toEqual(ENV.env);
  });
});

/** Refused by planDoctor and by the CLI in the same words, exit 2. */
const REFUSED: Array<{ name: string; flags: Partial<DoctorFlags>; argv: string[]; message: RegExp }> = [
  {
    name: "--replay with --since",
    flags: { replay: "b.json", since: "2h" },
    argv: ["--replay", "b.json", "--since", "2h"],
    message: /^--replay and --since cannot be combined: a replay evaluates/,
  },
  {
    name: "--local with --stack",
    flags: { local: true, stack: "s" },
    argv: ["--local", "--stack", "s"],
    message: /^--local and --stack cannot be combined/,
  },
  {
    name: "--watch-hosts without --watch",
    flags: { local: true, watchHosts: true },
    argv: ["--local", "--watch-hosts"],
    message: /^--watch-hosts needs --watch$/,
  },
  {
    name: "--watch with --replay",
    flags: { replay: "b.json", watch: true },
    argv: ["--replay", "b.json", "--watch"],
    message: /^--watch and --replay cannot be combined/,
  },
  {
    name: "--watch 0.5",
    flags: { local: true, watch: "0.5" },
    argv: ["--local", "--watch", "0.5"],
    message: /^--watch: "0.5" must be from 1s to 1h/,
  },
  {
    name: "--pretty without --save-evidence",
    flags: { local: true, pretty: true },
    argv: ["--local", "--pretty"],
    message: /^--pretty needs --save-evidence/,
  },
  {
    name: "--samples 1",
    flags: { local: true, samples: "1" },
    argv: ["--local", "--samples", "1"],
    message: /^--samples: "1" must be a whole number from 2 to 60$/,
  },
  {
    name: "--timeout 0",
    flags: { local: true, timeout: "0" },
    argv: ["--local", "--timeout", "0"],
    message: /^--timeout: "0" must be a whole number of seconds from 1 to 3600$/,
  },
  {
    name: "--mount-path relative",
    flags: { local: true, mountPath: "data" },
    argv: ["--local", "--mount-path", "data"],
    message: /^--mount-path: "data" is relative/,
  },
  {
    name: "--only host --skip host",
    flags: { local: true, only: ["host"], skip: ["host"] },
    argv: ["--local", "--only", "host", "--skip", "host"],
    message: /^--only host and --skip host and --local together select no check to run$/,
  },
  {
    name: "--since nonsense",
    flags: { local: true, since: "soon" },
    argv: ["--local", "--since", "soon"],
    message: /^--since/,
  },
];

describe("bad invocations: the CLI's words and exit code", () => {
  for (const r of REFUSED)
    it(r.name, async () => {
      let thrown: unknown;
      try {
        plan(r.flags);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(UsageError);
      const message = (thrown as Error).message;
      expect(message).toMatch(r.message);
      const io = captureIo(ENV.env);
      expect(await runCli(["doctor", ...r.argv], io)).toBe(2);
      expect(io.stderr.text).toContain(message);
    });
});
