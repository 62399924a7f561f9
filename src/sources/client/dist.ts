/**
 * `client.dist`: the files about to be uploaded (`--dist DIR`): names and sizes only, never contents.
 * What twine would pick up with `twine upload DIR/*` (dot files are not matched by the glob).
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import type { SourceDef } from "../context.js";
import { failed, ok } from "../model.js";

export const CLIENT_DIST = "client.dist";

export interface DistFile {
  name: string;
  bytes: number;
  kind: "wheel" | "sdist" | "signature" | "other";
}

export interface DistListing {
  /** The directory given with --dist; absent when none was given. */
  dir?: string;
  files: DistFile[];
}

/** PEP 427 wheel names and sdist names (`name-version.tar.gz`, legacy `.zip`). */
export function distKind(name: string): DistFile["kind"] {
  if (/^[A-Za-z0-9_.]+-[A-Za-z0-9_.!+]+(-\d[^-]*)?-[^-]+-[^-]+-[^-]+\.whl$/.test(name)) return "wheel";
  if (/^[A-Za-z0-9_.-]+-[A-Za-z0-9_.!+]+\.(tar\.gz|zip)$/.test(name)) return "sdist";
  if (name.endsWith(".asc")) return "signature";
  return "other";
}

export interface DistSettings {
  /** --dist DIR */
  distDir?: string;
}

export const distSource: SourceDef<DistListing> = {
  id: CLIENT_DIST,
  title: "distribution files to upload (--dist)",
  async gather(ctx) {
    const dir = (ctx.settings as DistSettings).distDir;
    if (!dir) return ok({ files: [] });
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (e) {
      return failed(
        "not-found",
        `--dist ${dir}: cannot read the directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      );
    }
    const files: DistFile[] = [];
    for (const name of names.sort()) {
      if (name.startsWith(".")) continue;
      const s = await stat(join(dir, name));
      if (!s.isFile()) continue;
      files.push({ name, bytes: s.size, kind: distKind(name) });
    }
    return ok({ dir, files });
  },
};
