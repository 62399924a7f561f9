/**
 * Issue 26, items 5 and 8: never PASS about nothing, and every OS error or bad flag value in words with a
 * documented exit code — no stack trace, no "unexpected error".
 */
import { EventEmitter } from "node:events";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../../src/cli/main.js";
import { guardOutputStreams, isOsError, osErrorText } from "../../../src/cli/os-errors.js";
import { captureIo } from "../../helpers/io.js";

const tmp = mkdtempSync(join(tmpdir(), "pypictl-words-"));
const examples = join(import.meta.dirname, "../../../examples");
const load = (name: string) =>
  JSON.parse(readFileSync(join(examples, name), "utf8")) as { sources: Record<string, unknown> };

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const io = captureIo(env);
  const code = await runCli(argv, io);
  return { code, out: io.stdout.text, err: io.stderr.text };
}

describe("an empty judged selection is not a pass (item 5)", () => {
  it("the issue's repro: --only host.iowait on a fleet bundle is exit 2 naming what was missing", async () => {
    const r = await run([
      "doctor",
      "--replay",
      "example:fleet-oom-kills",
      "--only",
      "host.iowait",
      "--fail-on",
      "warn",
    ]);
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err).toMatch(
      /no selected check can be judged from this bundle \(host\.iowait needs host\.probe\)/,
    );
    expect(r.err).toContain("the bundle holds cloudwatch.metrics, ecs.service");
    expect(r.err).not.toMatch(/PASS/);
  });

  it("a bundle whose only evidence is under an unknown source id is refused, naming it", async () => {
    const b = load("fleet-healthy.json");
    b.sources = { "ecs.servicex": b.sources["ecs.service"] };
    const file = join(tmp, "unknown-source.json");
    writeFileSync(file, JSON.stringify(b));
    const r = await run(["doctor", "--replay", file]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/sources\.ecs\.servicex: not an evidence source pypictl knows/);
  });

  it("checks that need nothing judge nothing when their optional evidence is absent", async () => {
    const b = load("fleet-healthy.json");
    b.sources = { "elb.targets": b.sources["elb.targets"] };
    const file = join(tmp, "only-optional.json");
    writeFileSync(file, JSON.stringify(b));
    const r = await run(["doctor", "--replay", file, "--only", "upload.fleet-signals"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no selected check can be judged/);
  });

  it("a bundle that answers part of the selection still runs that part", async () => {
    const r = await run([
      "doctor",
      "--replay",
      "example:fleet-oom-kills",
      "--only",
      "host.iowait,ecs.oom-kills",
    ]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/ecs\.oom-kills/);
  });
});

