/**
 * `pypictl doctor`: flags and config → a DoctorPlan → runDoctor → a rendered report and an exit code.
 * Everything it prints goes through the Io; the report is on stdout, progress and errors on stderr.
 */
import { Command, Option } from "commander";
import { readFile } from "node:fs/promises";
import { hostname } from "node:os";
import { type Io, out, err, useColor } from "../io.js";
import { EXIT } from "../exit-codes.js";
import { UsageError } from "../../errors.js";
import { TOOL_VERSION } from "../../version.js";
import { FORMATS, EMPTY_CONFIG, parseConfig, type Format, type PypictlConfig } from "../../config/config.js";
import { windowFor } from "../../config/duration.js";
import { parseThresholdFlags, validateOverrides } from "../../config/threshold-overrides.js";
import { CHECKS, selectChecks } from "../../checks/registry.js";
import type { Check } from "../../checks/model.js";
import { runDoctor } from "../../checks/doctor.js";
import { exitCodeFor } from "../../checks/report.js";
import { DEFAULT_GATHER_SETTINGS, type GatherSettings } from "../../sources/context.js";
import { SOURCE_LOADERS } from "../../sources/registry.js";
import type { Target } from "../../sources/target/model.js";
import { makeBundle, parseBundle } from "../../evidence/bundle.js";
import { writeAtomic } from "../write-file.js";
import { addFleetOptions, fleetTargetFrom, type FleetFlags } from "../options/fleet.js";
import { resolveFleet } from "../options/resolve-fleet.js";
import { renderReport } from "../render/index.js";
import { renderCheckList, renderExplain } from "../render/catalogue.js";
import { ProgressLine } from "../progress.js";

/** The per-command options struct (as gh does): everything doctor was asked, in one typed place. */
export interface DoctorFlags extends FleetFlags {
  only?: string[];
  skip?: string[];
  since?: string;
  format?: Format;
  output?: string;
  config?: string;
  threshold: string[];
  failOn?: "warn" | "fail";
  saveEvidence?: string;
  replay?: string;
  list?: boolean;
  explain?: string;
  local?: boolean;
  color: boolean;
  quiet?: boolean;
  verbose?: boolean;
  samples?: string;
  mountPath?: string;
  packageDir?: string;
  printIamPolicy?: boolean;
}

const collect = (v: string, prev: string[] = []) => [...prev, v];
const list = (v: string, prev: string[] = []) => [
  ...prev,
  ...v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean),
];

export function registerDoctor(program: Command, io: Io, setExit: (code: number) => void): void {
  const cmd = program
    .command("doctor")
    .description("Run the troubleshooting playbooks as checks against a fleet (AWS) or this host (--local).")
    .option("--only <ids>", "run only these check ids, areas or playbooks (comma-separated, repeatable)", list)
    .option("--skip <ids>", "skip these check ids, areas or playbooks (comma-separated, repeatable)", list)
    .option("--since <duration>", "time window to look back over: 30m, 1h, 2d (default: 1h)")
    .addOption(new Option("--format <format>", "report format (default: human)").choices([...FORMATS]))
    .option("-o, --output <file>", "write the report to a file instead of stdout (written whole or not at all)")
    .option("-c, --config <file>", "JSON config file: thresholds, selection, target, flag defaults")
    .option("--threshold <check.name=value>", "override a threshold, e.g. host.iowait.maxIowaitPercent=15 (repeatable)", collect, [])
    .addOption(new Option("--fail-on <level>", "exit 1 on this status or worse (default: fail)").choices(["warn", "fail"]))
    .option("--save-evidence <file>", "write all gathered evidence as a replayable JSON bundle")
    .option("--replay <file>", "evaluate an evidence bundle offline instead of gathering")
    .option("--list", "list the checks with their thresholds and exit")
    .option("--explain <id>", "explain one check: what it reads, its thresholds and why")
    .option("--local", "diagnose this host (no AWS): memory, swap, iowait, EFS mount, package count")
    .option("--samples <n>", "vmstat samples, 1 s apart; the first (since boot) is not judged (default: 5)")
    .option("--mount-path <path>", "package volume mount point on the hosts (default: /data/packages)")
    .option("--package-dir <path>", "directory whose packages are counted (default: the mount path)")
    .option("--print-iam-policy", "print the least-privilege IAM policy doctor needs and exit")
    .option("--no-color", "no colour (also NO_COLOR, or when stdout is not a terminal)")
    .option("-q, --quiet", "no progress line; human format prints only what is not passing")
    .option("-v, --verbose", "more detail on stderr (sources, timings)");
  addFleetOptions(cmd);
  cmd.action(async (flags: DoctorFlags) => {
    setExit(await doctorAction(flags, io));
  });
}

