/**
 * `pypictl doctor`: its flags. The work lives in doctor-run.ts, imported only when the command runs,
 * so `pypictl --help` and other commands do not load the checks, sources and renderers.
 */
import { Command, Option } from "commander";
import { type Io, out } from "../io.js";
import { FORMATS, type Format } from "../../config/config.js";
import { addFleetOptions, type FleetFlags } from "../options/fleet.js";
import { addUploadOptions, type UploadFlags } from "../options/upload.js";

/** The per-command options struct (as gh does): everything doctor was asked, in one typed place. */
export interface DoctorFlags extends FleetFlags, UploadFlags {
  only?: string[];
  skip?: string[];
  since?: string;
  format?: Format;
  output?: string;
  config?: string;
  threshold: string[];
  failOn?: "warn" | "fail";
  saveEvidence?: string;
  /** With --save-evidence: indent the bundle for people (compact by default). */
  pretty?: boolean;
  replay?: string;
  examples?: boolean;
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
  /** `--watch` alone is true (60 s); `--watch 30s` the interval. Handled in doctor-watch.ts. */
  watch?: string | boolean;
  watchHosts?: boolean;
  timeout?: string;
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
    .option(
      "--only <ids>",
      "run only these check ids, areas or playbooks (comma-separated, repeatable)",
      list,
    )
    .option("--skip <ids>", "skip these check ids, areas or playbooks (comma-separated, repeatable)", list)
    .option("--since <duration>", "time window to look back over: 30m, 1h, 2d (default: 1h)")
    .addOption(new Option("--format <format>", "report format (default: human)").choices([...FORMATS]))
    .option(
      "-o, --output <file>",
      "write the report to a file instead of stdout (written whole or not at all)",
    )
    .option("-c, --config <file>", "JSON config file: thresholds, selection, target, flag defaults")
    .option(
      "--threshold <check.name=value>",
      "override a threshold, e.g. host.iowait.maxIowaitPercent=15 (repeatable)",
      collect,
      [],
    )
    .addOption(
      new Option("--fail-on <level>", "exit 1 on this status or worse (default: fail)").choices([
        "warn",
        "fail",
      ]),
    )
    .option(
      "--save-evidence <file>",
      "write all gathered evidence as a replayable JSON bundle (compact JSON)",
    )
    .option(
      "--pretty",
      "with --save-evidence: indent the bundle for people to read (compact is about 2× smaller and faster to replay)",
    )
    .option(
      "--replay <file>",
      "evaluate an evidence bundle offline instead of gathering (example:NAME for a packaged one)",
    )
    .option(
      "--examples",
      "list the recorded incidents that ship with pypictl (replay with --replay example:NAME)",
    )
    .option("--list", "list the checks with their thresholds and exit")
    .option("--explain <id>", "explain one check: what it reads, its thresholds and why")
    .option("--local", "diagnose this host (no AWS): memory, swap, iowait, EFS mount, package count")
    .option("--samples <n>", "vmstat samples, 1 s apart; the first (since boot) is not judged (default: 5)")
    .option(
      "--mount-path <path>",
      "judge only the mount on this path (default: find the package file system's NFS mounts, e.g. the ECS task volume under /var/lib/ecs/volumes/)",
    )
    .option("--package-dir <path>", "directory whose packages are counted (default: the mount judged)")
    .option(
      "--print-iam-policy",
      "print the least-privilege IAM policy doctor needs (for the --only/--skip selection) and exit",
    )
    .option(
      "--timeout <seconds>",
      "deadline for the whole run (each round with --watch), host sampling included; what is not in by then is reported as timed out (default: 60)",
    )
    .option("--no-color", "no colour (also NO_COLOR, or when stdout is not a terminal)")
    .option("-q, --quiet", "no progress line; human format prints only what is not passing")
    .option("-v, --verbose", "more detail on stderr (sources, timings)")
    .option(
      "--watch [interval]",
      "during an incident: run again every interval (default 60s), redraw on a terminal, one line per change otherwise (on stderr with a non-human --format); Ctrl-C prints the final report",
    )
    .option("--watch-hosts", "with --watch: include the SSM host probes in every round");
  addFleetOptions(cmd);
  addUploadOptions(cmd);
  cmd.action(async (flags: DoctorFlags) => {
    const { doctorAction } = await import("./doctor-run.js");
    try {
      setExit(await doctorAction(flags, io));
    } catch (caught) {
      // No region or credentials: say what works without AWS.
      const { withOfflinePointers } = await import("../options/offline.js");
      const e = withOfflinePointers(caught, "doctor", io.cwd);
      await printJsonError("doctor", flags, io, e);
      throw e;
    }
  });
}

/**
 * JSON mode promises one JSON document on stdout: a run that ends in an error (the stack cannot be read,
 * AWS unreachable, a bad file) still prints one, the error inside; stderr and the exit code are as always.
 */
export async function printJsonError(
  command: string,
  flags: { format?: string | undefined; output?: string | undefined },
  io: Io,
  e: unknown,
): Promise<void> {
  const json = flags.format === "json" || (flags.format === undefined && /\.json$/i.test(flags.output ?? ""));
  if (!json) return;
  const { exitCodeOf } = await import("../exit-codes.js");
  const { renderErrorJson } = await import("../render/error-json.js");
  const { errorMessage } = await import("../../errors.js");
  const { code, kind } = exitCodeOf(e);
  out(io, renderErrorJson(command, code, kind, errorMessage(e)));
}
