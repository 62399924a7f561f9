/**
 * `pypictl doctor` at work: flags and config → a DoctorPlan → runDoctor → a rendered report and an exit code.
 * Everything it prints goes through the Io; the report is on stdout, progress and errors on stderr.
 */
import { readFile } from "node:fs/promises";
import { hostname } from "node:os";
import { type Io, out, err, useColor } from "../io.js";
import { EXIT } from "../exit-codes.js";
import { UsageError } from "../../errors.js";
import { TOOL_VERSION } from "../../version.js";
import { EMPTY_CONFIG, parseConfig, type Format, type PypictlConfig } from "../../config/config.js";
import { windowFor } from "../../config/duration.js";
import { parseThresholdFlags, validateOverrides } from "../../config/threshold-overrides.js";
import { CHECKS, selectChecks } from "../../checks/registry.js";
import type { Check } from "../../checks/model.js";
import { runDoctor } from "../../checks/doctor.js";
import { exitCodeFor, summarize } from "../../checks/report.js";
import { DEFAULT_GATHER_SETTINGS, type GatherSettings } from "../../sources/context.js";
import { loadSource } from "../../sources/registry.js";
import type { Target } from "../../sources/target/model.js";
import { bundleText, makeBundle, parseBundle } from "../../evidence/bundle.js";
import { deliver } from "../deliver.js";
import { validateDoctorFlags, refuseEmptySelection, printConfigWarnings } from "../options/validate-doctor.js";
import { fleetRequest } from "../options/fleet.js";
import type { DoctorFlags } from "./doctor.js";
import { resolveFleet } from "../options/resolve-fleet.js";
import { renderReportByFormat } from "../render/by-format.js";
import { rejectFormatAsOutput } from "../options/output-flag.js";
import { listExamples, renderExampleList, resolveReplayArg } from "../options/examples.js";
import { localSampleWindow } from "../options/local-window.js";
import { HOST_ROLE_SOURCE, VOLUME_CHECK_IDS, hostRoleEvidence, notApplicableFinding, offFleetFromEvidence, offFleetReason } from "../options/off-fleet.js";
import { ProgressLine } from "../progress.js";
import { uploadSettingsFrom } from "../options/upload.js";
import { callCounts, callsBetween } from "../../sources/aws/call-log.js";
import { timeoutSeconds } from "../options/timeout.js";
import { AwsClientPool } from "../../sources/aws/pool.js";

async function readBytes(path: string, flag: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new UsageError(`${flag} ${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, flag);
  }
}

const readText = async (path: string, flag: string): Promise<string> => (await readBytes(path, flag)).toString("utf8");

function wholeNumber(text: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag}: "${text}" must be a whole number from ${min} to ${max}`, flag);
  return n;
}

/**
 * The sources a `--only`/`--skip` selection would run against a fleet identified by cluster and service
 * alone (every discovery path), for `--print-iam-policy`; undefined without a selection (the full policy).
 */
async function selectionSources(flags: DoctorFlags): Promise<string[] | undefined> {
  if (!flags.only?.length && !flags.skip?.length) return undefined;
  const { sourceClosure, gatherPlanFor, neededSources } = await import("../../checks/runner.js");
  const checks = selectChecks(CHECKS.filter((c) => c.scope !== "client"), flags.only, flags.skip);
  const target: Target = { kind: "fleet", cluster: "cluster", service: "service" };
  return sourceClosure(neededSources(checks), target, gatherPlanFor(checks), loadSource);
}

/** An on-call terminal's patience: the whole run, host sampling included. */
export const DEFAULT_TIMEOUT_SECONDS = 60;

