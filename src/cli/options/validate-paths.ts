/**
 * File flags checked before anything runs (issue 14, issue 9 "fail fast on output problems"):
 * - an empty path is an error (`--output ''` used to print to stdout as if the flag were absent);
 * - an output may not be one of the inputs or the other output — the same file, also through symlinks
 *   or hard links (compared by device and inode), so `--output bundle.json --replay bundle.json` cannot
 *   overwrite the evidence with the report;
 * - an output's directory must exist and be writable, so a typo is found before minutes of gathering.
 */
import { access, constants, realpath, stat } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { UsageError } from "../../errors.js";
import { targetOf } from "../write-file.js";

export interface PathFlag {
  flag: string;
  path: string | undefined;
}

/** Device:inode when the file exists (symlinks followed), else the real directory plus the name. */
async function identity(path: string): Promise<string> {
  const st = await stat(path).catch(() => undefined);
  if (st) return `inode:${st.dev}:${st.ino}`;
  const dir = await realpath(dirname(resolve(path))).catch(() => dirname(resolve(path)));
  return `path:${resolve(dir, basename(path))}`;
}

export function refuseEmptyPaths(paths: readonly PathFlag[]): void {
  for (const { flag, path } of paths)
    if (path !== undefined && path.trim() === "")
      throw new UsageError(`${flag}: the path is empty (leave the flag out to use the default)`, flag);
}

async function assertWritable(flag: string, path: string): Promise<void> {
  // Another user's symlink, or a dangling one, is refused before anything runs (write-file.ts).
  await targetOf(path, flag);
  const st = await stat(path).catch(() => undefined);
  if (st) {
    if (st.isDirectory()) throw new UsageError(`${flag} ${path}: is a directory; give a file name`, flag);
    await access(path, constants.W_OK).catch((e: NodeJS.ErrnoException) => {
      throw new UsageError(`${flag} ${path}: not writable (${e.code ?? e.message})`, flag);
    });
    return;
  }
  const dir = dirname(resolve(path));
  const dirStat = await stat(dir).catch(() => undefined);
  if (!dirStat) throw new UsageError(`${flag} ${path}: the directory ${dir} does not exist`, flag);
  if (!dirStat.isDirectory()) throw new UsageError(`${flag} ${path}: ${dir} is not a directory`, flag);
  await access(dir, constants.W_OK).catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`${flag} ${path}: cannot create files in ${dir} (${e.code ?? e.message})`, flag);
  });
}

/**
 * Refuse empty paths, outputs that are an input or each other, and outputs that cannot be written.
 * `-` as an input means stdin and is not a file.
 */
export async function checkFilePaths(
  outputs: readonly PathFlag[],
  inputs: readonly PathFlag[],
): Promise<void> {
  refuseEmptyPaths([...outputs, ...inputs]);
  const given = (l: readonly PathFlag[]) =>
    l.filter((p): p is { flag: string; path: string } => p.path !== undefined && p.path !== "-");
  const outs = given(outputs);
  const ins = given(inputs);
  const ids = new Map<string, string>();
  for (const p of [...outs, ...ins]) ids.set(`${p.flag}\0${p.path}`, await identity(p.path));
  const id = (p: { flag: string; path: string }) => ids.get(`${p.flag}\0${p.path}`);
  for (const [i, o] of outs.entries()) {
    for (const other of [...ins, ...outs.slice(i + 1)]) {
      if (id(o) === id(other))
        throw new UsageError(
          `${o.flag} ${o.path} is the same file as ${other.flag} ${other.path}: refusing to overwrite it (give ${o.flag} another file)`,
          o.flag,
        );
    }
    await assertWritable(o.flag, o.path);
  }
}
