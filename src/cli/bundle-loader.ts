/**
 * Loads the one-file CommonJS bundle (dist/bundle/pypictl.cjs, scripts/build-bundle.mjs) with V8's code
 * cache, so a run does not compile the code it ran last time again. Node ≥ 22.1 has this built in for
 * files it loads itself (module.enableCompileCache); Node 20 has only node:vm's `cachedData`, which is
 * what this uses on every version.
 *
 * - Where: `$XDG_CACHE_HOME/pypictl/v8` or `~/.cache/pypictl/v8` (pip's convention). No usable home, or
 *   PYPICTL_NO_COMPILE_CACHE=1: no cache, the bundle is compiled as any script is.
 * - One cache per kind of run (a replay, a fleet run, creds…): a cache holds the functions its run
 *   compiled, so a replay's cache would not help a fleet run much, nor the other way round.
 * - A cache is written once, after the first run of its kind, and again only when V8 rejects it (another
 *   Node version, other flags, another build). It is never trusted blindly: V8 checks it against the
 *   source and itself, and a file not owned by this user, or writable by others, is not read (cached code
 *   runs as code).
 * - Nothing here may fail a run: any trouble with the cache means running without it.
 */
import { createHash } from "node:crypto";
import {
  accessSync,
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { Script } from "node:vm";

export interface BundleExports {
  run(argv: readonly string[]): Promise<void>;
}

/** The cache folder, or undefined when there is none to use. */
export function compileCacheDir(
  env: NodeJS.ProcessEnv = process.env,
  home: () => string = homedir,
): string | undefined {
  if (env.PYPICTL_NO_COMPILE_CACHE === "1" || env.PYPICTL_NO_COMPILE_CACHE === "true") return undefined;
  let base = env.XDG_CACHE_HOME && env.XDG_CACHE_HOME.startsWith("/") ? env.XDG_CACHE_HOME : undefined;
  if (!base) {
    let h: string;
    try {
      h = home();
    } catch {
      return undefined;
    }
    if (!h || !h.startsWith("/")) return undefined;
    base = join(h, ".cache");
  }
  return join(base, "pypictl", "v8");
}

/**
 * What kind of run this is, for the cache's name: the command, and for doctor where its evidence comes
 * from. A coarse key on purpose: the same few files for every run of a kind.
 */
export function runKind(argv: readonly string[]): string {
  const command = argv.find((a) => !a.startsWith("-")) ?? "bare";
  if (!/^[a-z][a-z0-9-]{0,30}$/.test(command)) return "other";
  if (command !== "doctor") return command;
  if (argv.some((a) => a === "--replay" || a.startsWith("--replay="))) return "doctor-replay";
  if (argv.includes("--local")) return "doctor-local";
  return "doctor";
}

/**
 * The cache file of this bundle's bytes, this Node and this kind of run. By content, not by size and
 * mtime: npm gives every installed file the same mtime, and V8 itself checks a cache against the
 * source's length only, so another build of the same length would run this one's code.
 */
export function cacheFileName(bundle: Uint8Array, kind: string): string {
  const id = createHash("sha256")
    .update(bundle)
    .update([process.version, process.arch, process.execArgv.join(" ")].join("\n"))
    .digest("hex")
    .slice(0, 24);
  return `${kind}-${id}.bin`;
}

/** The cached data at `file` if it is this user's and nobody else can write it; otherwise undefined. */
function readOwnCache(file: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const st = fstatSync(fd);
    const uid = process.getuid?.();
    if (!st.isFile() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0) return undefined;
    return readFileSync(fd);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The folder exists (made 0700 if not) and this user can write it. */
function writableDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Write atomically (temp file, rename), 0600 in a 0700 folder; drop this kind's caches of other builds. */
function writeCache(dir: string, name: string, data: Buffer): void {
  try {
    const tmp = join(dir, `.${name}.${process.pid}.tmp`);
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, join(dir, name));
    const kind = name.slice(0, name.lastIndexOf("-") + 1);
    for (const f of readdirSync(dir))
      if (f !== name && f.startsWith(kind) && f.endsWith(".bin") && !f.slice(kind.length).includes("-"))
        unlinkSync(join(dir, f));
  } catch {
    // A cache is only ever an optimisation.
  }
}

export interface LoadOptions {
  /** The command line (picks the cache of this kind of run). */
  argv: readonly string[];
  env?: NodeJS.ProcessEnv;
}

/** Evaluate the bundle at `file` (its entry's exports), with the code cache where there is one. */
export function loadBundle(file: string, opts: LoadOptions): BundleExports {
  const bytes = readFileSync(file);
  // The build writes pure ASCII (scripts/build-bundle.mjs): latin1 is exact, and a one-byte string.
  const source = bytes.toString("latin1");
  const dir = compileCacheDir(opts.env ?? process.env);
  const name = dir ? cacheFileName(bytes, runKind(opts.argv)) : undefined;
  const cachedData = dir && name ? readOwnCache(join(dir, name)) : undefined;
  // The same wrapper Node gives a CommonJS file, so the bundle sees exports, require and __dirname.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const hit = cachedData !== undefined && !script.cachedDataRejected;
  // At exit the run has compiled what it needed: that is what the next run of this kind will find. Not
  // when the folder cannot be written (a read-only home): making the data would cost every run for nothing.
  if (dir && name && !hit && writableDir(dir))
    process.once("exit", () => writeCache(dir, name, script.createCachedData()));
  const module = { exports: {} as BundleExports };
  const fn = script.runInThisContext() as (
    e: unknown,
    r: NodeRequire,
    m: unknown,
    f: string,
    d: string,
  ) => void;
  fn.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return module.exports;
}
