/**
 * Every doctor mode honours --format or refuses it (issue 22): the listings print one JSON document that
 * matches its published schema, other formats exit 2; two modes at once exit 2 naming both; JSON mode prints
 * one JSON document even when the run ends in an error; `-o -` is stdout; a file's format follows --format,
 * else its extension, and a contradiction is refused.
 */
import { describe, expect, it, vi } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import AjvModule from "ajv";
import { runCli } from "../../../src/cli/main.js";
import { captureIo } from "../../helpers/io.js";
import { formatForOutput } from "../../../src/cli/options/output-flag.js";

const Ajv = AjvModule as unknown as typeof AjvModule.default;
const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new Map<string, ReturnType<typeof ajv.compile>>();
const schema = (name: string) => {
  let v = compiled.get(name);
  if (!v) {
    v = ajv.compile(JSON.parse(readFileSync(new URL(`../../../schemas/${name}`, import.meta.url), "utf8")));
    compiled.set(name, v);
  }
  return v;
};

async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const io = captureIo({ HOME: "/nonexistent", ...env });
  const code = await runCli(args, io);
  return { code, out: io.stdout.text, err: io.stderr.text };
}

function assertSchema(name: string, text: string): void {
  const validate = schema(name);
  const ok = validate(JSON.parse(text));
  expect(ok, ajv.errorsText(validate.errors)).toBe(true);
}

describe("listings honour --format", () => {
  const cases: Array<[string, string[], string]> = [
    ["--list", ["doctor", "--list"], "check-list.schema.json"],
    ["--explain", ["doctor", "--explain", "efs.burst-credits"], "explain.schema.json"],
    ["--examples", ["doctor", "--examples"], "examples.schema.json"],
    ["--print-iam-policy", ["doctor", "--print-iam-policy"], "iam-policy.schema.json"],
  ];
  for (const [name, args, schemaFile] of cases) {
    it(`${name} --format json: one document matching ${schemaFile}`, async () => {
      const r = await run([...args, "--format", "json"]);
      expect(r.code, r.err).toBe(0);
      assertSchema(schemaFile, r.out);
    });
    it(`${name} --format junit/markdown/html: refused with exit 2, nothing on stdout`, async () => {
      for (const f of ["junit", "markdown", "html"]) {
        const r = await run([...args, "--format", f]);
        expect(r.code).toBe(2);
        expect(r.out).toBe("");
        expect(r.err).toMatch(new RegExp(`--format ${f}: this listing is printed as human or json`));
      }
    });
  }

  it("--explain --format json with a typo: exit 2 with a suggestion", async () => {
    const r = await run(["doctor", "--explain", "efs.burst-credit", "--format", "json"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/Did you mean "efs.burst-credits"\?/);
    assertSchema("error.schema.json", r.out);
  });
});

describe("modes do not override each other", () => {
  it.each([
    [["--list", "--explain", "host.iowait"], /--list and --explain cannot be combined/],
    [["--examples", "--print-iam-policy"], /--examples and --print-iam-policy cannot be combined/],
    [["--list", "--replay", "example:fleet-oom-kills"], /--list and --replay cannot be combined/],
    [["--explain", "host.iowait", "--local"], /--explain and --local cannot be combined/],
  ])("doctor %j: exit 2 naming both", async (args, message) => {
    const r = await run(["doctor", ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe("");
  });
});

describe("JSON mode is always one JSON document", () => {
  it("the fleet cannot be read (AWS unreachable): the error inside, exit 3", async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const port = (srv.address() as { port: number }).port;
    await new Promise<void>((r) => srv.close(() => r()));
    const env = {
      AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
      AWS_SECRET_ACCESS_KEY: "secret",
      AWS_REGION: "eu-west-1",
      AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
      AWS_CONFIG_FILE: "/nonexistent/config",
      AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/credentials",
      AWS_EC2_METADATA_DISABLED: "true",
    };
    // The SDK's providers read process.env: both see the same fleet-less account.
    for (const [k, v] of Object.entries(env)) vi.stubEnv(k, v);
    let r;
    try {
      r = await run(["doctor", "--format", "json", "--timeout", "10"], env);
    } finally {
      vi.unstubAllEnvs();
    }
    expect(r.code, r.err).toBe(3);
    assertSchema("error.schema.json", r.out);
    expect(JSON.parse(r.out).error).toMatchObject({ kind: "incomplete", exitCode: 3 });
    expect(r.err).toMatch(/cannot read the outputs of stack/);
  });

  it("a bad input file: the error inside, exit 2", async () => {
    const r = await run(["doctor", "--replay", "/nonexistent/bundle.json", "--format", "json"]);
    expect(r.code).toBe(2);
    assertSchema("error.schema.json", r.out);
  });
});

describe("-o and the file's format", () => {
  it("-o - is stdout", async () => {
    const r = await run(["doctor", "--replay", "example:fleet-healthy", "--format", "json", "-o", "-"]);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).schemaVersion).toBe(1);
  });

  it("-o report.html writes HTML; --format json -o report.html is refused", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pypictl-fmt-"));
    const file = join(dir, "report.html");
    const r = await run(["doctor", "--replay", "example:fleet-healthy", "-o", file]);
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(file, "utf8")).toMatch(/^<!DOCTYPE html>/);
    const bad = await run(["doctor", "--replay", "example:fleet-healthy", "--format", "json", "-o", file]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/extension \.html is html, but --format is json/);
  });

  it("formatForOutput: --format, else the extension, else the default", () => {
    expect(formatForOutput(undefined, undefined, "human")).toBe("human");
    expect(formatForOutput("-", "json", "human")).toBe("json");
    expect(formatForOutput("r.xml", undefined, "human")).toBe("junit");
    expect(formatForOutput("r.MD", "markdown", "human")).toBe("markdown");
    expect(formatForOutput("report", "json", "human")).toBe("json");
    expect(() => formatForOutput("r.json", "html", "human")).toThrow(/extension \.json is json/);
  });

  it("--list -o checks.json writes the JSON catalogue", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pypictl-fmt-"));
    const file = join(dir, "checks.json");
    const r = await run(["doctor", "--list", "-o", file]);
    expect(r.code, r.err).toBe(0);
    assertSchema("check-list.schema.json", readFileSync(file, "utf8"));
  });
});
