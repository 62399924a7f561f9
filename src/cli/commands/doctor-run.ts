/**
 * `pypictl doctor` at work: flags and config → a DoctorPlan (doctor-plan.ts) → runDoctorPlan → a rendered
 * report and an exit code.
 * Everything it prints goes through the Io; the report is on stdout, progress and errors on stderr.
 */
import { hostname } from "node:os";
import { type Io, err, useColor } from "../io.js";
import { reportWidth } from "../render/wrap.js";
import { EXIT } from "../exit-codes.js";
import { UsageError } from "../../errors.js";
import { TOOL_VERSION } from "../../version.js";
import { EMPTY_CONFIG, parseConfig, type Format, type PypictlConfig } from "../../config/config.js";
import { CHECKS, selectChecks } from "../../checks/registry.js";
import type { Check } from "../../checks/model.js";
import { runDoctor } from "../../checks/doctor.js";
import { exitCodeFor, summarize } from "../../checks/report.js";
import { DEFAULT_GATHER_SETTINGS, type GatherSettings } from "../../sources/context.js";
import { SOURCE_LOADERS, loadSource } from "../../sources/registry.js";
import type { Target } from "../../sources/target/model.js";
import type { Evidence } from "../../sources/model.js";
import type { Window } from "../../window.js";
import { bundleText, makeBundle, parseBundle, type EvidenceBundle } from "../../evidence/bundle.js";
import { deliver } from "../deliver.js";
import { validateDoctorFlags, printConfigWarnings } from "../options/validate-doctor.js";
import type { DoctorFlags } from "./doctor.js";
import {
  DEFAULT_TIMEOUT_SECONDS,
  checksFor,
  planDoctor,
  type DoctorPlan,
  type LiveInput,
  type ReplayInput,
} from "./doctor-plan.js";
import { resolveFleet } from "../options/resolve-fleet.js";
import { renderReportByFormat } from "../render/by-format.js";
import { formatForOutput, outputFile, rejectFormatAsOutput } from "../options/output-flag.js";
import { LISTING_FORMATS, listingMode, type Listing } from "../options/modes.js";
import { checkFilePaths } from "../options/validate-paths.js";
import {
  listExamples,
  renderExampleList,
  renderExamplesJson,
  resolveReplayArg,
} from "../options/examples.js";
import { localSampleWindow } from "../options/local-window.js";
import {
  HOST_ROLE_SOURCE,
  VOLUME_CHECK_IDS,
  hostRoleEvidence,
  notApplicableFinding,
  offFleetFromEvidence,
  offFleetReason,
} from "../options/off-fleet.js";
import { ProgressLine } from "../progress.js";
import { callCounts, callsBetween } from "../../sources/aws/call-log.js";
import { AwsClientPool } from "../../sources/aws/pool.js";
import {
  replayBundleSpec,
  MAX_CONFIG_BYTES,
  inputDeadline,
  readInput,
  type InputSpec,
} from "../../input/read-input.js";
import { timeoutSeconds } from "../options/timeout.js";

/** The config file's bytes, within MAX_CONFIG_BYTES and the run's --timeout (a FIFO, a device). */
async function readConfigText(path: string, timeoutMs: number): Promise<string> {
  const spec: InputSpec = {
    flag: "--config",
    what: "a config file",
    maxBytes: MAX_CONFIG_BYTES,
    limitName: "MAX_CONFIG_BYTES",
    ...inputDeadline(timeoutMs),
  };
  return (await readInput(path, spec)).toString("utf8");
}

/**
 * The sources a `--only`/`--skip` selection would run against a fleet identified by cluster and service
 * alone (every discovery path), for `--print-iam-policy`; undefined without a selection (the full policy).
 */
