/**
 * One exit-code table for every command (issue 22): the README's table and --help are the table in
 * src/cli/exit-codes.ts, and the codes that drifted are pinned by running the CLI: an unexpected exception
 * is 4 (never 1, "a check failed"), an unreachable index in `creds --check` is 3 as unreachable AWS is in
 * doctor, and `destroy` off a terminal without --yes is 2 naming --yes.
 */
import { describe, expect, it } from "vitest";
import { readFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXIT, EXIT_CODES_HELP, EXIT_TABLE } from "../../../src/cli/exit-codes.js";
import { runCli } from "../../../src/cli/main.js";
import { credsCheckExit } from "../../../src/cli/commands/creds-run.js";
import { captureIo } from "../../helpers/io.js";

const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");

/** A port on 127.0.0.1 that nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe("one exit-code table", () => {
  it("the README's table is EXIT_TABLE, row for row", () => {
    const section = readme.slice(readme.indexOf("## Exit codes"), readme.indexOf("## Output formats"));
    const rows = [...section.matchAll(/^\| (\d) \| (.+) \|$/gm)].map((m) => ({
      code: Number(m[1]),
      meaning: m[2],
    }));
    expect(rows).toEqual(EXIT_TABLE.map((r) => ({ code: r.code, meaning: r.meaning })));
  });

  it("every code is distinct and listed in --help", () => {
    const codes = EXIT_TABLE.map((r) => r.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes).toEqual(Object.values(EXIT).sort());
    for (const r of EXIT_TABLE) expect(EXIT_CODES_HELP).toMatch(new RegExp(`^  ${r.code}  `, "m"));
    for (const line of EXIT_CODES_HELP.split("\n")) expect(line.length).toBeLessThanOrEqual(80);
  });

  it("an unexpected exception is an internal error (4), not a failed check (1)", async () => {
    const io = captureIo();
    io.stdout.write = () => {
      throw new TypeError("boom");
    };
    expect(await runCli(["doctor", "--examples"], io)).toBe(EXIT.internal);
    expect(io.stderr.text).toMatch(/internal error: boom/);
    expect(io.stderr.text).toMatch(/PYPICTL_DEBUG=1/);
  });

  it("destroy off a terminal without --yes: exit 2 naming --yes, before any AWS call", async () => {
    const io = captureIo({ AWS_REGION: "eu-west-1" });
    expect(await runCli(["destroy"], io)).toBe(EXIT.usage);
    expect(io.stderr.text).toMatch(/--yes/);
  });

  it("creds --check against an index that is not there: exit 3, as doctor for unreachable AWS", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pypictl-exit-"));
    const tf = join(dir, "outputs.json");
    const port = await closedPort();
    writeFileSync(
      tf,
      JSON.stringify({
        pypi_server_urls: { value: [`http://127.0.0.1:${port}`] },
        pypi_username: { value: "u", sensitive: true },
        pypi_password: { value: "not-a-real-password", sensitive: true },
      }),
    );
    const io = captureIo({ HOME: dir });
    expect(await runCli(["creds", "--terraform-outputs", tf, "--check", "--timeout", "5"], io)).toBe(
      EXIT.incomplete,
    );
    expect(io.stdout.text).toMatch(/connection refused/);
    // Its own header, no window, and the glance names the fault, not a response time.
    expect(io.stdout.text).toMatch(/^pypictl creds --check — http:\/\/127\.0\.0\.1:/);
    expect(io.stdout.text).not.toMatch(/window/);
    expect(io.stdout.text).toMatch(/auth: .*index protected: unreachable/);
  });

  it("creds --check: a real failure next to an unreachable endpoint is still 1", () => {
    const unreachable = { status: "fail", messageId: "unreachable" };
    expect(credsCheckExit([unreachable], EXIT.failed)).toBe(EXIT.incomplete);
    expect(credsCheckExit([unreachable, { status: "fail", messageId: "rejected" }], EXIT.failed)).toBe(
      EXIT.failed,
    );
    expect(credsCheckExit([{ status: "pass", messageId: "ok" }], EXIT.ok)).toBe(EXIT.ok);
  });
});