async function readText(path: string, flag: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    throw new UsageError(`${flag} ${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, flag);
  }
}

function wholeNumber(text: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag}: "${text}" must be a whole number from ${min} to ${max}`, flag);
  return n;
}

export async function doctorAction(flags: DoctorFlags, io: Io, now: () => Date = () => new Date()): Promise<number> {
  if (flags.list) {
    out(io, renderCheckList(CHECKS, { color: useColor(io, io.stdout, flags.color) }));
    return EXIT.ok;
  }
  if (flags.explain) {
    out(io, renderExplain(flags.explain));
    return EXIT.ok;
  }
  if (flags.printIamPolicy) {
    const { doctorIamPolicy } = await import("../../sources/aws/iam-policy.js");
    out(io, `${JSON.stringify(doctorIamPolicy(), null, 2)}\n`);
    return EXIT.ok;
  }
  if (flags.replay && flags.local) throw new UsageError("--replay and --local cannot be combined: a replay gathers nothing", "--replay");
  if (flags.replay && flags.saveEvidence) throw new UsageError("--replay and --save-evidence cannot be combined", "--save-evidence");

  const config: PypictlConfig = flags.config ? parseConfig(await readText(flags.config, "--config"), flags.config) : EMPTY_CONFIG;
  const format: Format = flags.format ?? config.format ?? "human";
  const failOn = flags.failOn ?? config.failOn ?? "fail";
  const since = flags.since ?? config.since ?? "1h";

  const overrides = { ...config.thresholds, ...parseThresholdFlags(flags.threshold) };
  if (flags.config) validateOverrides(config.thresholds, CHECKS, `${flags.config}: thresholds`);
  validateOverrides(parseThresholdFlags(flags.threshold), CHECKS, "--threshold");

  const settings: GatherSettings = {
    ...DEFAULT_GATHER_SETTINGS,
    samples: wholeNumber(flags.samples, "--samples", 2, 60) ?? config.host.samples ?? DEFAULT_GATHER_SETTINGS.samples,
    mountPath: flags.mountPath ?? config.host.mountPath ?? DEFAULT_GATHER_SETTINGS.mountPath,
  };
  settings.packageDir = flags.packageDir ?? config.host.packageDir ?? settings.mountPath;

  let target: Target;
  let window;
  let replay;
  if (flags.replay) {
    const bundle = parseBundle(await readText(flags.replay, "--replay"), flags.replay);
    target = bundle.target;
    window = bundle.window;
    replay = { evidence: bundle.sources, file: flags.replay, gatheredAt: bundle.createdAt };
  } else {
    window = windowFor(since, now(), flags.since ? "--since" : `${flags.config}: since`);
    target = flags.local ? { kind: "local", host: hostname() } : fleetTargetFrom(flags, config.target);
  }

  // Which checks apply: a local run has no fleet; a replay runs the checks its evidence can answer.
  const scopes: Check["scope"][] = target.kind === "local" ? ["host", "client"] : ["host", "fleet", "client"];
  const applicable = CHECKS.filter((c) => scopes.includes(c.scope));
  const checks = selectChecks(applicable, flags.only ?? config.only, flags.skip ?? config.skip);
  if (replay) checks.splice(0, checks.length, ...checks.filter((c) => c.needs.every((id) => id in replay.evidence)));

  if (!replay && target.kind === "fleet") target = await resolveFleet(target, flags, io);

  const progress = new ProgressLine(io, !flags.quiet && io.stderr.isTTY === true);
  const { report, evidence } = await runDoctor({
    checks,
    overrides,
    window,
    target,
    settings,
    toolVersion: TOOL_VERSION,
    replay,
    load: async (id) => {
      const loader = SOURCE_LOADERS[id];
      return loader ? loader() : undefined;
    },
    onProgress: (e) => {
      progress.update(e);
      if (flags.verbose && e.type === "source-done") err(io, `source ${e.id}: ${e.ok ? "ok" : "failed"} in ${e.ms} ms\n`);
    },
    now,
  });
  progress.clear();

  const rendered = renderReport(report, format, {
    color: !flags.output && useColor(io, io.stdout, flags.color),
    quiet: flags.quiet === true,
    width: io.stdout.columns ?? 100,
  });
  if (flags.saveEvidence) {
    const bundle = makeBundle({ version: TOOL_VERSION, window, target, evidence, now: now() });
    await writeAtomic(flags.saveEvidence, `${JSON.stringify(bundle, null, 2)}\n`, { flag: "--save-evidence" });
    if (!flags.quiet) err(io, `evidence saved to ${flags.saveEvidence}\n`);
  }
  if (flags.output) {
    await writeAtomic(flags.output, rendered, { flag: "--output" });
    if (!flags.quiet) err(io, `report written to ${flags.output}\n`);
  } else {
    out(io, rendered);
  }
  return exitCodeFor(report.summary, failOn);
}