export async function doctorAction(flags: DoctorFlags, io: Io, now: () => Date = () => new Date()): Promise<number> {
  rejectFormatAsOutput(flags.output);
  if (flags.examples) {
    out(io, renderExampleList(listExamples()));
    return EXIT.ok;
  }
  if (flags.list) {
    // The catalogue renderers (chalk) load only for --list and --explain.
    if (flags.format === "json") out(io, (await import("../render/catalogue-json.js")).renderCheckListJson(CHECKS));
    else out(io, (await import("../render/catalogue.js")).renderCheckList(CHECKS, { color: useColor(io, io.stdout, flags.color) }));
    return EXIT.ok;
  }
  if (flags.explain) {
    out(io, (await import("../render/catalogue.js")).renderExplain(flags.explain));
    return EXIT.ok;
  }
  if (flags.printIamPolicy) {
    const { doctorIamPolicy } = await import("../../sources/aws/iam-policy.js");
    out(io, `${JSON.stringify(doctorIamPolicy(await selectionSources(flags)), null, 2)}\n`);
    return EXIT.ok;
  }
  await validateDoctorFlags(flags, io);
  if (flags.replay && flags.local) throw new UsageError("--replay and --local cannot be combined: a replay gathers nothing", "--replay");
  if (flags.replay && flags.saveEvidence) throw new UsageError("--replay and --save-evidence cannot be combined", "--save-evidence");

  const timeoutMs = timeoutSeconds(flags.timeout, DEFAULT_TIMEOUT_SECONDS) * 1000;
  const runDeadlineAt = Date.now() + timeoutMs;
  const config: PypictlConfig = flags.config ? parseConfig(await readText(flags.config, "--config"), flags.config) : EMPTY_CONFIG;
  printConfigWarnings(config, io);
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
  settings.mountPathGiven = (flags.mountPath ?? config.host.mountPath) !== undefined;
  settings.packageDirGiven = (flags.packageDir ?? config.host.packageDir) !== undefined;
  // The upload and client sources: --dist, and the environment the user's client config is read from.
  Object.assign(settings, uploadSettingsFrom(flags), { clientEnv: io.env });
  // This run's AWS clients (every --watch round too): the fleet resolver and the sources share them.
  settings.aws = new AwsClientPool();

  let target: Target;
  let window;
  let replay;
  if (flags.replay) {
    const file = resolveReplayArg(flags.replay);
    // Bytes, not text: the bundle parser reads its metric points from the bytes (no 40 MB string to decode).
    const bundle = parseBundle(await readBytes(file, "--replay"), flags.replay);
    target = bundle.target;
    window = bundle.window;
    replay = { evidence: bundle.sources, file: flags.replay, gatheredAt: bundle.createdAt };
  } else {
    window = windowFor(since, now(), flags.since ? "--since" : `${flags.config}: since`);
    target = flags.local ? { kind: "local", host: hostname() } : fleetRequest(flags, config.target).target;
  }

  // Which checks apply: a local run has no fleet; a replay runs the checks its evidence can answer.
  const scopes: Check["scope"][] = target.kind === "local" ? ["host", "client"] : ["host", "fleet", "client"];
  const applicable = CHECKS.filter((c) => scopes.includes(c.scope));
  const checks = selectChecks(applicable, flags.only ?? config.only, flags.skip ?? config.skip);
  refuseEmptySelection(checks, flags);
  // Off the fleet the package-volume checks do not apply; a replay of such a run says so from its evidence.
  const offFleet = replay
    ? offFleetFromEvidence(replay.evidence)
    : target.kind === "local"
      ? offFleetReason({
          mountPath: settings.mountPath,
          defaultMountPath: DEFAULT_GATHER_SETTINGS.mountPath,
          volumeGiven: [flags.mountPath, flags.packageDir, config.host.mountPath, config.host.packageDir].some((v) => v !== undefined),
        })
      : undefined;
  const notApplicable = offFleet ? checks.filter((c) => (VOLUME_CHECK_IDS as readonly string[]).includes(c.id)) : [];
  if (notApplicable.length) checks.splice(0, checks.length, ...checks.filter((c) => !notApplicable.includes(c)));
  if (replay) checks.splice(0, checks.length, ...checks.filter((c) => c.needs.every((id) => id in replay.evidence)));

  if (!replay && target.kind === "fleet")
    target = await resolveFleet(target, flags, io, {
      aws: settings.aws,
      deadlineAt: runDeadlineAt,
      onCredentials: (c) => {
        io.secrets.add(c.password); // masked in every line doctor prints from here on
        settings.credentials = c;
      },
    });

  if (flags.watchHosts && flags.watch === undefined) throw new UsageError("--watch-hosts needs --watch", "--watch-hosts");
  // What a run and every --watch round share; each adds its window, progress and deadline.
  const plan = { checks, overrides, target, settings, toolVersion: TOOL_VERSION, load: loadSource, now };
  if (flags.watch !== undefined) {
    const { watchDoctor } = await import("./doctor-watch.js");
    return watchDoctor({ flags, io, now, since, format, failOn, plan, roundTimeoutMs: timeoutMs });
  }
  const gatherStart = now();
  const progress = new ProgressLine(io, !flags.quiet && io.stderr.isTTY === true);
  const timings: Record<string, number> = {};
  const callsBefore = callCounts();
  const { report, evidence } = await runDoctor({
    ...plan,
    window,
    replay,
    runDeadlineAt,
    onProgress: (e) => {
      progress.update(e);
      if (e.type === "source-done") timings[e.id] = e.ms;
      if (flags.verbose && e.type === "source-done") {
        // The requests' own time (from the moment each was sent), not the event loop's.
        const req = e.requests ? `, ${e.requests.count} request${e.requests.count === 1 ? "" : "s"} over ${e.requests.spanMs} ms (${e.requests.wireMs} ms on the wire)` : "";
        err(io, `source ${e.id}: ${e.ok ? "ok" : "failed"} in ${e.ms} ms${req}\n`);
      }
    },
  });
  progress.clear();
  if (!replay && report.findings.length > 0 && report.findings.every((f) => f.messageId === "source-no-identity" || f.messageId === "series-unavailable")) {
    const causes = [...new Set(report.findings.map((f) => String(f.data.cause)))];
    throw new UsageError(`nothing selected can run against this target: ${causes.join("; ")}`, "--stack");
  }
  if (offFleet && !replay) evidence[HOST_ROLE_SOURCE] = hostRoleEvidence(offFleet, now());
  if (notApplicable.length) {
    report.findings.push(...notApplicable.map((c) => notApplicableFinding(c, offFleet!)));
    const order = new Map(CHECKS.map((c, i) => [c.id, i]));
    report.findings.sort((a, b) => (order.get(a.checkId) ?? 0) - (order.get(b.checkId) ?? 0));
    report.summary = summarize(report.findings);
  }
  // A local run looks at a few seconds of vmstat, not at the --since window: say so in the report.
  if (!replay && target.kind === "local") {
    report.window = localSampleWindow(gatherStart, now(), settings.samples);
    window = report.window;
  }

  const rendered = await renderReportByFormat(report, format, {
    color: flags.output === undefined && useColor(io, io.stdout, flags.color),
    quiet: flags.quiet === true,
    width: io.stdout.columns ?? 100,
    evidence,
    timings,
    calls: callsBetween(callsBefore, callCounts()),
  });
  const delivered = await deliver(io, {
    rendered,
    output: flags.output,
    evidence: flags.saveEvidence
      ? { path: flags.saveEvidence, text: () => bundleText(makeBundle({ version: TOOL_VERSION, window, target, evidence, now: now() }), { pretty: flags.pretty }) }
      : undefined,
    quiet: flags.quiet === true,
  });
  return delivered ? exitCodeFor(report.summary, failOn) : EXIT.usage;
}
