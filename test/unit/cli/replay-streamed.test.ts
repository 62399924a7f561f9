/**
 * `doctor --replay FILE` reads the bundle in chunks (issue 12: the file is never held whole). What it reads
 * is what parseBundle reads from the whole text, its errors are parseBundle's (a bundle that is not JSON is
 * located by line and column, never quoted), and a bundle from a pipe, which cannot be read twice, still
 * replays and still gets its error located.
 */
import { execFileSync } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../../src/cli/main.js";
import { parseBundle, readBundle } from "../../../src/evidence/bundle.js";
import { captureIo } from "../../helpers/io.js";

const tmp = mkdtempSync(join(tmpdir(), "pypictl-replay-streamed-"));
const example = (name: string) => readFileSync(join(import.meta.dirname, "../../../examples", name), "utf8");

async function replay(file: string) {
  const io = captureIo();
  const code = await runCli(["doctor", "--replay", file, "--format", "json"], io);
  return { code, out: io.stdout.text.replace(/"generatedAt": "[^"]*"/, ""), err: io.stderr.text };
}

/** fleet-healthy with every series repeated under new names (its checks read them all): over 3 MiB. */
function bigBundleText(): string {
  const b = JSON.parse(example("fleet-healthy.json"));
  const series = b.sources["cloudwatch.metrics"].value.series;
  for (const [id, s] of Object.entries(series)) for (let k = 0; k < 120; k++) series[`${id}.copy-${k}`] = s;
  return JSON.stringify(b);
}

/** A `read` for readBundle that gives `bytes` at most `size` at a time, as a file read does. */
function chunksOf(bytes: Buffer, size: number) {
  let at = 0;
  return (into: Buffer) => {
    const n = bytes.copy(into, 0, at, Math.min(bytes.length, at + size));
    at += n;
    return Promise.resolve(n);
  };
}
const neverReadWhole = () => Promise.reject(new Error("read whole"));

async function errorOf(p: () => unknown): Promise<string> {
  try {
    await p();
  } catch (e) {
    return (e as Error).message;
  }
  return "no error";
}

describe("the bundle read in chunks", () => {
  const text = bigBundleText();
  const bytes = Buffer.from(text);

  it("is the bundle parseBundle reads from the whole text, in chunks of any size", async () => {
    expect(bytes.length).toBeGreaterThan(3 << 20);
    const whole = parseBundle(text, "b.json");
    for (const size of [4096, 65_536, 1 << 20, 1 << 22])
      expect(await readBundle(chunksOf(bytes, size), "b.json", neverReadWhole)).toStrictEqual(whole);
  });

  it("fails as parseBundle does, for a value out of place and for text that is not JSON", async () => {
    const bad = Buffer.from(text.replace('"schemaVersion":1', '"schemaVersion":"1"'));
    const message = await errorOf(() => parseBundle(bad, "b.json"));
    expect(message).toMatch(/b\.json: schemaVersion: must be a number/);
    expect(await errorOf(() => readBundle(chunksOf(bad, 65_536), "b.json", neverReadWhole))).toBe(message);
    // Cut short in the middle of the points: the error needs the whole text, read again for it.
    const cut = bytes.subarray(0, bytes.length >> 1);
    const notJson = await errorOf(() => parseBundle(cut, "b.json"));
    expect(notJson).toMatch(/b\.json: not valid JSON: .* at line 1, column \d+/);
    expect(await errorOf(() => readBundle(chunksOf(cut, 65_536), "b.json", () => Promise.resolve(cut)))).toBe(
      notJson,
    );
  });

  it("replays a bundle of several chunks as it replays its pretty-printed text", async () => {
    const compact = join(tmp, "big.json");
    const pretty = join(tmp, "big-pretty.json");
    writeFileSync(compact, text);
    writeFileSync(pretty, JSON.stringify(JSON.parse(text), null, 2));
    const a = await replay(compact);
    expect(a.err).toBe("");
    expect(a.code).toBe(0);
    expect(a.out).toBe((await replay(pretty)).out.replaceAll(pretty, compact));
  });

  it("stops a bundle that is not JSON with exit 2, located and not quoted", async () => {
    const file = join(tmp, "cut.json");
    writeFileSync(file, bytes.subarray(0, (bytes.length >> 1) + 7));
    const r = await replay(file);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cut\.json: not valid JSON: .* at line 1, column \d+/);
    expect(r.err.length).toBeLessThan(400);
  });

  it.skipIf(process.platform === "win32")("replays from a pipe, which is read once", async () => {
    for (const [content, code, err] of [
      [example("fleet-healthy.json"), 0, /^$/],
      ['{"kind": "pypictl-evidence",', 2, /pipe-2: not valid JSON: .* at line 1, column \d+/],
    ] as const) {
      const fifo = join(tmp, `pipe-${code}`);
      execFileSync("mkfifo", [fifo]);
      const writer = createWriteStream(fifo);
      writer.end(content);
      const r = await replay(fifo);
      expect(r.err).toMatch(err);
      expect(r.code).toBe(code);
    }
  });
});
