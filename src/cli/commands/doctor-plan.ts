/**
 * `pypictl doctor`, decided before anything runs: flags and the parsed config file → a DoctorPlan. Which
 * checks, which fleet, which window, where the report and evidence go, how the hosts are probed, live or
 * replay, one report or --watch rounds. Pure: no file, no AWS, no stdout; the clock, the host name and the
 * environment come in as `env`. A bad invocation is a UsageError (exit 2) with the words doctor has always
 * used. doctor-run.ts executes a plan; doctor-watch.ts runs it every interval.
 */
import { UsageError } from "../../errors.js";
import type { Format, PypictlConfig } from "../../config/config.js";
import { parseDuration, windowFor } from "../../config/duration.js";
import { parseThresholdFlags, validateOverrides } from "../../config/threshold-overrides.js";
import { CHECKS, selectChecks } from "../../checks/registry.js";
import type { Check } from "../../checks/model.js";
import type { Window } from "../../window.js";
import { DEFAULT_GATHER_SETTINGS, type GatherSettings } from "../../sources/context.js";
import type { Target } from "../../sources/target/model.js";
import { fleetRequest } from "../options/fleet.js";
import { timeoutSeconds } from "../options/timeout.js";
import { uploadSettingsFrom } from "../options/upload.js";
import { checkDoctorFlags, refuseEmptySelection } from "../options/validate-doctor.js";
import type { DoctorFlags } from "./doctor.js";

/** What planning reads from outside the flags and config: given, so a plan is a function of its inputs. */
export interface DoctorPlanEnv {
  /** The environment the run would see: the AWS variables are checked, the client config is read from it. */
  env: NodeJS.ProcessEnv;
  /** The end of a live run's window. */
  now: Date;
  /** This host's name, for --local. */
  hostname: string;
}

/** `--only`/`--skip` as flags over the config file. */
export interface Selection {
  only?: readonly string[] | undefined;
  skip?: readonly string[] | undefined;
}

/** Gather now: from the fleet (completed by the resolver: stack, Terraform outputs) or this host. */
export interface LiveInput {
  kind: "live";
  /** This host (--local), or the fleet as flags and the config file name it (fleetRequest). */
  target: Target;
  /** `--terraform-outputs FILE|-`: read by the run when it completes the fleet. */
  terraformOutputs?: string;
  window: Window;
  /** The selected checks that apply to the target (off-fleet volume checks are set aside by the run: it looks). */
  checks: Check[];
}

/** Evaluate a saved evidence bundle: its target and window are the bundle's. */
export interface ReplayInput {
  kind: "replay";
  /** As given: a file, or example:NAME for a packaged one (resolved and read by the run). */
  bundle: string;
  /** Applied once the bundle is read: which checks exist depends on its target being a fleet or a host. */
  selection: Selection;
  /** --only/--skip as the flags gave them: an empty selection they asked for is refused. */
  asked: Pick<DoctorFlags, "only" | "skip">;
}

export interface DoctorPlan {
  input: LiveInput | ReplayInput;
  /** Thresholds: the config file's, then --threshold (validated against the checks). */
  overrides: Record<string, number>;
  /** How the sources gather: host probe (samples, mount path, package dir and whether given), --dist, client env. */
  settings: GatherSettings;
  /** The window's length, as given: each --watch round ends its own window now. */
  since: string;
  /** `--timeout`: the whole run's deadline (each --watch round's), from its start. */
  timeoutMs: number;
  report: {
    format: Format;
    failOn: "warn" | "fail";
    /** `-o FILE`; stdout when absent. */
    output?: string;
    /** `--no-color` turns it off; the run still asks the terminal (NO_COLOR, not a TTY). */
    color: boolean;
    quiet: boolean;
    verbose: boolean;
  };
  /** `--save-evidence FILE [--pretty]`. */
  evidence?: { path: string; pretty: boolean };
  /** `--watch [INTERVAL] [--watch-hosts]`. */
  watch?: { intervalMs: number; hosts: boolean };
}

/** An on-call terminal's patience: the whole run, host sampling included. */
export const DEFAULT_TIMEOUT_SECONDS = 60;
export const DEFAULT_WATCH_SECONDS = 60;

/** `--watch` alone is 60 s; `--watch 30`, `--watch 30s`, `--watch 2m`. At least 1 s, at most 1 h. */
export function parseWatchInterval(value: string | boolean | undefined): number {
  if (value === undefined || value === true) return DEFAULT_WATCH_SECONDS * 1000;
  const text = String(value);
  const ms = /^\s*\d+(\.\d+)?\s*$/.test(text) ? Number(text) * 1000 : parseDuration(text, "--watch");
  if (!(ms >= 1000 && ms <= 3_600_000))
    throw new UsageError(`--watch: "${text}" must be from 1s to 1h (e.g. 30, 30s, 2m)`, "--watch");
  return ms;
}

