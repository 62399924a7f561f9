/**
 * `pypictl creds`: its flags. The work lives in creds-run.ts, imported only when the command runs, so other
 * commands do not load the formatters, the merge (smol-toml) or the AWS clients.
 */
import { Command, Option } from "commander";
import type { Io } from "../io.js";
import { printJsonError } from "./doctor.js";
import { CREDS_TARGET_FLAGS, addFleetOptions, type FleetFlags } from "../options/fleet.js";

/** Kept in step with src/creds/formats.ts CRED_FORMATS (a test checks they agree). */
export const CREDS_FORMAT_CHOICES = [
  "env",
  "pip.conf",
  "pypirc",
  "netrc",
  "uv",
  "uv-env",
  "poetry",
  "json",
] as const;
export type CredsFormatChoice = (typeof CREDS_FORMAT_CHOICES)[number];

export interface CredsFlags extends Pick<
  FleetFlags,
  "stack" | "region" | "profile" | "url" | "secretId" | "terraformOutputs"
> {
  format?: CredsFormatChoice;
  write?: boolean;
  output?: string;
  /** The old name of --output (hidden). */
  path?: string;
  /** Which of the two the user typed, for messages (set by normaliseCredsFlags). */
  outputFlag?: "--output" | "--path";
  dryRun?: boolean;
  showPassword?: boolean;
  check?: boolean;
  usernameKey?: string;
  passwordKey?: string;
  name?: string;
  config?: string;
  timeout?: string;
  color: boolean;
}

export function registerCreds(program: Command, io: Io, setExit: (code: number) => void): void {
  const cmd = program
    .command("creds")
    .description(
      "Print or write client config (pip, twine, netrc, uv, poetry) with the fleet's credentials, or check them against the index.",
    )
    .addOption(
      new Option("--format <format>", "what to produce (default: env)").choices([...CREDS_FORMAT_CHOICES]),
    )
    .option(
      "--write",
      "merge into the format's standard file (or --path): mode 0600, other settings and comments kept, backup as <file>.bak",
    )
    .option(
      "-o, --output <file>",
      "write the result to this file instead of stdout, merged as --write does (0600, backup); - for stdout",
    )
    // The flag's name before issue 22 (doctor and synth say --output): kept working, out of the help.
    .addOption(new Option("--path <file>").hideHelp())
    .option("--dry-run", "with --write: show the change as a diff (passwords masked) and write nothing")
    .option("--show-password", "print the password even when stdout is a terminal")
    .option(
      "--check",
      "probe the index with these credentials (auth.* checks) instead of printing them; --format json for a JSON report",
    )
    .option("--username-key <key>", "JSON key of the username in the secret (default: username)")
    .option("--password-key <key>", "JSON key of the password in the secret (default: password)")
    .option("--name <name>", "repository/index name in .pypirc, uv.toml and poetry (default: pypictl)")
    .option("-c, --config <file>", "JSON config file (target and creds sections)")
    .option(
      "--timeout <seconds>",
      "deadline for the whole run: reading the stack and the secret, and --check's probes; past it, exit 3 naming the endpoint (default: 30)",
    )
    .option("--no-color", "no colour (also NO_COLOR, or when stdout is not a terminal)");
  addFleetOptions(cmd, CREDS_TARGET_FLAGS);
  cmd.action(async (flags: CredsFlags) => {
    const { credsAction } = await import("./creds-run.js");
    try {
      setExit(await credsAction(flags, io));
    } catch (caught) {
      // No region or credentials: say what works without AWS.
      const { withOfflinePointers } = await import("../options/offline.js");
      const e = withOfflinePointers(caught, "creds", io.cwd);
      if (flags.check) await printJsonError("creds", { format: flags.format }, io, e);
      throw e;
    }
  });
}
