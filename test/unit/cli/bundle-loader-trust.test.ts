import nodeModule from "node:module";
// What the code cache trusts (issue 26, item 3): cached code runs as code, and V8 given a damaged cache
// may crash rather than reject it. A cache is used only as this user's regular file in a private folder,
// checked by its own checksum before V8 sees it; a planted symlink, a FIFO, a shared folder or one altered
// byte cost only the cache, never the run. The process tests run the built CLI (bin/pypictl → the bundle).
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import {
  loadBundle,
  privateCacheDir,
  readOwnCache,
  sealCache,
  unsealCache,
  writeCache,
} from "../../../src/cli/bundle-loader.js";

const NODE_HAS_COMPILE_CACHE =
  typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === "function";

const root = join(import.meta.dirname, "..", "..", "..");
const example = join(root, "examples", "fleet-oom-kills.json");
const fresh = () => mkdtempSync(join(tmpdir(), "pypictl-cct-"));
const isRoot = process.getuid?.() === 0;

describe("sealCache / unsealCache", () => {
  it("gives back the data only when every byte is as written, for the same bundle", () => {
    const data = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7) % 256));
    const sealed = sealCache("bundle-a", data);
    expect(unsealCache("bundle-a", sealed)?.equals(data)).toBe(true);
    expect(unsealCache("bundle-b", sealed)).toBeUndefined();
    // One altered byte anywhere — header, checksum or data — and nothing reaches V8.
    for (let i = 0; i < sealed.length; i++) {
      const bad = Buffer.from(sealed);
      bad[i] = bad[i]! ^ 0x01;
      expect(unsealCache("bundle-a", bad), `byte ${i}`).toBeUndefined();
    }
    expect(unsealCache("bundle-a", sealed.subarray(0, sealed.length - 1))).toBeUndefined();
    expect(unsealCache("bundle-a", data)).toBeUndefined(); // an unsealed (old-format) cache
  });
});