async function selectionSources(flags: DoctorFlags): Promise<string[] | undefined> {
  if (!flags.only?.length && !flags.skip?.length) return undefined;
  const { sourceClosure, gatherPlanFor, neededSources } = await import("../../checks/runner.js");
  const checks = selectChecks(
    CHECKS.filter((c) => c.scope !== "client"),
    flags.only,
    flags.skip,
  );
  const target: Target = { kind: "fleet", cluster: "cluster", service: "service" };
  return sourceClosure(neededSources(checks), target, gatherPlanFor(checks), loadSource);
}

/** --examples, --list, --explain, --print-iam-policy: each as human text or one JSON document. */
async function renderListing(listing: Listing, flags: DoctorFlags, format: Format, io: Io): Promise<string> {
  const json = format === "json";
  switch (listing) {
    case "examples":
      return json
        ? renderExamplesJson(listExamples())
        : renderExampleList(listExamples(), reportWidth(io.stdout, io.env, flags.output));
    case "list":
      // The catalogue renderers (chalk) load only for --list and --explain.
      if (json) return (await import("../render/catalogue-json.js")).renderCheckListJson(CHECKS);
      return (await import("../render/catalogue.js")).renderCheckList(CHECKS, {
        color: flags.output === undefined && useColor(io, io.stdout, flags.color),
        width: reportWidth(io.stdout, io.env, flags.output),
      });
    case "explain":
      if (json) return (await import("../render/catalogue-json.js")).renderExplainJson(flags.explain!);
      return (await import("../render/catalogue.js")).renderExplain(flags.explain!);
    case "printIamPolicy": {
      // A policy document is JSON whichever format was asked; what each statement is for goes to stderr.
      const { resolvedIamPolicy } = await import("./print-policy.js");
      const { policy, comments } = await resolvedIamPolicy(flags, io, await selectionSources(flags));
      for (const line of comments) err(io, `# ${line}\n`);
      return `${JSON.stringify(policy, null, 2)}\n`;
    }
  }
}

/**
 * The edge: the listings (--examples, --list, --explain, --print-iam-policy), then the flags and files
 * checked, the config file read, a plan made (doctor-plan.ts) and run.
 */
export async function doctorAction(
  flags: DoctorFlags,
  io: Io,
  now: () => Date = () => new Date(),
): Promise<number> {
  rejectFormatAsOutput(flags.output);
  // `-o -` is stdout, as everywhere; a report's format follows --format, else the file's extension.
  flags.output = outputFile(flags.output);
  const listing = listingMode(flags);
  if (listing) {
    const format = formatForOutput(flags.output, flags.format, "human");
    if (!LISTING_FORMATS[listing].includes(format))
      throw new UsageError(
        `--output ${flags.output}: this listing is printed as ${LISTING_FORMATS[listing].join(" or ")}`,
        "--output",
      );
    await checkFilePaths([{ flag: "--output", path: flags.output }], []);
    const rendered = await renderListing(listing, flags, format, io);
    return (await deliver(io, { rendered, output: flags.output, quiet: flags.quiet === true }))
      ? EXIT.ok
      : EXIT.usage;
  }
  if (flags.output !== undefined) flags.format = formatForOutput(flags.output, flags.format, "human");
  await validateDoctorFlags(flags, io);
  const config: PypictlConfig = flags.config
    ? parseConfig(
        await readConfigText(flags.config, timeoutSeconds(flags.timeout, DEFAULT_TIMEOUT_SECONDS) * 1000),
        flags.config,
      )
    : EMPTY_CONFIG;
  printConfigWarnings(config, io);
  const plan = planDoctor(flags, config, { env: io.env, now: now(), hostname: hostname() });
  return runDoctorPlan(plan, io, now);
}

/** What a run evaluates once its input is in: the target, its window, the checks and what they are judged on. */
interface Prepared {
  target: Target;
  window: Window;
  checks: Check[];
  /** Volume checks that do not apply off the fleet, and why. */
  notApplicable: Check[];
  offFleet?: string;
  replay?: { evidence: Evidence; file: string; gatheredAt: string };
}

