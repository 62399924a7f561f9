/**
 * Issue 26, item 4: every file pypictl reads is read within a size and a time limit. A FIFO with no
 * writer, /dev/zero, a file too large or a standard input that never ends, given as --config,
 * --terraform-outputs (a file or `-`) or --replay, ends the run with exit 2 — within --timeout — and an
 * error naming the flag, the file and the limit. Real FIFOs and devices, no mocks.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, createWriteStream } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../../../src/cli/main.js";
import { gatherClientConfig } from "../../../src/sources/client/config.js";
import { captureIo } from "../../helpers/io.js";

const tmp = mkdtempSync(join(tmpdir(), "pypictl-inputs-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const examples = join(import.meta.dirname, "../../../examples");
const TF = join(examples, "terraform/outputs.json");
/** Slack over --timeout for a loaded 2-core machine. */
const SLACK_MS = 2_500;

let fifos = 0;
function fifo(): string {
  const path = join(tmp, `fifo-${fifos++}`);
  execFileSync("mkfifo", [path]);
  return path;
}

function big(name: string, bytes: number): string {
  const path = join(tmp, name);
  writeFileSync(path, "");
  truncateSync(path, bytes); // sparse: a size without the disk
  return path;
}

async function run(argv: string[], stdin?: NodeJS.ReadableStream) {
  const io = captureIo({ HOME: tmp, PATH: process.env.PATH });
  if (stdin) Object.assign(io, { stdin });
  const started = performance.now();
  const code = await runCli(argv, io);
  return { code, out: io.stdout.text, err: io.stderr.text, ms: performance.now() - started };
}

/** Write `text` into the FIFO once a reader opens it (a child process: the writer must not be this one). */
function feed(path: string, text: string) {
  const writer = createWriteStream(path);
  writer.end(text);
  return writer;
}

describe("a FIFO with no writer ends the run at --timeout, exit 2", () => {
  // The commands' modules loaded once, so the time measured is the wait, not a cold import on a busy machine.
  beforeAll(async () => {
    for (const argv of [
      ["doctor", "--replay", "example:fleet-healthy", "--format", "json"],
      ["creds", "--terraform-outputs", TF, "--format", "netrc"],
      ["size", "--replay", "example:efs-bound", "--format", "json"],
    ])
      await run(argv);
  }, 60_000);

  const cases: Array<{ flag: string; argv: (f: string) => string[] }> = [
    {
      flag: "--config",
      argv: (f) => ["doctor", "--config", f, "--replay", "example:fleet-healthy", "--timeout", "2"],
    },
    { flag: "--replay", argv: (f) => ["doctor", "--replay", f, "--timeout", "2"] },
    {
      flag: "--terraform-outputs",
      argv: (f) => ["creds", "--terraform-outputs", f, "--format", "netrc", "--timeout", "2"],
    },
    { flag: "--config", argv: (f) => ["creds", "--config", f, "--terraform-outputs", TF, "--timeout", "2"] },
    { flag: "--replay", argv: (f) => ["size", "--replay", f, "--timeout", "2"] },
  ];
  for (const c of cases)
    it(`${c.argv("FIFO").slice(0, 2).join(" ")} … (${c.flag} FIFO)`, async () => {
      const f = fifo();
      const r = await run(c.argv(f));
      expect(r.code, r.err).toBe(2);
      expect(r.out).toBe("");
      expect(r.err).toContain(
        `${c.flag} ${f}: nothing arrived from this FIFO within 2 s (the time limit: --timeout); nothing of it was used`,
      );
      expect(r.ms).toBeGreaterThanOrEqual(1_900);
      expect(r.ms).toBeLessThan(2_000 + SLACK_MS);
    });

  it("a FIFO whose writer sends a bundle and closes still replays", async () => {
    const f = fifo();
    const writer = feed(f, readFileSync(join(examples, "fleet-healthy.json"), "utf8"));
    const r = await run(["doctor", "--replay", f, "--format", "json", "--timeout", "10"]);
    writer.destroy();
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).findings.length).toBeGreaterThan(0);
  });

  it("a FIFO whose writer keeps it open without finishing: the time limit, counting what came", async () => {
    const f = fifo();
    const writer = createWriteStream(f);
    writer.write('{"kind": ');
    const r = await run(["doctor", "--config", f, "--replay", "example:fleet-healthy", "--timeout", "2"]);
    writer.destroy();
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      `--config ${f}: this FIFO did not end (9 bytes arrived) within 2 s (the time limit: --timeout)`,
    );
  });
});

