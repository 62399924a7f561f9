/**
 * `pypictl size`: its flags. The work lives in size-run.ts, imported only when the command runs.
 */
import { Command, Option } from "commander";
import type { Io } from "../io.js";
import { addFleetOptions, type FleetFlags } from "../options/fleet.js";

export const SIZE_FORMATS = ["human", "json", "html"] as const;
export type SizeFormat = (typeof SIZE_FORMATS)[number];

/** Verdicts `--fail-on` can name (checkov's `--hard-fail-on` style: a comma-separated list). */
export const SIZE_FAIL_VERDICTS = ["undersized", "oversized"] as const;
export type SizeFailVerdict = (typeof SIZE_FAIL_VERDICTS)[number];

export interface SizeFlags extends FleetFlags {
  since?: string;
  /** Raw `--fail-on` value, e.g. "undersized,oversized"; parsed by parseSizeFailOn. */
  failOn?: string;
  format?: SizeFormat;
  output?: string;
  replay?: string;
  saveEvidence?: string;
  pretty?: boolean;
  examples?: boolean;
  /** `--no-cost`: false. */
  cost: boolean;
  printIamPolicy?: boolean;
  timeout?: string;
  quiet?: boolean;
}

export function registerSize(program: Command, io: Io, setExit: (code: number) => void): void {
  const cmd = program
    .command("size")
    .description(
      "Is the fleet the right size for the load it gets? Reads days of CloudWatch load, places it on the capacity model and prints the changes that matter, with the command.",
    )
    .option(
      "--since <duration>",
      "window to size over: 14d, 30d, 90d (default: 14d; up to 455d — 1-minute data for 15 days, 5-minute for 63, hourly beyond)",
    )
    .addOption(new Option("--format <format>", "report format (default: human)").choices([...SIZE_FORMATS]))
    .option(
      "--fail-on <verdicts>",
      `exit 1 when the verdict is one of these, for CI: ${SIZE_FAIL_VERDICTS.join(", ")} or both comma-separated (default: exit 0 for every verdict)`,
    )
    .option(
      "-o, --output <file>",
      "write the report to a file instead of stdout (written whole or not at all)",
    )
    .option(
      "--replay <file>",
      "size from a saved evidence bundle instead of AWS (example:NAME for a packaged one; no cost lookup)",
    )
    .option("--save-evidence <file>", "write the gathered evidence as a replayable bundle")
    .option("--pretty", "with --save-evidence: indent the bundle")
    .option("--examples", "list the recorded size examples (replay with --replay example:NAME)")
    .option("--no-cost", "do not look prices up in the AWS Price List API")
    .option("--print-iam-policy", "print the IAM policy size needs and exit")
    .option("--timeout <seconds>", "deadline for the whole run (default: 120)")
    .option("-q, --quiet", "no progress or file notices on stderr");
  addFleetOptions(cmd);
  cmd.action(async (flags: SizeFlags) => {
    const { sizeAction } = await import("./size-run.js");
    setExit(await sizeAction(flags, io));
  });
}