/**
 * The bundle at `file` (named `name` in errors): read whole, then parsed and validated by parseBundle
 * (issue 23: JSON.parse; the streamed points scanner saved ~3% of a 20-host day's replay). At most
 * MAX_BUNDLE_BYTES, and a FIFO or device no longer than the run's --timeout (issue 26).
 */
async function readReplayBundle(file: string, name: string, deadlineAt: number): Promise<EvidenceBundle> {
  const bytes = await readInput(file, replayBundleSpec(deadlineAt));
  return parseBundle(bytes, name);
}

/** A replay: the bundle read, and the selection applied to what it holds. */
async function prepareReplay(input: ReplayInput, deadlineAt: number): Promise<Prepared> {
  const file = resolveReplayArg(input.bundle);
  const bundle = await readReplayBundle(file, input.bundle, deadlineAt);
  const replay = { evidence: bundle.sources, file: input.bundle, gatheredAt: bundle.createdAt };
  const selected = checksFor(bundle.target, input.selection, input.asked);
  // A replay of an off-fleet run says so from its evidence; it runs the checks its evidence can answer.
  const offFleet = offFleetFromEvidence(replay.evidence);
  const notApplicable = offFleet ? selected.filter(isVolumeCheck) : [];
  refuseUnknownSources(input.bundle, replay.evidence);
  const held = (id: string) => Object.hasOwn(replay.evidence, id);
  const checks = selected.filter((c) => !notApplicable.includes(c) && c.needs.every(held));
  // A selection the bundle cannot answer is not a pass about nothing (issue 26): a CI gate on the wrong
  // bundle must fail, saying what was missing.
  // A check that needs nothing (it reads optional evidence) judges nothing when none of that is there.
  const judged = checks.filter((c) => [...c.needs, ...(c.uses ?? [])].some(held));
  if (judged.length === 0 && notApplicable.length === 0)
    throw emptyReplaySelection(input.bundle, selected, replay.evidence);
  return {
    target: bundle.target,
    window: bundle.window,
    checks,
    notApplicable,
    ...(offFleet ? { offFleet } : {}),
    replay,
  };
}

/**
 * A bundle holds the sources this version gathers (and the off-fleet marker): any other key is a bundle
 * from elsewhere or a crafted one, and its checks would be judged on nothing.
 */
function refuseUnknownSources(bundle: string, evidence: Evidence): void {
  const unknown = Object.keys(evidence).filter(
    (id) => !Object.hasOwn(SOURCE_LOADERS, id) && id !== HOST_ROLE_SOURCE,
  );
  if (unknown.length)
    throw new UsageError(
      `--replay ${bundle}: sources.${unknown[0]}: not an evidence source pypictl knows (known: ${Object.keys(SOURCE_LOADERS).join(", ")})`,
      "--replay",
    );
}

function emptyReplaySelection(bundle: string, selected: readonly Check[], evidence: Evidence): UsageError {
  const held = Object.keys(evidence);
  const missing = selected
    .slice(0, 5)
    .map((c) => `${c.id} needs ${c.needs.filter((id) => !Object.hasOwn(evidence, id)).join(", ")}`);
  const more = selected.length > 5 ? `; and ${selected.length - 5} more` : "";
  return new UsageError(
    `--replay ${bundle}: no selected check can be judged from this bundle (${missing.join("; ")}${more}); the bundle holds ${held.length ? held.join(", ") : "no evidence"}`,
    "--replay",
  );
}

const isVolumeCheck = (c: Check) => (VOLUME_CHECK_IDS as readonly string[]).includes(c.id);