function wholeNumber(text: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${flag}: "${text}" must be a whole number from ${min} to ${max}`, flag);
  return n;
}

/**
 * The checks a run against `target` would make: a local run has no fleet checks, so `--only alb` with
 * --local (or a replay of a local bundle) names no known check. An empty selection the flags asked for is
 * refused: an empty report would read as "all passed".
 */
export function checksFor(
  target: Target,
  selection: Selection,
  flags: Pick<DoctorFlags, "only" | "skip" | "local">,
): Check[] {
  const scopes: Check["scope"][] = target.kind === "local" ? ["host", "client"] : ["host", "fleet", "client"];
  const checks = selectChecks(
    CHECKS.filter((c) => scopes.includes(c.scope)),
    selection.only,
    selection.skip,
  );
  refuseEmptySelection(checks, flags);
  return checks;
}

/** The host probe's settings: flags over the config file's `host` section over the defaults. */
function probeSettings(flags: DoctorFlags, config: PypictlConfig): GatherSettings {
  const mountPath = flags.mountPath ?? config.host.mountPath;
  const packageDir = flags.packageDir ?? config.host.packageDir;
  const settings: GatherSettings = {
    ...DEFAULT_GATHER_SETTINGS,
    samples:
      wholeNumber(flags.samples, "--samples", 2, 60) ??
      config.host.samples ??
      DEFAULT_GATHER_SETTINGS.samples,
    mountPath: mountPath ?? DEFAULT_GATHER_SETTINGS.mountPath,
  };
  // Without --package-dir the packages are counted in the mount judged.
  settings.packageDir = packageDir ?? settings.mountPath;
  settings.mountPathGiven = mountPath !== undefined;
  settings.packageDirGiven = packageDir !== undefined;
  return settings;
}

/** Decide a doctor run. Throws UsageError for a bad invocation, before anything is read or called. */
export function planDoctor(flags: DoctorFlags, config: PypictlConfig, env: DoctorPlanEnv): DoctorPlan {
  checkDoctorFlags(flags, env.env);
  const timeoutMs = timeoutSeconds(flags.timeout, DEFAULT_TIMEOUT_SECONDS) * 1000;
  const since = flags.since ?? config.since ?? "1h";

  if (flags.config) validateOverrides(config.thresholds, CHECKS, `${flags.config}: thresholds`);
  const thresholdFlags = parseThresholdFlags(flags.threshold);
  validateOverrides(thresholdFlags, CHECKS, "--threshold");
  const overrides = { ...config.thresholds, ...thresholdFlags };

  // The upload and client sources: --dist, and the environment the user's client config is read from.
  const settings: GatherSettings = {
    ...probeSettings(flags, config),
    ...uploadSettingsFrom(flags),
    clientEnv: env.env,
  };

  const selection: Selection = { only: flags.only ?? config.only, skip: flags.skip ?? config.skip };
  let input: LiveInput | ReplayInput;
  if (flags.replay)
    input = {
      kind: "replay",
      bundle: flags.replay,
      selection,
      asked: { only: flags.only, skip: flags.skip },
    };
  else {
    const window = windowFor(since, env.now, flags.since ? "--since" : `${flags.config}: since`);
    const fleet = fleetRequest(flags, config.target).target;
    const target: Target = flags.local ? { kind: "local", host: env.hostname } : fleet;
    input = {
      kind: "live",
      target,
      ...(flags.terraformOutputs !== undefined ? { terraformOutputs: flags.terraformOutputs } : {}),
      window,
      checks: checksFor(target, selection, flags),
    };
  }

  if (flags.watchHosts && flags.watch === undefined)
    throw new UsageError("--watch-hosts needs --watch", "--watch-hosts");
  if (flags.watch !== undefined && flags.replay)
    throw new UsageError("--watch and --replay cannot be combined: a replay gathers nothing new", "--watch");
  const watch =
    flags.watch !== undefined
      ? { intervalMs: parseWatchInterval(flags.watch), hosts: flags.watchHosts === true }
      : undefined;

  return {
    input,
    overrides,
    settings,
    since,
    timeoutMs,
    report: {
      format: flags.format ?? config.format ?? "human",
      failOn: flags.failOn ?? config.failOn ?? "fail",
      ...(flags.output !== undefined ? { output: flags.output } : {}),
      color: flags.color !== false,
      quiet: flags.quiet === true,
      verbose: flags.verbose === true,
    },
    ...(flags.saveEvidence !== undefined
      ? { evidence: { path: flags.saveEvidence, pretty: flags.pretty === true } }
      : {}),
    ...(watch ? { watch } : {}),
  };
}
