// docs/architecture.md stays true: every repository path it names exists, and the import table matches
// the code (a relative import from one src/ folder into another must be one the table allows).
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..", "..");
const doc = readFileSync(join(root, "docs", "architecture.md"), "utf8");
const src = join(root, "src");

/** Leaves any folder may import: the `src/x.ts` files the doc's "are leaves" sentence names. */
const LEAVES = new Set(
  [
    ...(/Imports go down this table[^|]*?are\s+leaves/.exec(doc)?.[0] ?? "").matchAll(
      /`src\/([a-z-]+)\.ts`/g,
    ),
  ].map((m) => m[1]!),
);

/** The table: folder → folders it may import, read from the doc's rows. */
function importTable(): Map<string, Set<string>> {
  const table = new Map<string, Set<string>>();
  const folders = [...doc.matchAll(/^\| `src\/([a-z]+)` \|/gm)].map((m) => m[1]!);
  for (const m of doc.matchAll(/^\| `src\/([a-z]+)` \| [^|]+ \| ([^|]+) \|$/gm)) {
    const [, folder, may] = m as unknown as [string, string, string];
    const allowed = may.includes("everything below")
      ? new Set(folders.slice(folders.indexOf(folder) + 1))
      : new Set([...may.matchAll(/\b([a-z]+)\b/g)].map((x) => x[1]!).filter((x) => folders.includes(x)));
    table.set(folder, allowed);
  }
  return table;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const topOf = (file: string) => {
  const parts = relative(src, file).split("/");
  return parts.length === 1 ? parts[0]!.replace(/\.(ts|js)$/, "") : parts[0]!;
};

describe("docs/architecture.md", () => {
  it("names only paths that exist", () => {
    const paths = [...doc.matchAll(/`((?:src|docs|schemas|scripts|test|bin)\/[^`\s*<>…]+)`/g)].map(
      (m) => m[1]!,
    );
    expect(paths.length).toBeGreaterThan(20);
    const missing = paths.filter((p) => !existsSync(join(root, p.replace(/\/$/, ""))));
    expect(missing).toEqual([]);
  });

  it("lists every src/ folder in its import table", () => {
    const table = importTable();
    const folders = readdirSync(src).filter((f) => statSync(join(src, f)).isDirectory());
    expect([...table.keys()].sort()).toEqual(folders.sort());
  });

  it("allows every import the code makes between src/ folders (and the code makes no other)", () => {
    const table = importTable();
    const bad: string[] = [];
    for (const file of tsFiles(src)) {
      const from = topOf(file);
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/(?:\bfrom|\bimport\()\s*"(\.{1,2}\/[^"]+)"/g)) {
        const to = topOf(resolve(dirname(file), m[1]!));
        if (to === from || LEAVES.has(to)) continue;
        if (to === "version" || !table.get(from)?.has(to)) bad.push(`${relative(root, file)} → src/${to}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("catches an upward import (the check of the check)", () => {
    const table = importTable();
    expect(table.get("checks")?.has("cli")).toBe(false);
    expect(table.get("sources")?.has("checks")).toBe(false);
    expect(table.get("cli")?.has("checks")).toBe(true);
  });
});