describe("OS errors and bad values in words (item 8)", () => {
  it("ENAMETOOLONG for -o is words naming the flag, exit 2", async () => {
    const r = await run(["doctor", "--replay", "example:fleet-healthy", "-o", join(tmp, "a".repeat(300))]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--output .*: cannot write \(ENAMETOOLONG: the file name is too long\)/);
    expect(r.err).not.toMatch(/unexpected error|\n\s+at /);
    // The report is not lost: it follows on stdout.
    expect(r.out).toMatch(/^pypictl doctor — /);
  });

  it("an OS error no command handled is said in words with exit 2, never 'unexpected error'", () => {
    const e = Object.assign(new Error("ENAMETOOLONG: name too long, open '/x'"), {
      code: "ENAMETOOLONG",
      syscall: "open",
      path: "/x",
    });
    expect(isOsError(e)).toBe(true);
    expect(osErrorText(e)).toBe("/x: the file name is too long (ENAMETOOLONG)");
    expect(isOsError(new Error("plain"))).toBe(false);
  });

  it("a stdout write error (ENOSPC) is one line on stderr and a failure; EPIPE stops quietly", () => {
    const stdout = Object.assign(new EventEmitter(), { write: () => true });
    const said: string[] = [];
    const stderr = Object.assign(new EventEmitter(), { write: (s: string) => said.push(s) });
    const failures: string[] = [];
    guardOutputStreams({ stdout, stderr }, (e) => failures.push(e.code ?? ""));
    stdout.emit("error", Object.assign(new Error("EPIPE"), { code: "EPIPE" }));
    expect(failures).toEqual([]);
    expect(said).toEqual([]);
    stdout.emit("error", Object.assign(new Error("ENOSPC"), { code: "ENOSPC", syscall: "write" }));
    stdout.emit("error", Object.assign(new Error("ENOSPC"), { code: "ENOSPC", syscall: "write" }));
    expect(failures).toEqual(["ENOSPC", "ENOSPC"]);
    expect(said).toEqual([
      "pypictl: cannot write the output to stdout: no space left on the device (ENOSPC)\n",
    ]);
  });

  it.each([
    ["doctor", "--url", "ht!tp://x"],
    ["doctor", "--url", "notaurl"],
    ["doctor", "--url", "https://a b"],
    ["creds", "--url", "ftp://x.example", "--secret-id", "s"],
  ])("an invalid --url is exit 2 (%s %s %s)", async (...argv) => {
    const r = await run(argv, {
      AWS_REGION: "eu-west-1",
      AWS_ACCESS_KEY_ID: "x",
      AWS_SECRET_ACCESS_KEY: "y",
    });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^pypictl: --url: /);
  });

  it.each(["__proto__", "constructor", "toString", "hasOwnProperty"])(
    "--explain %s is an unknown id, not a prototype member",
    async (id) => {
      const r = await run(["doctor", "--explain", id]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`--explain: unknown check "${id}"`);
      expect(r.out).toBe("");
    },
  );

  it.each([
    ["doctor", "--since", ""],
    ["doctor", "--stack", ""],
    ["doctor", "--stack", " "],
    ["doctor", "--profile", ""],
    ["doctor", "--threshold", ""],
    ["creds", "--secret-id", ""],
    ["creds", "--name", ""],
    ["synth", "--out", ""],
  ])("an empty value is refused naming the flag (%s %s)", async (...argv) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${argv[1]}: the value is empty`);
  });
});

describe("--watch keeps its final report when --save-evidence cannot be written (item 8)", () => {
  it("prints the report, says the evidence was not saved, exits 2", async () => {
    const { watchDoctor } = await import("../../../src/cli/commands/doctor-watch.js");
    const { CHECKS } = await import("../../../src/checks/registry.js");
    const { loadSource } = await import("../../../src/sources/registry.js");
    const { DEFAULT_GATHER_SETTINGS } = await import("../../../src/sources/context.js");
    const b = JSON.parse(readFileSync(join(examples, "fleet-oom-kills.json"), "utf8")) as {
      sources: never;
      target: never;
      createdAt: string;
      window: { end: string };
    };
    const io = captureIo();
    const controller = new AbortController();
    const done = watchDoctor({
      doctor: {
        since: "1h",
        timeoutMs: 10_000,
        report: { format: "human", failOn: "fail", color: false, quiet: false, verbose: false },
        evidence: { path: join(tmp, "no-such-dir", "watch.json"), pretty: false },
      },
      watch: { intervalMs: 30, hosts: false },
      io,
      now: () => new Date(b.window.end),
      run: {
        checks: CHECKS.filter((c) => c.id.startsWith("ecs.")),
        overrides: {},
        target: b.target,
        settings: DEFAULT_GATHER_SETTINGS,
        toolVersion: "test",
        load: loadSource,
        now: () => new Date(b.window.end),
        replay: { evidence: b.sources, file: "b.json", gatheredAt: b.createdAt },
      },
      signal: controller.signal,
    } as never);
    while (!io.stderr.text.includes("watch: round 1")) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const code = await done;
    expect(code).toBe(2);
    expect(io.stderr.text).toMatch(
      /--save-evidence .*watch\.json: cannot write \(ENOENT.*evidence not saved/,
    );
    expect(io.stdout.text).toMatch(/^pypictl doctor — /m);
  });
});
