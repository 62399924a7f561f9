/**
 * Output files are written whole or not at all: a temp file beside the target, flushed, closed, then renamed.
 * Every write, flush and close error is an error (a full disk must not end in "report written").
 *
 * A target that exists and is not a regular file (a device such as /dev/full or /dev/stdout, a FIFO) is
 * written in place: renaming a temp file over it would replace the device node itself (as root, that
 * silently turned /dev/full into a regular file). A symlink is followed, so the file it points to is
 * replaced and the link stays.
 */
import { open, rename, rm, chmod, realpath, stat } from "node:fs/promises";
import { dirname, basename, join } from "node:path";
import { UsageError } from "../errors.js";

async function followLinks(path: string): Promise<string> {
  try {
    return await realpath(path);
  } catch {
    return path;
  }
}

export async function writeAtomic(
  path: string,
  content: string,
  opts: { mode?: number; flag?: string } = {},
): Promise<void> {
  const flag = opts.flag ?? "output";
  if (path === "") throw new UsageError(`${flag}: the path is empty`, flag);
  const mode = opts.mode ?? 0o644;
  const real = await followLinks(path);
  const existing = await stat(real).catch(() => undefined);
  if (existing && !existing.isFile()) {
    if (existing.isDirectory()) throw new UsageError(`${flag} ${path}: is a directory`, flag);
    await writeInPlace(real, content, path, flag);
    return;
  }
  const tmp = join(dirname(real), `.${basename(real)}.${process.pid}.${Date.now()}.tmp`);
  try {
    const fh = await open(tmp, "wx", mode);
    try {
      await fh.writeFile(content);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await chmod(tmp, mode);
    await rename(tmp, real);
  } catch (e) {
    await rm(tmp, { force: true });
    throw writeError(e, path, flag);
  }
}

async function writeInPlace(real: string, content: string, path: string, flag: string): Promise<void> {
  try {
    const fh = await open(real, "w");
    try {
      await fh.writeFile(content);
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw writeError(e, path, flag);
  }
}

function writeError(e: unknown, path: string, flag: string): UsageError {
  const code = (e as NodeJS.ErrnoException).code;
  return new UsageError(`${flag} ${path}: cannot write (${code ?? (e as Error).message})`, flag);
}
