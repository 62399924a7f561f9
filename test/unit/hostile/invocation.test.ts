/**
 * Issue 14 (and issue 9's "fail fast on output problems"): every careless or hostile invocation from the
 * report is refused with exit 2 before anything runs, naming the flag, variable or file — and nothing is
 * overwritten, lost or leaked.
 */
import {
  mkdtempSync,
  readFileSync,
  writeFileSync,
  symlinkSync,
  linkSync,
  statSync,
  existsSync,
  readdirSync,
  copyFileSync,
  chmodSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../../src/cli/main.js";
import { captureIo } from "../../helpers/io.js";

const tmp = mkdtempSync(join(tmpdir(), "pypictl-hostile-"));
const example = join(import.meta.dirname, "../../../examples/host-healthy.json");
const bundle = join(tmp, "bundle.json");
copyFileSync(example, bundle);
const original = readFileSync(bundle, "utf8");

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const io = captureIo(env);
  const code = await runCli(argv, io);
  return { code, out: io.stdout.text, err: io.stderr.text };
}

describe("output paths", () => {
  it("refuses --output equal to --replay (also through a symlink and a hard link), and leaves the bundle intact", async () => {
    const link = join(tmp, "link.json");
    symlinkSync(bundle, link);
    const hard = join(tmp, "hard.json");
    linkSync(bundle, hard);
    for (const out of [bundle, link, hard, join(tmp, ".", "bundle.json")]) {
      const r = await run(["doctor", "--replay", bundle, "--output", out]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/--output .* is the same file as --replay/);
      expect(readFileSync(bundle, "utf8")).toBe(original);
    }
  });

  it("refuses --output equal to --config, and --save-evidence equal to --output", async () => {
    const cfg = join(tmp, "cfg.json");
    writeFileSync(cfg, "{}");
    const a = await run(["doctor", "--local", "--config", cfg, "--output", cfg]);
    expect(a.code).toBe(2);
    expect(a.err).toContain(`--output ${cfg} is the same file as --config ${cfg}`);
    expect(readFileSync(cfg, "utf8")).toBe("{}");
    const same = join(tmp, "same.json");
    const b = await run(["doctor", "--local", "--output", same, "--save-evidence", same]);
    expect(b.code).toBe(2);
    expect(b.err).toMatch(/--output .*same\.json is the same file as --save-evidence/);
    expect(existsSync(same)).toBe(false);
  });

  it("refuses an empty --output, --save-evidence and --config", async () => {
    for (const argv of [
      ["doctor", "--replay", bundle, "--output", ""],
      ["doctor", "--local", "--save-evidence", ""],
      ["doctor", "--replay", bundle, "--config", ""],
    ]) {
      const r = await run(argv);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/--(output|save-evidence|config): the (path|value) is empty/);
      expect(r.out).toBe("");
    }
  });

  it("finds a missing or unwritable output directory before gathering (--local would take seconds)", async () => {
    const t0 = Date.now();
    const r = await run(["doctor", "--local", "--save-evidence", join(tmp, "nope", "e.json")]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("does not exist");
    expect(Date.now() - t0).toBeLessThan(1000);
    const dir = join(tmp, "is-a-dir");
    const d = await run(["doctor", "--replay", bundle, "--output", tmp]);
    expect(d.code).toBe(2);
    expect(d.err).toContain("is a directory");
    expect(existsSync(dir)).toBe(false);
  });

  it.runIf(existsSync("/dev/full") && statSync("/dev/full").isCharacterDevice())(
    "--output /dev/full is a write error (exit 2), the report goes to stdout instead, and /dev/full stays a device",
    async () => {
      const r = await run(["doctor", "--replay", bundle, "--output", "/dev/full"]);
      expect(r.code).toBe(2);
      expect(r.err).toContain("--output /dev/full: cannot write (ENOSPC: no space left on the device)");
      expect(r.err).not.toContain("report written");
      expect(r.out).toContain("host.memory");
      expect(statSync("/dev/full").isCharacterDevice()).toBe(true);
      expect(readdirSync("/dev").filter((f) => f.endsWith(".tmp"))).toEqual([]);
    },
  );

  it("an output that fails after the pre-check (directory made read-only meanwhile is simulated by a file in the way) still prints the report", async () => {
    // A regular file as the "directory": the pre-check refuses it up front.
    const blocker = join(tmp, "blocker");
    writeFileSync(blocker, "");
    const r = await run(["doctor", "--replay", bundle, "--output", join(blocker, "r.txt")]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("is not a directory");
  });

  it.runIf(process.getuid?.() !== 0)("an unwritable directory is refused up front", async () => {
    const ro = mkdtempSync(join(tmp, "ro-"));
    chmodSync(ro, 0o500);
    const r = await run(["doctor", "--replay", bundle, "--output", join(ro, "r.txt")]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("cannot create files");
  });

  it("creds --write --path equal to --terraform-outputs is refused before anything is read", async () => {
    const tf = join(tmp, "tf.json");
    writeFileSync(tf, "{}");
    const r = await run(["creds", "--terraform-outputs", tf, "--write", "--path", tf, "--format", "netrc"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`--path ${tf} is the same file as --terraform-outputs`);
    expect(readFileSync(tf, "utf8")).toBe("{}");
  });
});

describe("conflicting flags are refused naming both", () => {
  const cases: Array<[string[], RegExp]> = [
    [["--local", "--stack", "s"], /--local and --stack cannot be combined/],
    [["--local", "--url", "https://x.example"], /--local and --url cannot be combined/],
    [["--local", "--secret-id", "s"], /--local and --secret-id cannot be combined/],
    [["--replay", bundle, "--stack", "s"], /--replay and --stack cannot be combined/],
    [["--replay", bundle, "--since", "2h"], /--replay and --since cannot be combined/],
    [
      ["--replay", bundle, "--terraform-outputs", bundle],
      /--replay and --terraform-outputs cannot be combined/,
    ],
    [["--replay", bundle, "--only", ""], /--only: no check id given/],
    [
      ["--replay", bundle, "--only", "host", "--skip", "host"],
      /--only host and --skip host together select no check/,
    ],
    [["--local", "--only", "efs"], /--only: unknown check or playbook "efs"/],
  ];
  for (const [argv, message] of cases) {
    it(`doctor ${argv.join(" ")}`, async () => {
      const r = await run(["doctor", ...argv]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(message);
      expect(r.out).toBe("");
    });
  }
});

describe("numbers on the command line are plain decimals in range", () => {
  for (const argv of [
    ["--local", "--samples", "1e1"],
    ["--local", "--samples", "0x3"],
    ["--local", "--samples", " 5"],
    ["--local", "--samples", "1"],
    ["--replay", bundle, "--threshold", "host.iowait.maxIowaitPercent=0x10"],
    ["--replay", bundle, "--threshold", "host.iowait.maxIowaitPercent=1e308"],
    ["--replay", bundle, "--threshold", "host.iowait.maxIowaitPercent=Infinity"],
    ["--replay", bundle, "--threshold", `host.iowait.maxIowaitPercent=1${"0".repeat(308)}`],
  ]) {
    it(`doctor ${argv.join(" ").slice(0, 80)} → exit 2`, async () => {
      const r = await run(["doctor", ...argv]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/--samples|--threshold/);
    });
  }

  for (const value of ["0x3", "1e1", "0", "3601", "2.5", " 5", ""]) {
    it(`--timeout ${JSON.stringify(value)} → exit 2 for doctor and creds, before anything is read`, async () => {
      const d = await run(["doctor", "--replay", bundle, "--timeout", value]);
      expect(d.code).toBe(2);
      expect(d.err).toMatch(
        value === ""
          ? /--timeout: the value is empty/
          : /--timeout: .* must be a whole number of seconds from 1 to 3600/,
      );
      expect(d.out).toBe("");
      // creds validates it before reaching for the secret (no AWS environment here: it would be exit 2 anyway, for another reason).
      const c = await run([
        "creds",
        "--secret-id",
        "s",
        "--url",
        "https://pypi.example.com",
        "--region",
        "eu-west-1",
        "--timeout",
        value,
      ]);
      expect(c.code).toBe(2);
      expect(c.err).toMatch(/^pypictl: --timeout: /);
    });
  }

  it("a decimal threshold in range still works", async () => {
    const r = await run([
      "doctor",
      "--replay",
      bundle,
      "--threshold",
      "host.iowait.maxIowaitPercent=15.5",
      "--format",
      "json",
    ]);
    expect(r.code).toBe(0);
  });
});

describe("the AWS environment is validated up front, naming the variable", () => {
  const cases: Array<[NodeJS.ProcessEnv, string[], string]> = [
    [{ AWS_ENDPOINT_URL: "not a url" }, [], "AWS_ENDPOINT_URL"],
    [{ AWS_ENDPOINT_URL: "ftp://127.0.0.1:21" }, [], "AWS_ENDPOINT_URL"],
    [{ AWS_ENDPOINT_URL_CLOUDWATCH: "::" }, [], "AWS_ENDPOINT_URL_CLOUDWATCH"],
    [{ AWS_ENDPOINT_URL: "http://user:pw@127.0.0.1:9" }, [], "AWS_ENDPOINT_URL"],
    [{ AWS_MAX_ATTEMPTS: "abc" }, [], "AWS_MAX_ATTEMPTS"],
    [{ AWS_MAX_ATTEMPTS: "0" }, [], "AWS_MAX_ATTEMPTS"],
    [{ AWS_REGION: "not a region!" }, [], "AWS_REGION"],
    [{}, ["--region", "not a region!"], "--region"],
  ];
  for (const [env, extra, name] of cases) {
    it(`${JSON.stringify(env)} ${extra.join(" ")} → exit 2 naming ${name}`, async () => {
      const d = await run(["doctor", "--stack", "pypiserver", ...extra], env);
      expect(d.code).toBe(2);
      expect(d.err).toMatch(new RegExp(`^pypictl: ${name}: `));
      expect(d.err).not.toContain("internal");
      expect(d.err).not.toContain("pw@");
      const c = await run(["creds", "--secret-id", "s", "--url", "https://pypi.example.com", ...extra], env);
      expect(c.code).toBe(2);
      expect(c.err).toMatch(new RegExp(`^pypictl: ${name}: `));
    });
  }

  it("accepts real region names", async () => {
    const { checkRegion } = await import("../../../src/cli/options/validate-env.js");
    for (const r of [
      "eu-west-1",
      "us-east-2",
      "us-gov-west-1",
      "cn-north-1",
      "ap-southeast-4",
      "us-isob-east-1",
      "eusc-de-east-1",
      "il-central-1",
    ])
      expect(() => checkRegion(r, "--region")).not.toThrow();
  });
});

describe("host paths", () => {
  for (const [flag, value] of [
    ["--mount-path", "data/packages"],
    ["--mount-path", ""],
    ["--package-dir", "/proc"],
    ["--package-dir", "/sys/kernel"],
    ["--package-dir", "//proc/"],
  ] as const) {
    it(`${flag} ${JSON.stringify(value)} → exit 2`, async () => {
      const r = await run(["doctor", "--local", flag, value]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(flag);
    });
  }
});
