/**
 * Is a command runnable as written? Each tool's subcommands and flags come from the tool itself where it is
 * installed (pypictl's real commander tree; `twine … --help`, `python3 -m pip … --help`), and for the aws CLI
 * from a recorded list (test/fixtures/aws-cli/commands.json, with its source), re-checked against the
 * installed aws CLI when there is one. Values are checked where the tool declares them (commander choices,
 * `--only`/`--skip` check ids); `<placeholders>` stand for any value.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { Command, Option } from "commander";
import { buildProgram } from "../../src/cli/main.js";
import { CHECKS, selectChecks } from "../../src/checks/registry.js";
import { captureIo } from "./io.js";
import { isPlaceholder, type ExtractedCommand } from "./hint-commands.js";

// ---- pypictl: the real command tree --------------------------------------------------------------------

let program: Command | undefined;
function pypictlProgram(): Command {
  program ??= buildProgram(captureIo(), () => {});
  return program;
}

function findOption(options: readonly Option[], flag: string): Option | undefined {
  return options.find((o) => o.long === flag || o.short === flag);
}

export function pypictlProblems(args: readonly string[]): string[] {
  const root = pypictlProgram();
  const problems: string[] = [];
  let cmd = root;
  let i = 0;
  if (args[0] && !args[0].startsWith("-")) {
    const sub = root.commands.find((c) => c.name() === args[0] || c.aliases().includes(args[0]!));
    if (!sub) return [`no command "${args[0]}" (commands: ${root.commands.map((c) => c.name()).join(", ")})`];
    cmd = sub;
    i = 1;
  }
  const options = [...cmd.options, ...(cmd === root ? [] : root.options)];
  const positionalsAllowed = cmd.registeredArguments.some((a) => a.variadic)
    ? Infinity
    : cmd.registeredArguments.length;
  let positionals = 0;
  for (; i < args.length; i++) {
    const word = args[i]!;
    if (word === "--help" || word === "-h") continue;
    if (!word.startsWith("-") || word === "-") {
      if (++positionals > positionalsAllowed) problems.push(`${cmd.name()}: unexpected argument "${word}"`);
      continue;
    }
    const [flag, inline] =
      word.startsWith("--") && word.includes("=")
        ? [word.slice(0, word.indexOf("=")), word.slice(word.indexOf("=") + 1)]
        : [word, undefined];
    const opt = findOption(options, flag!);
    if (!opt) {
      problems.push(`${cmd.name()}: unknown option ${flag}`);
      continue;
    }
    let value = inline;
    if (value === undefined && opt.required) {
      value = args[++i];
      if (value === undefined) {
        problems.push(`${cmd.name()} ${flag}: needs a value`);
        continue;
      }
    } else if (
      value === undefined &&
      opt.optional &&
      args[i + 1] !== undefined &&
      !args[i + 1]!.startsWith("-")
    )
      value = args[++i];
    if (value === undefined || isPlaceholder(value)) continue;
    if (!opt.required && !opt.optional) problems.push(`${cmd.name()} ${flag}: takes no value ("${value}")`);
    if (opt.argChoices && !opt.argChoices.includes(value))
      problems.push(`${cmd.name()} ${flag} ${value}: not one of ${opt.argChoices.join(", ")}`);
    if (flag === "--only" || flag === "--skip") {
      try {
        selectChecks(CHECKS, value.split(","), []);
      } catch (e) {
        problems.push(`${cmd.name()} ${flag} ${value}: ${(e as Error).message}`);
      }
    }
  }
  return problems;
}

// ---- twine and pip: their own --help -------------------------------------------------------------------

/** Flags an argparse/optparse help text declares: the option column of lines that start with "-". */
export function helpFlags(help: string): Set<string> {
  const flags = new Set<string>();
  for (const line of help.split("\n")) {
    const m = /^\s{1,8}(-\S.*?)(?:\s{2,}|$)/.exec(line);
    if (!m) continue;
    for (const f of m[1]!.matchAll(/(?:^|[\s,[|])(--?[A-Za-z][\w-]*)/g)) flags.add(f[1]!);
  }
  return flags;
}

function run(cmd: string, args: string[]): string | undefined {
  const r = spawnSync(cmd, args, {
    encoding: "utf8",
    env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: "1", PIP_CONFIG_FILE: "/dev/null", COLUMNS: "200" },
  });
  return r.status === 0 ? r.stdout : undefined;
}

export function haveTool(cmd: string, args: string[] = ["--version"]): boolean {
  return run(cmd, args) !== undefined;
}

