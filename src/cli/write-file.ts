/** Output files are written whole or not at all: a temp file beside the target, then a rename. */
import { writeFile, rename, rm, chmod } from "node:fs/promises";
import { dirname, basename, join } from "node:path";
import { UsageError } from "../errors.js";

export async function writeAtomic(path: string, content: string, opts: { mode?: number; flag?: string } = {}): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  const mode = opts.mode ?? 0o644;
  try {
    await writeFile(tmp, content, { mode, flag: "wx" });
    await chmod(tmp, mode);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`${opts.flag ?? "output"} ${path}: cannot write (${code ?? (e as Error).message})`, opts.flag);
  }
}
