/**
 * Everything about a doctor invocation that can be refused before anything runs, in one place (issue 14):
 * conflicting flags (named both), numbers that are not plain decimals, host paths, the AWS environment,
 * and the file flags (empty, an output that is an input, an output that cannot be written).
 * Flags only: the config file is validated where it is parsed (src/config).
 */
import { UsageError } from "../../errors.js";
import { type Io, err } from "../io.js";
import { stripUserinfo, USERINFO_WARNING } from "../../config/url-userinfo.js";
import type { DoctorFlags } from "../commands/doctor.js";
import { checkFilePaths } from "./validate-paths.js";
import { checkWholeFlag } from "./validate-numbers.js";
import { checkAwsEnvironment } from "./validate-env.js";
import { checkHostPath, checkLocalHostPath } from "../../config/host-paths.js";
import { assertIndexUrl } from "../../creds/formats.js";

type FlagKey = keyof DoctorFlags;

const FLEET_FLAGS: ReadonlyArray<[FlagKey, string]> = [
  ["stack", "--stack"],
  ["url", "--url"],
  ["secretId", "--secret-id"],
  ["cluster", "--cluster"],
  ["service", "--service"],
  ["fileSystemId", "--file-system-id"],
  ["loadBalancer", "--load-balancer"],
  ["targetGroup", "--target-group"],
  ["terraformOutputs", "--terraform-outputs"],
  ["region", "--region"],
  ["profile", "--profile"],
];

/** Flags that shape gathering: a replay gathers nothing, so they would be silently ignored. */
const GATHER_FLAGS: ReadonlyArray<[FlagKey, string]> = [
  ...FLEET_FLAGS,
  ["since", "--since"],
  ["samples", "--samples"],
  ["mountPath", "--mount-path"],
  ["packageDir", "--package-dir"],
  ["dist", "--dist"],
  ["local", "--local"],
  ["saveEvidence", "--save-evidence"],
];

function refuseWith(
  flags: DoctorFlags,
  flag: FlagKey,
  name: string,
  others: ReadonlyArray<[FlagKey, string]>,
  why: string,
): void {
  if (flags[flag] === undefined || flags[flag] === false) return;
  for (const [k, other] of others) {
    if (k !== flag && flags[k] !== undefined && flags[k] !== false)
      throw new UsageError(`${name} and ${other} cannot be combined: ${why}`, other);
  }
}

export function checkDoctorConflicts(flags: DoctorFlags): void {
  refuseWith(
    flags,
    "replay",
    "--replay",
    GATHER_FLAGS,
    "a replay evaluates the bundle's evidence and gathers nothing",
  );
  refuseWith(flags, "local", "--local", FLEET_FLAGS, "--local diagnoses this host and reads no fleet");
  if (flags.pretty && flags.saveEvidence === undefined)
    throw new UsageError(
      "--pretty needs --save-evidence: it indents the evidence bundle (reports are formatted by --format)",
      "--pretty",
    );
  if (flags.only !== undefined && flags.only.length === 0)
    throw new UsageError("--only: no check id given (e.g. --only host,efs)", "--only");
  if (flags.skip !== undefined && flags.skip.length === 0)
    throw new UsageError("--skip: no check id given (e.g. --skip upload)", "--skip");
}

/** --url with a user name or password: stripped in place (before anything stores it), with a warning. */
export function stripUrlFlag(flags: { url?: string | undefined }, io: Io): void {
  if (flags.url === undefined) return;
  const stripped = stripUserinfo(flags.url);
  if (stripped.hadUserinfo) err(io, `pypictl: warning: --url: ${USERINFO_WARNING}\n`);
  flags.url = stripped.url;
  // A URL that is not an http(s) index root is a bad flag (exit 2), not an index that cannot be reached.
  assertIndexUrl(flags.url, "--url");
}

/** Warnings the config file earned (printed once, before the run). */
export function printConfigWarnings(config: { warnings?: string[] }, io: Io): void {
  for (const w of config.warnings ?? []) err(io, `pypictl: warning: ${w}\n`);
}

/** What the flags and the environment alone refuse (no file looked at): planDoctor checks this too. */
export function checkDoctorFlags(flags: DoctorFlags, env: NodeJS.ProcessEnv): void {
  checkDoctorConflicts(flags);
  checkWholeFlag(flags.samples, "--samples");
  checkHostPath(flags.mountPath, "--mount-path");
  checkHostPath(flags.packageDir, "--package-dir");
  if (!flags.replay && !flags.local) checkAwsEnvironment(env, flags.region);
}

/** Everything refused before the run, files included: the CLI's first step, before the config file is read. */
export async function validateDoctorFlags(flags: DoctorFlags, io: Io): Promise<void> {
  stripUrlFlag(flags, io);
  checkDoctorFlags(flags, io.env);
  if (flags.local) {
    checkLocalHostPath(flags.mountPath, "--mount-path");
    checkLocalHostPath(flags.packageDir, "--package-dir");
  }
  await checkFilePaths(
    [
      { flag: "--output", path: flags.output },
      { flag: "--save-evidence", path: flags.saveEvidence },
    ],
    [
      { flag: "--replay", path: flags.replay },
      { flag: "--config", path: flags.config },
      { flag: "--terraform-outputs", path: flags.terraformOutputs },
    ],
  );
}

/** `--only host --skip host`: nothing would run, and an empty report would read as "all passed". */
export function refuseEmptySelection(
  selected: readonly unknown[],
  flags: Pick<DoctorFlags, "only" | "skip" | "local">,
): void {
  if (selected.length > 0) return;
  const only = flags.only?.length ? `--only ${flags.only.join(",")}` : undefined;
  const skip = flags.skip?.length ? `--skip ${flags.skip.join(",")}` : undefined;
  const named = [only, skip, flags.local ? "--local" : undefined].filter(Boolean);
  if (named.length === 0) return;
  throw new UsageError(
    `${named.join(" and ")} ${named.length > 1 ? "together select" : "selects"} no check to run`,
    only ? "--only" : "--skip",
  );
}