const helpCache = new Map<
  string,
  { subcommands: Set<string>; flags: Map<string, Set<string> | undefined> }
>();

function pythonTool(tool: "twine" | "pip"): { cmd: string; pre: string[] } {
  return tool === "twine" ? { cmd: "twine", pre: [] } : { cmd: "python3", pre: ["-m", "pip"] };
}

function toolHelp(tool: "twine" | "pip") {
  let h = helpCache.get(tool);
  if (h) return h;
  const { cmd, pre } = pythonTool(tool);
  const top = run(cmd, [...pre, "--help"]);
  if (top === undefined) throw new Error(`${tool} is not installed: run scripts/test-setup.sh`);
  const subcommands = new Set<string>();
  if (tool === "twine") for (const s of /\{([\w,]+)\}/.exec(top)?.[1]?.split(",") ?? []) subcommands.add(s);
  else {
    const section = top.split(/\n(?=\S)/).find((s) => s.startsWith("Commands:")) ?? "";
    for (const m of section.matchAll(/^\s{2}([a-z][\w-]*)\s/gm)) subcommands.add(m[1]!);
  }
  h = { subcommands, flags: new Map() };
  helpCache.set(tool, h);
  return h;
}

function subcommandFlags(tool: "twine" | "pip", sub: string): Set<string> {
  const h = toolHelp(tool);
  if (!h.flags.has(sub)) {
    const { cmd, pre } = pythonTool(tool);
    const help = run(cmd, [...pre, sub, "--help"]);
    h.flags.set(sub, help === undefined ? undefined : helpFlags(help));
  }
  return h.flags.get(sub) ?? new Set();
}

export function pythonToolProblems(tool: "twine" | "pip", args: readonly string[]): string[] {
  const h = toolHelp(tool);
  const sub = args[0];
  if (!sub || sub.startsWith("-")) return [];
  if (!h.subcommands.has(sub))
    return [`${tool}: no subcommand "${sub}" (has: ${[...h.subcommands].join(", ")})`];
  const flags = subcommandFlags(tool, sub);
  return args
    .slice(1)
    .filter((w) => w.startsWith("-") && w !== "-")
    .map((w) => w.split("=")[0]!)
    .filter((f) => !flags.has(f))
    .map((f) => `${tool} ${sub}: no option ${f} (\`${tool} ${sub} --help\`)`);
}

// ---- aws: recorded from the CLI reference ----------------------------------------------------------------

interface AwsFixture {
  source: string;
  global: string[];
  operations: Record<string, { reference: string; options: string[] }>;
}

export const AWS_CLI: AwsFixture = JSON.parse(
  readFileSync(new URL("../fixtures/aws-cli/commands.json", import.meta.url), "utf8"),
) as AwsFixture;

export function awsProblems(args: readonly string[]): string[] {
  const op = `${args[0] ?? ""} ${args[1] ?? ""}`;
  const known = AWS_CLI.operations[op];
  if (!known)
    return [
      `aws ${op}: not in test/fixtures/aws-cli/commands.json (record its options from the CLI reference first)`,
    ];
  const allowed = new Set([...known.options, ...AWS_CLI.global]);
  return args
    .slice(2)
    .filter((w) => w.startsWith("--"))
    .map((w) => w.split("=")[0]!)
    .filter((f) => !allowed.has(f))
    .map((f) => `aws ${op}: no option ${f} (${known.reference})`);
}

/** The options the installed aws CLI lists for an operation (its help SYNOPSIS), or undefined without one. */
export function installedAwsOptions(service: string, operation: string): Set<string> | undefined {
  try {
    const help = execFileSync("aws", [service, operation, "help"], {
      encoding: "utf8",
      env: { ...process.env, PAGER: "cat", MANPAGER: "cat", AWS_PAGER: "" },
      stdio: ["ignore", "pipe", "ignore"],
      timeout: 30_000,
    });
    // Man-page overstrike (bold as "X\bX") first, then the synopsis section's options.
    const plain = help.replace(/.\x08/g, "");
    const synopsis = /^SYNOPSIS\n([\s\S]*?)^OPTIONS/m.exec(plain)?.[1] ?? "";
    return new Set([...synopsis.matchAll(/--[a-z][a-z0-9-]*/g)].map((m) => m[0]));
  } catch {
    return undefined;
  }
}

export function commandProblems(c: ExtractedCommand): string[] {
  if (c.tool === "pypictl") return pypictlProblems(c.args);
  if (c.tool === "aws") return awsProblems(c.args);
  return pythonToolProblems(c.tool, c.args);
}
