/**
 * The recorded incidents that ship in the package (examples/*.json, evidence bundles): `--replay
 * example:NAME` finds one from any install (global, npx, a checkout) and `doctor --examples` lists them.
 * The package root is found by walking up from this module to pypictl's package.json, so it holds however
 * the CLI is laid out (tsc output or a bundle).
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { UsageError } from "../../errors.js";
import { DEFAULT_WIDTH, wrapLine } from "../render/wrap.js";
import { didYouMean, suggestions } from "../../suggest.js";

export const EXAMPLE_PREFIX = "example:";

export function packageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "pypictl") return dir;
      } catch {
        // not ours; keep walking
      }
    }
    const up = dirname(dir);
    if (up === dir) throw new Error("pypictl's package.json not found above its modules");
    dir = up;
  }
}

export function examplesDir(): string {
  return join(packageRoot(), "examples");
}

export function exampleNames(): string[] {
  try {
    return readdirSync(examplesDir())
      .filter((f) => f.endsWith(".json"))
      .map((f) => f.slice(0, -".json".length))
      .sort();
  } catch {
    return [];
  }
}

export interface ExampleInfo {
  name: string;
  description: string;
  target: string;
}

export function listExamples(): ExampleInfo[] {
  return exampleNames().map((name) => {
    try {
      const b = JSON.parse(readFileSync(join(examplesDir(), `${name}.json`), "utf8")) as {
        description?: string;
        target?: { kind?: string };
      };
      return { name, description: b.description ?? "", target: b.target?.kind ?? "" };
    } catch {
      return { name, description: "(unreadable)", target: "" };
    }
  });
}

/**
 * `example:NAME` → the packaged file; anything else is a path, returned as given. A path that does not
 * exist but names (or nearly names) a packaged example is refused with the `example:` spelling to use,
 * instead of a bare ENOENT.
 */
export function resolveReplayArg(arg: string): string {
  if (!arg.startsWith(EXAMPLE_PREFIX)) {
    if (arg === "-" || existsSync(arg)) return arg;
    const typed = basename(arg).replace(/\.json$/, "");
    const names = exampleNames();
    const near = names.includes(typed) ? [typed] : suggestions(typed, names);
    if (near.length)
      throw new UsageError(
        `--replay ${arg}: no such file. Did you mean ${near.map((n) => `--replay ${EXAMPLE_PREFIX}${n}`).join(" or ")} (a recorded incident that ships with pypictl; pypictl doctor --examples lists them)?`,
        "--replay",
      );
    return arg;
  }
  const name = arg.slice(EXAMPLE_PREFIX.length).replace(/\.json$/, "");
  const names = exampleNames();
  if (!names.includes(name))
    throw new UsageError(
      `--replay ${arg}: no packaged example "${name}".${didYouMean(name, names)} Known: ${names.join(", ") || "none in this install"} (pypictl doctor --examples)`,
      "--replay",
    );
  return join(examplesDir(), `${name}.json`);
}

/** The examples, one per name, each description wrapped under itself to `width` (80 off a terminal). */
export function renderExampleList(examples: readonly ExampleInfo[], width = DEFAULT_WIDTH): string {
  const nameW = Math.max(10, ...examples.map((e) => e.name.length));
  const lines = examples.flatMap((e) =>
    wrapLine(`${e.name.padEnd(nameW)}  ${e.description}`, nameW + 2, width),
  );
  lines.push(
    "",
    ...wrapLine(
      `${examples.length} recorded incidents ship with pypictl. Replay one: pypictl doctor --replay example:NAME`,
      0,
      width,
    ),
  );
  return `${lines.join("\n")}\n`;
}

/** `doctor --examples --format json`: schemas/examples.schema.json. */
export function renderExamplesJson(examples: readonly ExampleInfo[]): string {
  const doc = {
    schemaVersion: 1,
    examples: examples.map((e) => ({ ...e, replay: `${EXAMPLE_PREFIX}${e.name}` })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}
