/**
 * Issue 26, item 2: writes never follow other users' symlinks. As root in a sticky, world-writable
 * directory (as /tmp), a symlink another user planted at the output path is refused, a dangling one too,
 * our own is followed (the link stays); a replaced file keeps its mode and owner; no temp file is left,
 * also when the process is interrupted.
 */
import {
  chmodSync,
  existsSync,
  lchownSync,
  lstatSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../../src/cli/main.js";
import { copyAtomic, writeAtomic } from "../../../src/cli/write-file.js";
import { pendingTempFiles, trackTempFile } from "../../../src/cli/temp-files.js";
import { captureIo } from "../../helpers/io.js";

const root = process.geteuid?.() === 0;
const NOBODY = 65534;
const base = mkdtempSync(join(tmpdir(), "pypictl-links-"));

function stickyDir(name: string): string {
  const d = join(base, name);
  mkdirSync(d);
  chmodSync(d, 0o1777);
  return d;
}

async function doctorTo(flag: string, path: string) {
  const io = captureIo();
  const argv =
    flag === "--save-evidence"
      ? ["doctor", "--local", "--only", "host.memory-available", "--save-evidence", path, "--timeout", "20"]
      : ["doctor", "--replay", "example:fleet-healthy", flag, path];
  const code = await runCli(argv, io);
  return { code, out: io.stdout.text, err: io.stderr.text };
}

const temps = (d: string) => readdirSync(d).filter((f) => f.endsWith(".tmp"));

describe.runIf(root)("a symlink planted by another user (run as root)", () => {
  for (const flag of ["--output", "--save-evidence"]) {
    it(`${flag} refuses it and leaves its target alone`, async () => {
      const d = stickyDir(`planted${flag}`);
      const victim = join(base, `victim${flag}`);
      writeFileSync(victim, "precious\n");
      const link = join(d, "report.txt");
      symlinkSync(victim, link);
      lchownSync(link, NOBODY, NOBODY);
      const r = await doctorTo(flag, link);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/is a symbolic link owned by another user \(uid 65534\); refusing to follow it/);
      expect(readFileSync(victim, "utf8")).toBe("precious\n");
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(temps(d)).toEqual([]);
    }, 30_000);
  }

  it("creds --write refuses a planted <file>.bak and writes nothing", async () => {
    const d = stickyDir("bak");
    const file = join(d, "pip.conf");
    writeFileSync(file, "[global]\n");
    const victim = join(base, "victim-bak");
    writeFileSync(victim, "precious\n");
    symlinkSync(victim, `${file}.bak`);
    lchownSync(`${file}.bak`, NOBODY, NOBODY);
    await expect(copyAtomic(file, `${file}.bak`, "--write")).rejects.toThrow(/owned by another user/);
    expect(readFileSync(victim, "utf8")).toBe("precious\n");
  });
});

describe("our own files and links", () => {
  it("a symlink of our own is followed: its target is replaced and the link stays", async () => {
    const d = mkdtempSync(join(base, "own-"));
    const target = join(d, "real.txt");
    writeFileSync(target, "old\n");
    const link = join(d, "link.txt");
    symlinkSync(target, link);
    await writeAtomic(link, "new\n", { flag: "--output" });
    expect(readFileSync(target, "utf8")).toBe("new\n");
    expect(readlinkSync(link)).toBe(target);
    expect(temps(d)).toEqual([]);
  });

  it("a dangling symlink is refused, not replaced by a file nor followed to create its target", async () => {
    const d = mkdtempSync(join(base, "dangling-"));
    const link = join(d, "out.txt");
    symlinkSync(join(d, "nowhere", "x.txt"), link);
    const r = await doctorTo("--output", link);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/is a symbolic link to a file that does not exist; refusing/);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(existsSync(join(d, "nowhere"))).toBe(false);
    // Refused before anything ran.
    expect(r.out).toBe("");
  });

  it("a replaced output keeps its mode and (as root) its owner", async () => {
    const d = mkdtempSync(join(base, "mode-"));
    const file = join(d, "report.md");
    writeFileSync(file, "old\n");
    chmodSync(file, 0o640);
    if (root) chownSync(file, NOBODY, NOBODY);
    await writeAtomic(file, "new\n", { flag: "--output" });
    const st = statSync(file);
    expect(st.mode & 0o7777).toBe(0o640);
    if (root) expect([st.uid, st.gid]).toEqual([NOBODY, NOBODY]);
    // A creds file is 0600 whatever it was.
    await writeAtomic(file, "secret\n", { flag: "--write", mode: 0o600 });
    expect(statSync(file).mode & 0o7777).toBe(0o600);
  });

  it("a new output under a very long name has a short temp name and fails in words", async () => {
    const d = mkdtempSync(join(base, "long-"));
    await expect(writeAtomic(join(d, "a".repeat(300)), "x", { flag: "--output" })).rejects.toThrow(
      /--output .*: cannot write \(ENAMETOOLONG: the file name is too long\)/,
    );
    expect(temps(d)).toEqual([]);
  });
});

describe("temp files on interruption", () => {
  it("are tracked only while a write is under way", async () => {
    const d = mkdtempSync(join(base, "track-"));
    await writeAtomic(join(d, "x.txt"), "x");
    expect(pendingTempFiles()).toEqual([]);
    expect(process.listenerCount("SIGTERM")).toBe(0);
  });

  it("SIGINT or SIGTERM removes a temp file (a creds temp file holds the password)", () => {
    const d = mkdtempSync(join(base, "signal-"));
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      const tmp = join(d, `.pypictl-${signal}.tmp`);
      writeFileSync(tmp, "password=hunter2\n", { mode: 0o600 });
      const untrack = trackTempFile(tmp);
      // Another listener stands in for --watch's: the handler then does not end the test process.
      const keep = () => undefined;
      process.on(signal, keep);
      try {
        process.emit(signal, signal);
      } finally {
        process.off(signal, keep);
        untrack();
      }
      expect(existsSync(tmp)).toBe(false);
    }
    expect(process.listenerCount("SIGINT")).toBe(0);
  });
});
