import nodeModule from "node:module";
// The one-file bundle's loader (src/cli/bundle-loader.ts): where its V8 code cache lives, what it trusts,
// and that a cache only ever makes a run faster — never different, never failed. The process tests run
// the built CLI (bin/pypictl → dist/bundle/pypictl.cjs) with a cache folder of their own.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compileCacheDir, runKind } from "../../../src/cli/bundle-loader.js";

const NODE_HAS_COMPILE_CACHE =
  typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === "function";

const root = join(import.meta.dirname, "..", "..", "..");
const example = join(root, "examples", "fleet-oom-kills.json");

describe("compileCacheDir", () => {
  it("follows pip: $XDG_CACHE_HOME when absolute, else ~/.cache; off when asked or without a home", () => {
    expect(compileCacheDir({ XDG_CACHE_HOME: "/x/cache" }, () => "/home/u")).toBe("/x/cache/pypictl/v8");
    expect(compileCacheDir({ XDG_CACHE_HOME: "rel/cache" }, () => "/home/u")).toBe(
      "/home/u/.cache/pypictl/v8",
    );
    expect(compileCacheDir({}, () => "/home/u")).toBe("/home/u/.cache/pypictl/v8");
    expect(
      compileCacheDir({ PYPICTL_NO_COMPILE_CACHE: "1", XDG_CACHE_HOME: "/x" }, () => "/home/u"),
    ).toBeUndefined();
    expect(compileCacheDir({}, () => "")).toBeUndefined();
    expect(
      compileCacheDir({}, () => {
        throw new Error("no passwd entry");
      }),
    ).toBeUndefined();
  });
});

describe("runKind", () => {
  it("one cache per command, and per evidence source for doctor", () => {
    expect(runKind(["doctor", "--replay", "x.json"])).toBe("doctor-replay");
    expect(runKind(["doctor", "--replay=x.json"])).toBe("doctor-replay");
    expect(runKind(["doctor", "--local"])).toBe("doctor-local");
    expect(runKind(["doctor", "--stack", "s"])).toBe("doctor");
    expect(runKind(["creds", "--stack", "s"])).toBe("creds");
    expect(runKind(["--version"])).toBe("bare");
    // Whatever a user types cannot become a path.
    expect(runKind(["../../etc/passwd"])).toBe("other");
  });
});

// On Node ≥ 22.1 the loader hands caching to module.enableCompileCache (Node's own files, checked by Node),
// so these process tests of our node:vm cache files apply to Node 20 only; the ≥ 22.1 path is tested above
// with a stand-in.
describe.skipIf(!existsSync(join(root, "dist", "bundle", "pypictl.cjs")) || NODE_HAS_COMPILE_CACHE)(
  "the built CLI with a code cache",
  () => {
    const run = (cacheHome: string, args: string[], env: NodeJS.ProcessEnv = {}) =>
      spawnSync(process.execPath, [join(root, "bin", "pypictl"), ...args], {
        encoding: "utf8",
        env: {
          PATH: process.env.PATH,
          HOME: "/nonexistent",
          XDG_CACHE_HOME: cacheHome,
          NO_COLOR: "1",
          ...env,
        },
      });
    const files = (cacheHome: string) => {
      const dir = join(cacheHome, "pypictl", "v8");
      return existsSync(dir) ? readdirSync(dir).sort() : [];
    };

    it("the first run writes its kind's cache (0600 in a 0700 folder); the next finds it and leaves it be", () => {
      const home = mkdtempSync(join(tmpdir(), "pypictl-cc-"));
      const plain = run(home, ["doctor", "--replay", example, "--format", "json"], {
        PYPICTL_NO_COMPILE_CACHE: "1",
      });
      expect(files(home)).toEqual([]);
      const first = run(home, ["doctor", "--replay", example, "--format", "json"]);
      const [name] = files(home);
      expect(name).toMatch(/^doctor-replay-[0-9a-f]{24}\.bin$/);
      const file = join(home, "pypictl", "v8", name!);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(join(home, "pypictl", "v8")).mode & 0o777).toBe(0o700);
      const before = statSync(file);
      const second = run(home, ["doctor", "--replay", example, "--format", "json"]);
      expect(statSync(file).mtimeMs).toBe(before.mtimeMs);
      expect(statSync(file).ino).toBe(before.ino);
      // Same report, byte for byte apart from when it ran, with or without a cache.
      const strip = (s: string) =>
        s.replace(/"generatedAt":\s*"[^"]*"/g, "").replace(/"durationMs":\s*\d+/g, "");
      expect(first.status).toBe(plain.status);
      expect(second.status).toBe(plain.status);
      expect(strip(second.stdout)).toBe(strip(plain.stdout));
      expect(strip(first.stdout)).toBe(strip(plain.stdout));
      // Another kind of run keeps its own cache.
      expect(run(home, ["--help"]).status).toBe(0);
      expect(files(home)).toEqual([expect.stringMatching(/^bare-[0-9a-f]{24}\.bin$/), name]);
    });

    it("a cache V8 rejects (garbage, another build) is replaced; one others can write is never read", () => {
      const home = mkdtempSync(join(tmpdir(), "pypictl-cc-"));
      const ok = run(home, ["--help"]);
      expect(ok.status).toBe(0);
      const [name] = files(home);
      const file = join(home, "pypictl", "v8", name!);
      const garbage = Buffer.alloc(4096, 0x41);
      writeFileSync(file, garbage, { mode: 0o600 });
      const r = run(home, ["--help"]);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(ok.stdout);
      expect(r.stderr).toBe("");
      expect(readFileSync(file).equals(garbage)).toBe(false);
      // A good cache made group-writable: somebody else could have put code there. V8 would accept it, so
      // only the loader's own check keeps it from running: it is not read, and is replaced by a fresh one.
      chmodSync(file, 0o666);
      const ino = statSync(file).ino;
      const w = run(home, ["--help"]);
      expect(w.status).toBe(0);
      expect(w.stdout).toBe(ok.stdout);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(file).ino).not.toBe(ino);
    });

    it("--version reads no bundle and writes no cache (the entry answers it from package.json)", () => {
      const home = mkdtempSync(join(tmpdir(), "pypictl-cc-"));
      const r = run(home, ["--version"]);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^\d+\.\d+\.\d+/);
      expect(files(home)).toEqual([]);
    });

    it("a cache folder it cannot write costs nothing but the cache", () => {
      const home = mkdtempSync(join(tmpdir(), "pypictl-cc-"));
      writeFileSync(join(home, "pypictl"), "a file where the folder would go");
      const r = run(home, ["doctor", "--replay", example, "--format", "json"]);
      expect([0, 1]).toContain(r.status);
      expect(r.stderr).toBe("");
      expect(JSON.parse(r.stdout)).toHaveProperty("findings");
    });
  },
);