describe("privateCacheDir", () => {
  it("makes the folder 0700 and accepts it", () => {
    const dir = join(fresh(), "pypictl", "v8");
    expect(privateCacheDir(dir)).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it("refuses a folder others can read or write, a symlink at either name, a non-sticky shared base", () => {
    const a = join(fresh(), "pypictl", "v8");
    mkdirSync(a, { recursive: true, mode: 0o700 });
    chmodSync(a, 0o755);
    expect(privateCacheDir(a)).toBe(false);

    const b = fresh();
    const elsewhere = fresh();
    mkdirSync(join(b, "pypictl"), { mode: 0o700 });
    symlinkSync(elsewhere, join(b, "pypictl", "v8"));
    expect(privateCacheDir(join(b, "pypictl", "v8"))).toBe(false);

    const c = fresh();
    mkdirSync(join(elsewhere, "v8"), { mode: 0o700 });
    symlinkSync(elsewhere, join(c, "pypictl"));
    expect(privateCacheDir(join(c, "pypictl", "v8"))).toBe(false);

    const d = fresh();
    mkdirSync(join(d, "pypictl"), { mode: 0o700 });
    chmodSync(join(d, "pypictl"), 0o777);
    expect(privateCacheDir(join(d, "pypictl", "v8"))).toBe(false);

    const shared = fresh();
    chmodSync(shared, 0o777);
    expect(privateCacheDir(join(shared, "pypictl", "v8"))).toBe(false);
    chmodSync(shared, 0o1777); // sticky, as /tmp: our folder in it cannot be renamed away by others
    expect(privateCacheDir(join(shared, "pypictl", "v8"))).toBe(true);
  });

  it.skipIf(!isRoot)("refuses a folder another user owns", () => {
    const dir = join(fresh(), "pypictl", "v8");
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chownSync(dir, 65534, 65534);
    expect(privateCacheDir(dir)).toBe(false);
  });
});

describe("readOwnCache", () => {
  it("reads this user's private regular file", () => {
    const f = join(fresh(), "c.bin");
    writeFileSync(f, "data", { mode: 0o600 });
    expect(readOwnCache(f)?.toString()).toBe("data");
  });

  it("does not follow a symlink, does not block on a FIFO, refuses a file others can read", () => {
    const dir = fresh();
    const target = join(dir, "target.bin");
    writeFileSync(target, "planted", { mode: 0o600 });
    symlinkSync(target, join(dir, "link.bin"));
    expect(readOwnCache(join(dir, "link.bin"))).toBeUndefined();
    const fifo = join(dir, "fifo.bin");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const t0 = Date.now();
    expect(readOwnCache(fifo)).toBeUndefined();
    expect(Date.now() - t0).toBeLessThan(1000);
    writeFileSync(join(dir, "open.bin"), "x", { mode: 0o644 });
    chmodSync(join(dir, "open.bin"), 0o644);
    expect(readOwnCache(join(dir, "open.bin"))).toBeUndefined();
  });

  it.skipIf(!isRoot)("refuses a file another user owns", () => {
    const f = join(fresh(), "c.bin");
    writeFileSync(f, "data", { mode: 0o600 });
    chownSync(f, 65534, 65534);
    expect(readOwnCache(f)).toBeUndefined();
  });
});

describe("writeCache", () => {
  it("replaces a symlink planted at the cache's name instead of writing through it", () => {
    const dir = join(fresh(), "pypictl", "v8");
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const victim = join(fresh(), "victim");
    writeFileSync(victim, "keep me");
    symlinkSync(victim, join(dir, "bare-abc.bin"));
    writeCache(dir, "bare-abc.bin", Buffer.from("cache"));
    expect(readFileSync(victim, "utf8")).toBe("keep me");
    expect(statSync(join(dir, "bare-abc.bin")).isFile()).toBe(true);
    expect(statSync(join(dir, "bare-abc.bin")).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(["bare-abc.bin"]); // no temp file left
  });

  it("writes nothing into a folder that is not private (a symlink to another folder)", () => {
    const base = fresh();
    const elsewhere = fresh();
    mkdirSync(join(base, "pypictl"), { mode: 0o700 });
    symlinkSync(elsewhere, join(base, "pypictl", "v8"));
    writeCache(join(base, "pypictl", "v8"), "bare-abc.bin", Buffer.from("cache"));
    expect(readdirSync(elsewhere)).toEqual([]);
  });
});

describe("loadBundle on a Node with module.enableCompileCache (≥ 22.1)", () => {
  const bundle = () => {
    const f = join(fresh(), "b.cjs");
    writeFileSync(f, "module.exports = { run: async () => {}, marker: 42 };");
    return f;
  };

  it("enables Node's own cache in the checked folder and requires the bundle as any CommonJS file", () => {
    const cacheHome = fresh();
    const enable = vi.fn();
    const exports = loadBundle(bundle(), {
      argv: ["--help"],
      env: { XDG_CACHE_HOME: cacheHome },
      enableCompileCache: enable,
    }) as unknown as { marker: number };
    expect(exports.marker).toBe(42);
    expect(enable).toHaveBeenCalledWith(join(cacheHome, "pypictl", "v8"));
  });

  it("runs without a cache when the folder is not private, or the cache is turned off", () => {
    const cacheHome = fresh();
    const elsewhere = fresh();
    mkdirSync(join(cacheHome, "pypictl"), { mode: 0o700 });
    symlinkSync(elsewhere, join(cacheHome, "pypictl", "v8"));
    const enable = vi.fn();
    loadBundle(bundle(), { argv: [], env: { XDG_CACHE_HOME: cacheHome }, enableCompileCache: enable });
    loadBundle(bundle(), { argv: [], env: { PYPICTL_NO_COMPILE_CACHE: "1" }, enableCompileCache: enable });
    expect(enable).not.toHaveBeenCalled();
  });
});

// On Node ≥ 22.1 the loader hands caching to module.enableCompileCache (Node's own files, checked by Node),
// so these process tests of our node:vm cache files apply to Node 20 only; the ≥ 22.1 path is tested above
// with a stand-in.
describe.skipIf(!existsSync(join(root, "dist", "bundle", "pypictl.cjs")) || NODE_HAS_COMPILE_CACHE)(
  "the built CLI with a hostile cache folder",
  () => {
    const run = (cacheHome: string, args: string[]) =>
      spawnSync(process.execPath, [join(root, "bin", "pypictl"), ...args], {
        encoding: "utf8",
        timeout: 20_000,
        env: { PATH: process.env.PATH, HOME: "/nonexistent", XDG_CACHE_HOME: cacheHome, NO_COLOR: "1" },
      });
    const replay = ["doctor", "--replay", example, "--format", "json"];
    const strip = (s: string) =>
      s.replace(/"generatedAt":\s*"[^"]*"/g, "").replace(/"durationMs":\s*\d+/g, "");
    const v8 = (home: string) => join(home, "pypictl", "v8");
    const only = (home: string) => {
      const names = readdirSync(v8(home)).filter((f) => f.endsWith(".bin"));
      expect(names).toHaveLength(1);
      return join(v8(home), names[0]!);
    };

    it("one altered byte in every part of a cache never reaches V8: same report, cache replaced", () => {
      const home = fresh();
      const plain = run(home, replay);
      const file = only(home);
      const good = readFileSync(file);
      // Bytes across the whole file: header, checksum, and V8's data — whose bytes 24, 28 and 40 (its own
      // header) crashed the unchecked loader with SIGTRAP/SIGSEGV (exit 133/139) on Node 20.20.
      const data = sealCache("x", Buffer.alloc(0)).length; // where V8's data starts
      const spots = [0, 25, data + 24, data + 28, data + 40, Math.floor(good.length / 2), good.length - 1];
      for (const at of spots) {
        const bad = Buffer.from(good);
        bad[at] = bad[at]! ^ 0xff;
        writeFileSync(file, bad, { mode: 0o600 });
        const r = run(home, replay);
        expect(r.status, `byte ${at}: ${r.stderr}`).toBe(plain.status);
        expect(strip(r.stdout)).toBe(strip(plain.stdout));
        expect(r.stderr).toBe("");
        expect(unsealCache("x", readFileSync(only(home)))).toBeUndefined(); // sanity: sealed per bundle
        expect(readFileSync(only(home)).equals(bad)).toBe(false);
      }
    }, 120_000); // eight whole-process runs: slow on a loaded 2-core machine

    it("a FIFO at the cache's name does not hang the run", () => {
      const home = fresh();
      const first = run(home, ["--help"]);
      const file = only(home);
      spawnSync("rm", [file]);
      expect(spawnSync("mkfifo", [file]).status).toBe(0);
      const t0 = Date.now();
      const r = run(home, ["--help"]);
      expect(r.error).toBeUndefined(); // not killed by the timeout
      expect(Date.now() - t0).toBeLessThan(10_000);
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(first.stdout);
    });

    it("a cache folder that is a symlink to another folder is neither read nor written", () => {
      const home = fresh();
      const elsewhere = fresh();
      mkdirSync(join(home, "pypictl"), { mode: 0o700 });
      symlinkSync(elsewhere, v8(home));
      const r = run(home, ["--help"]);
      expect(r.status).toBe(0);
      expect(readdirSync(elsewhere)).toEqual([]);
    });

    it("a cache folder others can read is not used: nothing written there", () => {
      const home = fresh();
      mkdirSync(v8(home), { recursive: true, mode: 0o700 });
      chmodSync(v8(home), 0o755);
      const r = run(home, ["--help"]);
      expect(r.status).toBe(0);
      expect(readdirSync(v8(home))).toEqual([]);
    });
  },
);
