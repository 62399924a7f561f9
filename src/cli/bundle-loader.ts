/**
 * Loads the one-file CommonJS bundle (dist/bundle/pypictl.cjs, scripts/build-bundle.mjs) with V8's code
 * cache, so a run does not compile the code it ran last time again (~60–130 ms of a run on Node 20,
 * scripts/bench-machinery.mjs).
 *
 * - Node ≥ 22.1 has this built in: module.enableCompileCache(dir), and the bundle is required as any
 *   CommonJS file (Node checks its cache entries against a checksum of their own).
 * - Node 20 has only node:vm's `cachedData`: the bundle is compiled through node:vm with a cache file of
 *   ours. When Node 20 goes (docs/node-floor.md), this half goes with it.
 * - Where: `$XDG_CACHE_HOME/pypictl/v8` or `~/.cache/pypictl/v8` (pip's convention). No usable home, or
 *   PYPICTL_NO_COMPILE_CACHE=1: no cache, the bundle is compiled as any script is.
 * - One cache per kind of run (a replay, a fleet run, creds…): a cache holds the functions its run
 *   compiled, so a replay's cache would not help a fleet run much, nor the other way round.
 *
 * Cached code runs as code, and V8 given a damaged cache can crash the process (SIGTRAP/SIGSEGV, exit
 * 133/139) rather than reject it — so a cache is used only when nothing about it is off (issue 26):
 * - the folder (and its pypictl parent) is a real directory, not a symlink, owned by this user; the v8
 *   folder private (0700); nobody else can write the parent;
 * - the file is opened with O_NOFOLLOW and O_NONBLOCK (a planted symlink is not followed, a FIFO does not
 *   block) and used only when fstat says: a regular file, this user's, readable by nobody else, not huge;
 * - its data carries a SHA-256 over this bundle's id and the data itself, checked before V8 sees a byte;
 * - a write goes to a fresh temp file (O_CREAT|O_EXCL|O_NOFOLLOW, 0600) in the checked folder, then rename.
 * Anything off means running without the cache; nothing here may fail a run.
 */
import { createHash, randomBytes } from "node:crypto";
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import nodeModule, { createRequire } from "node:module";
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
 * The id of this bundle's bytes on this Node: by content, not by size and mtime (npm gives every
 * installed file the same mtime, and V8 itself checks a cache against the source's length only, so
 * another build of the same length would run this one's code).
 */
export function bundleId(bundle: Uint8Array): string {
  return createHash("sha256")
    .update(bundle)
    .update([process.version, process.arch, process.execArgv.join(" ")].join("\n"))
    .digest("hex");
}

/** The cache file of this bundle (its id) and this kind of run. */
export function cacheFileName(id: string, kind: string): string {
  return `${kind}-${id.slice(0, 24)}.bin`;
}

const MAGIC = Buffer.from("pypictl-v8-cache 1\n", "latin1");
const DIGEST_BYTES = 32;
/** A code cache of the whole bundle is ~2–4 MiB; anything far larger is not ours. */
export const MAX_CACHE_BYTES = 64 * 1024 * 1024;

function digest(id: string, data: Uint8Array): Buffer {
  return createHash("sha256").update(id).update(data).digest();
}

/** The bytes of a cache file: a header, the SHA-256 over the bundle's id and the data, the data. */
export function sealCache(id: string, data: Uint8Array): Buffer {
  return Buffer.concat([MAGIC, digest(id, data), data]);
}

/** The data of a sealed cache when its header and checksum hold, else undefined. */
export function unsealCache(id: string, file: Uint8Array): Buffer | undefined {
  const f = Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  const head = MAGIC.length + DIGEST_BYTES;
  if (f.length <= head || !f.subarray(0, MAGIC.length).equals(MAGIC)) return undefined;
  const data = f.subarray(head);
  return digest(id, data).equals(f.subarray(MAGIC.length, head)) ? data : undefined;
}

/** The sticky bit (S_ISVTX, inode(7)): in such a folder only an entry's owner may rename or delete it. */
const STICKY = 0o1000;

const uid = (): number | undefined => process.getuid?.();

/** A real directory (lstat: not a symlink) owned by this user, with no mode bits in `forbidden`. */
function ownDir(dir: string, forbidden: number): boolean {
  const st = lstatSync(dir);
  const me = uid();
  return st.isDirectory() && (me === undefined || st.uid === me) && (st.mode & forbidden) === 0;
}

/**
 * The cache folder when it is safe to use: made 0700 if missing; then `pypictl/` must be this user's
 * and writable by nobody else, `pypictl/v8/` this user's and private (0700). Both are checked by lstat,
 * so a symlink planted at either name is refused, not followed. A base writable by others must be
 * sticky (as /tmp is), or another user could rename our folder away and put theirs in its place.
 */
