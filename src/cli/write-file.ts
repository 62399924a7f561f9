/**
 * Output files are written whole or not at all: a temp file beside the target, flushed, closed, then renamed.
 * Every write, flush and close error is an error (a full disk must not end in "report written").
 *
 * Writes never follow another user's symlink (issue 26). Run as root, `-o /tmp/report` used to overwrite
 * whatever a symlink planted at /tmp/report pointed to, past the kernel's fs.protected_symlinks (the rename
 * was done on the resolved path). Now:
 * - a symlink at the path is followed only when it belongs to this user; one owned by anyone else is
 *   refused, and so is a dangling one (it is never replaced by a file, nor followed to create its target);
 * - the directory is opened once and the temp file is created and renamed relative to that descriptor
 *   (Linux: /proc/self/fd/N, the openat(2) of a language without it), so a directory swapped meanwhile is
 *   not the one written into; the temp file is created with O_EXCL|O_NOFOLLOW, so a name planted there
 *   fails instead of being followed;
 * - a file that is replaced keeps its mode and owner (creds files are always 0600);
 * - the temp file is removed when the write fails and when the process is interrupted (SIGINT/SIGTERM):
 *   a creds temp file holds the password.
 *
 * A target that exists and is not a regular file (a device such as /dev/full or /dev/stdout, a FIFO) is
 * written in place: renaming a temp file over it would replace the device node itself. A FIFO is opened
 * without blocking (no reader: an error at once) and written until `deadlineAt`.
 */
import { constants, existsSync } from "node:fs";
import { lstat, open, realpath, rename, rm, stat, type FileHandle } from "node:fs/promises";
import { randomBytes } from "node:crypto";
import { basename, dirname, resolve } from "node:path";
import { UsageError } from "../errors.js";
import { errnoLead } from "./os-errors.js";
import { trackTempFile } from "./temp-files.js";

export interface WriteOptions {
  /** The new file's mode when none exists (0644); given, it is always used (creds: 0600). */
  mode?: number;
  /** The flag that named the path, for messages. */
  flag?: string;
  /** When writing into a FIFO gives up (Date.now() ms); 30 s from the start by default. */
  deadlineAt?: number;
}

const FIFO_WAIT_MS = 30_000;
const PROC_FD = "/proc/self/fd";

const uid = () => (typeof process.geteuid === "function" ? process.geteuid() : undefined);

/** Where to write: the real file behind the path, after refusing symlinks that are not ours. */
export async function targetOf(path: string, flag: string): Promise<string> {
  const link = await lstat(path).catch(() => undefined);
  if (!link?.isSymbolicLink()) return path;
  const me = uid();
  if (me !== undefined && link.uid !== me)
    throw new UsageError(
      `${flag} ${path}: is a symbolic link owned by another user (uid ${link.uid}); refusing to follow it — remove it or give another path`,
      flag,
    );
  try {
    return await realpath(path);
  } catch {
    throw new UsageError(
      `${flag} ${path}: is a symbolic link to a file that does not exist; refusing to create its target — remove the link or give another path`,
      flag,
    );
  }
}

/** A path inside the opened directory: relative to its descriptor where /proc gives one, else by name. */
function inDir(dirFd: number | undefined, dir: string, name: string): string {
  return dirFd !== undefined ? `${PROC_FD}/${dirFd}/${name}` : resolve(dir, name);
}

export async function writeAtomic(
  path: string,
  content: string | Uint8Array,
  opts: WriteOptions = {},
): Promise<void> {
  const flag = opts.flag ?? "output";
  if (path === "") throw new UsageError(`${flag}: the path is empty`, flag);
  const real = await targetOf(path, flag);
  const existing = await lstat(real).catch(() => undefined);
  if (existing && !existing.isFile()) {
    if (existing.isDirectory()) throw new UsageError(`${flag} ${path}: is a directory`, flag);
    if (existing.isSymbolicLink())
      throw new UsageError(`${flag} ${path}: the link resolves to another link; refusing to follow it`, flag);
    await writeInPlace(real, content, path, flag, opts.deadlineAt ?? Date.now() + FIFO_WAIT_MS);
    return;
  }
  const dir = dirname(resolve(real));
  const name = basename(real);
  let dirHandle: FileHandle | undefined;
  try {
    dirHandle = existsSync(PROC_FD)
      ? await open(dir, constants.O_RDONLY | constants.O_DIRECTORY).catch(() => undefined)
      : undefined;
    const dirFd = dirHandle?.fd;
    // A short random name: a long target name must not make the temp name too long, nor guessable.
    const tmpName = `.pypictl-${process.pid}-${randomBytes(6).toString("hex")}.tmp`;
    const tmp = inDir(dirFd, dir, tmpName);
    const untrack = trackTempFile(resolve(dir, tmpName));
    try {
      const mode = opts.mode ?? (existing ? existing.mode & 0o7777 : 0o644);
      const fh = await open(
        tmp,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
        0o600,
      );
      try {
        await fh.writeFile(content);
        await fh.sync();
        // The replaced file's owner (as root, the report must not turn root's); mode after it (chown
        // clears setuid bits).
        if (existing) await fh.chown(existing.uid, existing.gid).catch(() => undefined);
        await fh.chmod(mode);
      } finally {
        await fh.close();
      }
      await rename(tmp, inDir(dirFd, dir, name));
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw e;
    } finally {
      untrack();
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw writeError(e, path, flag);
  } finally {
    await dirHandle?.close();
  }
}

/** A device or FIFO, written where it is; a FIFO without blocking the process past the deadline. */
async function writeInPlace(
  real: string,
  content: string | Uint8Array,
  path: string,
  flag: string,
  deadlineAt: number,
): Promise<void> {
  const info = await stat(real).catch(() => undefined);
  const fifo = info?.isFIFO() === true;
  let fh: FileHandle | undefined;
  try {
    fh = await open(
      real,
      constants.O_WRONLY | constants.O_NOFOLLOW | (fifo ? constants.O_NONBLOCK : 0) | constants.O_TRUNC,
    );
    const bytes = Buffer.from(content);
    let at = 0;
    while (at < bytes.length) {
      try {
        const { bytesWritten } = await fh.write(bytes, at, Math.min(65_536, bytes.length - at));
        at += bytesWritten;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
        if (Date.now() > deadlineAt)
          throw new UsageError(
            `${flag} ${path}: the reader of the FIFO took no data for too long (${Math.round(FIFO_WAIT_MS / 1000)} s limit)`,
            flag,
          );
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    if ((e as NodeJS.ErrnoException).code === "ENXIO")
      throw new UsageError(`${flag} ${path}: a FIFO with no reader; nothing written`, flag);
    throw writeError(e, path, flag);
  } finally {
    await fh?.close();
  }
}

/** "--output /x: cannot write (ENOSPC: no space left on the device)". */
export function writeError(e: unknown, path: string, flag: string): UsageError {
  const code = (e as NodeJS.ErrnoException).code;
  return new UsageError(
    `${flag} ${path}: cannot write (${code ? errnoLead(code) : (e as Error).message})`,
    flag,
  );
}

/**
 * Copy `from` to `to` (creds' `<file>.bak`) with the same care: never through a symlink at `to` that is
 * not ours, written whole through a temp file, mode 0600 (it holds the old password).
 */
export async function copyAtomic(from: string, to: string, flag: string): Promise<void> {
  const { readFile } = await import("node:fs/promises");
  await writeAtomic(to, await readFile(from), { mode: 0o600, flag });
}
