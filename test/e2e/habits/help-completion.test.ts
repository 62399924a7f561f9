/** Issue 10, help, completion and packaged examples: gh/kubectl habits. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildProgram, runCli } from "../../../src/cli/main.js";
import { captureIo } from "../../helpers/io.js";
import { EXAMPLES } from "../../../src/cli/help/examples.js";
import { CHECKS } from "../../../src/checks/registry.js";

const root = join(import.meta.dirname, "..", "..", "..");
const bin = join(root, "bin", "pypictl");
const tmp = mkdtempSync(join(tmpdir(), "pypictl-help-"));

async function run(argv: string[], opts: { tty?: boolean; columns?: number } = {}) {
  const io = captureIo({}, { tty: opts.tty ?? false });
  if (opts.columns !== undefined) io.stdout.columns = opts.columns;
  const code = await runCli(argv, io);
  return { code, out: io.stdout.text, err: io.stderr.text };
}

const program = buildProgram(captureIo(), () => {});
const commands = program.commands.filter((c) => c.name() !== "help").map((c) => c.name());

describe("--help", () => {
  it.each(commands)("%s --help has an Examples section whose flags all exist", async (name) => {
    const r = await run([name, "--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\nExamples:\n {2}# .+\n {2}\$ pypictl /);
    const cmd = program.commands.find((c) => c.name() === name)!;
    const longs = new Set(cmd.options.map((o) => o.long));
    for (const ex of EXAMPLES[name]!) {
      expect(ex.argv[0]).toBe(name);
      for (const w of ex.argv.filter((a) => a.startsWith("--")))
        expect(longs.has(w), `${name} ${w}`).toBe(true);
    }
  });

  it("the top-level help has examples too", async () => {
    expect((await run(["--help"])).out).toContain("$ pypictl doctor --local");
  });

  it("wraps at the terminal width, and at 80 columns when piped", async () => {
    const narrow = await run(["doctor", "--help"], { tty: true, columns: 60 });
    // A single word longer than the column (host.iowait.maxIowaitPercent=15) cannot be broken.
    const optionLines = (s: string) =>
      s
        .slice(0, s.indexOf("\nExamples:"))
        .split("\n")
        .filter((l) => l.trim().includes(" "));
    expect(Math.max(...optionLines(narrow.out).map((l) => l.length))).toBeLessThanOrEqual(60);
    const wide = await run(["doctor", "--help"], { tty: true, columns: 160 });
    expect(Math.max(...optionLines(wide.out).map((l) => l.length))).toBeGreaterThan(100);
    const piped = await run(["doctor", "--help"], { tty: false, columns: 160 });
    expect(Math.max(...optionLines(piped.out).map((l) => l.length))).toBeLessThanOrEqual(80);
  });

  it("creds --help lists only the flags creds uses", async () => {
    const r = await run(["creds", "--help"]);
    for (const used of [
      "--stack",
      "--region",
      "--profile",
      "--url",
      "--secret-id",
      "--terraform-outputs",
      "--format",
      "--write",
      "--check",
      "--timeout",
    ])
      expect(r.out).toContain(used);
    expect(r.out).toMatch(/--timeout <seconds>\s+deadline for the whole run/);
    for (const unused of ["--cluster", "--service", "--file-system-id", "--load-balancer", "--target-group"])
      expect(r.out).not.toContain(unused);
    const bad = await run(["creds", "--cluster", "x"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/unknown option '--cluster'/);
  });
});

describe("packaged examples", () => {
  it("doctor --examples lists them; --replay example:NAME replays one from the package", async () => {
    const list = await run(["doctor", "--examples"]);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^fleet-oom-kills\s+\S/m);
    const r = await run(["doctor", "--replay", "example:fleet-oom-kills", "--format", "json"]);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out);
    expect(report.evidence).toMatchObject({ mode: "replay", bundle: "example:fleet-oom-kills" });
    expect(report.findings.some((f: { status: string }) => f.status === "fail")).toBe(true);
    const unknown = await run(["doctor", "--replay", "example:nope"]);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/no packaged example "nope". Known: .*fleet-oom-kills/);
  });

  it("works from another directory through the built CLI", () => {
    const r = spawnSync(
      process.execPath,
      [bin, "doctor", "--replay", "example:host-healthy", "--format", "json"],
      { cwd: tmp, encoding: "utf8" },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).summary.status).toBe("pass");
  });
});

describe("pypictl completion", () => {
  const script = join(tmp, "pypictl.bash");
  function complete(...words: string[]): string[] {
    const quoted = words.map((w) => `'${w}'`).join(" ");
    const r = spawnSync(
      "bash",
      [
        "-c",
        `source '${script}'; COMP_WORDS=(${quoted}); COMP_CWORD=$((\${#COMP_WORDS[@]}-1)); _pypictl; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ],
      { encoding: "utf8" },
    );
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.split("\n").filter(Boolean);
  }

  it("bash: sourced in a real bash, completes commands, flags, choices, check ids, areas, playbooks and examples", () => {
    const r = spawnSync(process.execPath, [bin, "completion", "bash"], { encoding: "utf8" });
    expect(r.status).toBe(0);
    writeFileSync(script, r.stdout);
    expect(complete("pypictl", "d")).toEqual(["doctor", "diff", "deploy", "destroy"]);
    expect(complete("pypictl", "")).toEqual(expect.arrayContaining([...commands, "completion"]));
    expect(complete("pypictl", "doctor", "--sa").sort()).toEqual(["--samples", "--save-evidence"]);
    expect(complete("pypictl", "doctor", "--pre")).toEqual(["--pretty"]);
    expect(complete("pypictl", "doctor", "--format", "")).toEqual(
      expect.arrayContaining(["human", "json", "junit", "markdown"]),
    );
    expect(complete("pypictl", "doctor", "--only", "host.sw")).toEqual([
      "host.swap-activity",
      "host.swap-used",
    ]);
    expect(complete("pypictl", "doctor", "--only", "oom,sl")).toEqual(["oom,slow-listing"]);
    expect(complete("pypictl", "doctor", "--skip", "ef")).toEqual(
      expect.arrayContaining(["efs", "efs.percent-io-limit"]),
    );
    expect(complete("pypictl", "doctor", "--explain", "auth.")).toEqual(
      CHECKS.filter((c) => c.id.startsWith("auth.")).map((c) => c.id),
    );
    expect(complete("pypictl", "doctor", "--threshold", "host.iowait.maxI")).toEqual([
      "host.iowait.maxIowaitPercent",
    ]);
    expect(complete("pypictl", "doctor", "--replay", "example", ":", "fleet-oo")).toEqual([
      "fleet-oom-kills",
    ]);
    expect(complete("pypictl", "creds", "--format", "pi")).toEqual(["pip.conf"]);
    expect(complete("pypictl", "creds", "--cl")).toEqual([]); // creds has no --cluster
    expect(complete("pypictl", "creds", "--ti")).toEqual(["--timeout"]);
    expect(complete("pypictl", "completion", "")).toEqual(["bash", "zsh", "fish"]);
  });

  it("zsh and fish scripts come from the same tree", async () => {
    const zsh = (await run(["completion", "zsh"])).out;
    expect(zsh.split("\n")[0]).toBe("#compdef pypictl");
    expect(zsh).toMatch(/--only'\[[^\]]*\]:ids:_sequence compadd - slow-listing oom/);
    expect(zsh).toContain("example:fleet-oom-kills");
    const fish = (await run(["completion", "fish"])).out;
    expect(fish).toContain(
      "complete -c pypictl -n '__fish_seen_subcommand_from doctor' -l explain -x -a 'host.",
    );
    expect(fish).toContain("-l output -r -F");
    const bad = await run(["completion", "powershell"]);
    expect(bad.code).toBe(2);
  });
});