export function privateCacheDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const parent = dirname(dir);
    const base = lstatSync(dirname(parent));
    if ((base.mode & 0o022) !== 0 && (base.mode & STICKY) === 0) return false;
    return ownDir(parent, 0o022) && ownDir(dir, 0o077);
  } catch {
    return false;
  }
}

/**
 * The cache file's bytes if it is this user's regular file, readable by nobody else and not too large.
 * O_NOFOLLOW: a symlink at the name is an error, not a redirection; O_NONBLOCK: a FIFO opens at once
 * (and fstat then refuses it) instead of blocking the run's start until a writer comes.
 */
export function readOwnCache(file: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    const me = uid();
    if (!st.isFile() || (me !== undefined && st.uid !== me) || (st.mode & 0o077) !== 0) return undefined;
    if (st.size > MAX_CACHE_BYTES) return undefined;
    const buf = Buffer.allocUnsafe(st.size);
    let at = 0;
    while (at < buf.length) {
      const n = readSync(fd, buf, at, buf.length - at, at);
      if (n === 0) return undefined; // shrank while read: not the file fstat described
      at += n;
    }
    return buf;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Write a sealed cache atomically: a temp file of a fresh random name made with O_EXCL|O_NOFOLLOW (never
 * an existing file, never through a symlink), 0600, renamed over the cache's name (rename replaces a
 * symlink there, never writes through it). Then drop this kind's caches of other builds.
 */
export function writeCache(dir: string, name: string, sealed: Uint8Array): void {
  let tmp: string | undefined;
  try {
    if (!privateCacheDir(dir)) return;
    const path = join(dir, `.${name}.${randomBytes(6).toString("hex")}.tmp`);
    const fd = openSync(
      path,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
      0o600,
    );
    tmp = path; // ours from here: removed if anything below fails
    try {
      for (let at = 0; at < sealed.length;) at += writeSync(fd, sealed, at, sealed.length - at);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, join(dir, name));
    tmp = undefined;
    const kind = name.slice(0, name.lastIndexOf("-") + 1);
    for (const f of readdirSync(dir))
      if (f !== name && f.startsWith(kind) && f.endsWith(".bin") && !f.slice(kind.length).includes("-"))
        unlinkSync(join(dir, f));
  } catch {
    // A cache is only ever an optimisation.
  } finally {
    if (tmp !== undefined)
      try {
        unlinkSync(tmp);
      } catch {
        // gone already
      }
  }
}

export interface LoadOptions {
  /** The command line (picks the cache of this kind of run). */
  argv: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** Node's module.enableCompileCache when this Node has it (≥ 22.1); tests pass their own. */
  enableCompileCache?: ((dir: string) => unknown) | undefined;
}

type NodeModuleWithCache = { enableCompileCache?: (dir: string) => unknown };

/** Evaluate the bundle at `file` (its entry's exports), with the code cache where there is one. */
export function loadBundle(file: string, opts: LoadOptions): BundleExports {
  const dir = compileCacheDir(opts.env ?? process.env);
  const builtIn =
    "enableCompileCache" in opts
      ? opts.enableCompileCache
      : (nodeModule as unknown as NodeModuleWithCache).enableCompileCache;
  if (builtIn) {
    // Node ≥ 22.1: its own cache, in the same checked folder (Node keeps one entry per file and checks it).
    if (dir && privateCacheDir(dir))
      try {
        builtIn(dir);
      } catch {
        // Without the cache.
      }
    return createRequire(file)(file) as BundleExports;
  }
  return loadWithVmCache(file, dir, opts.argv);
}

/** Node 20: the bundle compiled through node:vm with our own checked cache file. */
function loadWithVmCache(file: string, dir: string | undefined, argv: readonly string[]): BundleExports {
  const bytes = readFileSync(file);
  // The build writes pure ASCII (scripts/build-bundle.mjs): latin1 is exact, and a one-byte string.
  const source = bytes.toString("latin1");
  const usable = dir !== undefined && privateCacheDir(dir);
  const id = usable ? bundleId(bytes) : "";
  const name = usable ? cacheFileName(id, runKind(argv)) : undefined;
  const sealed = dir && name ? readOwnCache(join(dir, name)) : undefined;
  const cachedData = sealed ? unsealCache(id, sealed) : undefined;
  // The same wrapper Node gives a CommonJS file, so the bundle sees exports, require and __dirname.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  const hit = cachedData !== undefined && !script.cachedDataRejected;
  // At exit the run has compiled what it needed: that is what the next run of this kind will find. Not
  // when the folder is not usable (a read-only home): making the data would cost every run for nothing.
  if (dir && name && !hit)
    process.once("exit", () => writeCache(dir, name, sealCache(id, script.createCachedData())));
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