/** A live run: off this host's fleet the volume checks do not apply (it looks for the volume and the ECS agent). */
function prepareLive(plan: DoctorPlan, input: LiveInput): Prepared {
  const offFleet =
    input.target.kind === "local"
      ? offFleetReason({
          mountPath: plan.settings.mountPath,
          defaultMountPath: DEFAULT_GATHER_SETTINGS.mountPath,
          volumeGiven: plan.settings.mountPathGiven === true || plan.settings.packageDirGiven === true,
        })
      : undefined;
  const notApplicable = offFleet ? input.checks.filter(isVolumeCheck) : [];
  const checks = input.checks.filter((c) => !notApplicable.includes(c));
  return {
    target: input.target,
    window: input.window,
    checks,
    notApplicable,
    ...(offFleet ? { offFleet } : {}),
  };
}

/** Execute a plan: the input read (bundle) or completed (fleet), then gather → evaluate → render → deliver. */
export async function runDoctorPlan(
  plan: DoctorPlan,
  io: Io,
  now: () => Date = () => new Date(),
): Promise<number> {
  const runDeadlineAt = Date.now() + plan.timeoutMs;
  // This run's AWS clients (every --watch round too): the fleet resolver and the sources share them.
  const settings: GatherSettings = { ...plan.settings, aws: new AwsClientPool() };
  const input = plan.input;
  const prepared =
    input.kind === "replay" ? await prepareReplay(input, runDeadlineAt) : prepareLive(plan, input);
  const { checks, notApplicable, offFleet, replay } = prepared;
  let { target, window } = prepared;

  if (input.kind === "live" && target.kind === "fleet")
    target = await resolveFleet(target, { terraformOutputs: input.terraformOutputs }, io, {
      aws: settings.aws,
      deadlineAt: runDeadlineAt,
      onCredentials: (c) => {
        io.secrets.add(c.password); // masked in every line doctor prints from here on
        settings.credentials = c;
      },
    });

  // What a run and every --watch round share; each adds its window, progress and deadline.
  const run = {
    checks,
    overrides: plan.overrides,
    target,
    settings,
    toolVersion: TOOL_VERSION,
    load: loadSource,
    now,
  };
  if (plan.watch) {
    const { watchDoctor } = await import("./doctor-watch.js");
    return watchDoctor({ doctor: plan, watch: plan.watch, io, now, run });
  }
  const { report: how } = plan;
  const gatherStart = now();
  const progress = new ProgressLine(io, !how.quiet && io.stderr.isTTY === true);
  const timings: Record<string, number> = {};
  const callsBefore = callCounts();
  const { report, evidence } = await runDoctor({
    ...run,
    window,
    replay,
    runDeadlineAt,
    onProgress: (e) => {
      progress.update(e);
      if (e.type === "source-done") timings[e.id] = e.ms;
      if (how.verbose && e.type === "source-done") {
        // The requests' own time (from the moment each was sent), not the event loop's.
        const req = e.requests
          ? `, ${e.requests.count} request${e.requests.count === 1 ? "" : "s"} over ${e.requests.spanMs} ms (${e.requests.wireMs} ms on the wire)`
          : "";
        err(io, `source ${e.id}: ${e.ok ? "ok" : "failed"} in ${e.ms} ms${req}\n`);
      }
    },
  });
  progress.clear();
  if (
    !replay &&
    report.findings.length > 0 &&
    report.findings.every((f) => f.messageId === "source-no-identity" || f.messageId === "series-unavailable")
  ) {
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

  const rendered = await renderReportByFormat(report, how.format, {
    color: how.output === undefined && useColor(io, io.stdout, how.color),
    quiet: how.quiet,
    width: reportWidth(io.stdout, io.env, how.output),
    evidence,
    timings,
    calls: callsBetween(callsBefore, callCounts()),
  });
  const saved = plan.evidence;
  const delivered = await deliver(io, {
    rendered,
    output: how.output,
    evidence: saved
      ? {
          path: saved.path,
          text: () =>
            bundleText(makeBundle({ version: TOOL_VERSION, window, target, evidence, now: now() }), {
              pretty: saved.pretty,
            }),
        }
      : undefined,
    quiet: how.quiet,
  });
  return delivered ? exitCodeFor(report.summary, how.failOn) : EXIT.usage;
}