describe("/dev/zero and files too large: the size limit, exit 2, at once", () => {
  const cases: Array<{ argv: string[]; message: string }> = [
    {
      argv: ["doctor", "--config", "/dev/zero", "--replay", "example:fleet-healthy"],
      message:
        "--config /dev/zero: went on past 1 MiB; a config file may have at most 1 MiB (MAX_CONFIG_BYTES), nothing of it was used",
    },
    {
      argv: ["creds", "--terraform-outputs", "/dev/zero", "--format", "netrc"],
      message:
        "--terraform-outputs /dev/zero: went on past 16 MiB; a Terraform outputs file may have at most 16 MiB (MAX_TERRAFORM_OUTPUTS_BYTES)",
    },
    {
      argv: ["deploy", "--config", "/dev/zero"],
      message:
        "--config /dev/zero: went on past 1 MiB; a config file may have at most 1 MiB (MAX_CONFIG_BYTES)",
    },
    {
      argv: ["doctor", "--config", big("big.toml", 3 * 1024 * 1024), "--replay", "example:fleet-healthy"],
      message: "big.toml: is 3 MiB; a config file may have at most 1 MiB (MAX_CONFIG_BYTES)",
    },
    {
      argv: ["doctor", "--replay", big("big.json", 300 * 1024 * 1024)],
      message: "big.json: is 300 MiB; an evidence bundle may have at most 256 MiB (MAX_BUNDLE_BYTES)",
    },
    {
      argv: ["size", "--replay", big("big-size.json", 257 * 1024 * 1024)],
      message: "big-size.json: is 257 MiB; an evidence bundle may have at most 256 MiB (MAX_BUNDLE_BYTES)",
    },
  ];
  for (const c of cases)
    it(c.argv.filter((a) => !a.startsWith("/tmp")).join(" "), async () => {
      const r = await run(c.argv);
      expect(r.code, r.err).toBe(2);
      expect(r.out).toBe("");
      expect(r.err).toContain(c.message);
      expect(r.ms).toBeLessThan(3_000);
    });

  it("doctor --replay /dev/zero: stops at 256 MiB (MAX_BUNDLE_BYTES)", async () => {
    const r = await run(["doctor", "--replay", "/dev/zero"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      "--replay /dev/zero: went on past 256 MiB; an evidence bundle may have at most 256 MiB (MAX_BUNDLE_BYTES)",
    );
  });

  it("a directory is not a config file", async () => {
    const r = await run(["doctor", "--config", tmp, "--replay", "example:fleet-healthy"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`--config ${tmp}: is a directory, not a config file`);
  });
});

describe("--terraform-outputs - (standard input)", () => {
  it("a standard input that never ends: the time limit, exit 2", async () => {
    const stdin = new PassThrough();
    stdin.write("{");
    const r = await run(["creds", "--terraform-outputs", "-", "--format", "netrc", "--timeout", "2"], stdin);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      "--terraform-outputs - (standard input): this standard input did not end (1 bytes arrived) within 2 s (the time limit: --timeout)",
    );
    expect(r.ms).toBeLessThan(2_000 + SLACK_MS);
    expect(stdin.destroyed).toBe(true);
  });

  it("zeros on standard input: the size limit, and the stream let go", async () => {
    let sent = 0;
    const zeros = new Readable({
      read() {
        sent += 65_536;
        this.push(Buffer.alloc(65_536));
      },
    });
    const r = await run(["creds", "--terraform-outputs", "-", "--format", "netrc"], zeros);
    expect(r.code).toBe(2);
    expect(r.err).toContain("--terraform-outputs - (standard input): went on past 16 MiB");
    expect(sent).toBeLessThan(20 * 1024 * 1024);
    expect(zeros.destroyed).toBe(true);
  });

  it("outputs on standard input still work", async () => {
    const r = await run(
      ["creds", "--terraform-outputs", "-", "--format", "netrc"],
      Readable.from([readFileSync(TF)]),
    );
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toContain("machine pypi.example.invalid");
  });
});

describe("client config files (doctor's client.config source)", () => {
  it("a FIFO at ~/.netrc and /dev/zero as PIP_CONFIG_FILE: given up at the source's deadline, the rest read", async () => {
    const home = mkdtempSync(join(tmp, "home-"));
    execFileSync("mkfifo", [join(home, ".netrc")]);
    writeFileSync(
      join(home, ".pypirc"),
      "[distutils]\nindex-servers = x\n\n[x]\nrepository = https://pypi.example.com/\nusername = u\n",
    );
    const started = performance.now();
    const ev = await gatherClientConfig(
      { HOME: home, PIP_CONFIG_FILE: "/dev/zero" },
      { deadlineAt: Date.now() + 1_000 },
      "none",
    );
    const ms = performance.now() - started;
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(1_000 + SLACK_MS);
    expect(ev.files).toContainEqual({ path: join(home, ".netrc"), found: false });
    expect(ev.files).toContainEqual({ path: "/dev/zero", found: false });
    expect(ev.files).toContainEqual({ path: join(home, ".pypirc"), found: true });
  });
});
