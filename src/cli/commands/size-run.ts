/**
 * `pypictl size` at work: the fleet found like doctor finds it (stack, Terraform outputs, flags) or a bundle
 * replayed → the evidence (ECS service, hosts, EFS, the long-window load) → the capacity model → a report,
 * rendered and delivered. Only this file and the renderers decide what is printed; the exit code is
 * 0 for a report (1 when its verdict is named in --fail-on), 2 for bad input, 3 when the fleet could not be
 * read well enough to size it.
 */
import { readInput, replayBundleSpec } from "../../input/read-input.js";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type Io, err, out } from "../io.js";
import { EXIT } from "../exit-codes.js";
import { IncompleteError, UsageError } from "../../errors.js";
import { TOOL_VERSION } from "../../version.js";
import { SIZE_FAIL_VERDICTS, type SizeFailVerdict, type SizeFlags } from "./size.js";
import { rejectFormatAsOutput } from "../options/output-flag.js";
import { sizeWindow } from "../options/size-window.js";
import { timeoutSeconds } from "../options/timeout.js";
import { fleetRequest } from "../options/fleet.js";
import { EXAMPLE_PREFIX, examplesDir } from "../options/examples.js";
import { deliver } from "../deliver.js";
import type { Evidence } from "../../sources/model.js";
import { describeTarget, type FleetTarget, type Target } from "../../sources/target/model.js";
import type { Window } from "../../window.js";
import { SIZE_SOURCE_ID } from "../../capacity/evidence.js";
import { PACKAGE_COUNT_SOURCE } from "../../sources/http/package-count.js";
import { capacityOf, UnknownInstanceTypeError } from "../../capacity/model.js";
import { presetOf } from "../../capacity/recommend.js";
import {
  ConfigUnreadable,
  fleetEvidence,
  observeLoad,
  packageReadingOf,
  readConfig,
  sizeLoadOf,
} from "../../capacity/observe.js";
import {
  HOURS_PER_MONTH,
  buildSizeReport,
  type FleetKind,
  type SizeCost,
  type SizeReport,
} from "../../capacity/size-report.js";

/** The sources `size` gathers: the fleet's discovery, the long-window load and the index's package count. */
export const SIZE_SOURCES = [SIZE_SOURCE_ID, PACKAGE_COUNT_SOURCE] as const;
/** Every source a size run may touch (for its IAM policy): the load source's dependencies and the prices. */
export const SIZE_POLICY_SOURCES = [
  "ecs.service",
  "fleet.instances",
  "efs.file-system",
  "elb.targets",
  SIZE_SOURCE_ID,
  "size.pricing",
];
export const DEFAULT_SIZE_TIMEOUT_SECONDS = 120;

// ---- packaged examples (examples/size/*.json) -----------------------------------------------------------

export function sizeExamplesDir(): string {
  return join(examplesDir(), "size");
}

export function sizeExampleNames(): string[] {
  const dir = sizeExamplesDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -5))
    .sort();
}

function resolveSizeReplay(arg: string): string {
  if (!arg.startsWith(EXAMPLE_PREFIX)) return arg;
  const name = arg.slice(EXAMPLE_PREFIX.length).replace(/\.json$/, "");
  const names = sizeExampleNames();
  if (!names.includes(name))
    throw new UsageError(
      `--replay ${arg}: no packaged size example "${name}". Known: ${names.join(", ") || "none in this install"} (pypictl size --examples)`,
      "--replay",
    );
  return join(sizeExamplesDir(), `${name}.json`);
}

function renderSizeExamples(): string {
  const names = sizeExampleNames();
  const width = Math.max(10, ...names.map((n) => n.length));
  const lines = names.map((name) => {
    let description = "";
    try {
      description =
        (
          JSON.parse(readFileSync(join(sizeExamplesDir(), `${name}.json`), "utf8")) as {
            description?: string;
          }
        ).description ?? "";
    } catch {
      description = "(unreadable)";
    }
    return `${name.padEnd(width)}  ${description}`;
  });
  lines.push(
    "",
    `${names.length} recorded fleets ship with pypictl. Replay one: pypictl size --replay example:NAME`,
  );
  return `${lines.join("\n")}\n`;
}

// ---- the action ---------------------------------------------------------------------------------------

/**
 * `--fail-on undersized[,oversized]`: the verdicts that make a report exit 1 (a CI gate), as checkov's
 * `--hard-fail-on` takes a comma-separated list. Anything else is exit 2 naming the flag and the choices.
 */
export function parseSizeFailOn(value: string | undefined): SizeFailVerdict[] {
  if (value === undefined) return [];
  const items = value.split(",").map((v) => v.trim().toLowerCase());
  const bad = items.filter((v) => !(SIZE_FAIL_VERDICTS as readonly string[]).includes(v));
  if (bad.length || items.length === 0)
    throw new UsageError(
      `--fail-on ${JSON.stringify(value)}: ${bad.map((b) => (b === "" ? "an empty item" : `"${b}"`)).join(", ")} is not a verdict to fail on; use ${SIZE_FAIL_VERDICTS.join(", ")} or both comma-separated (a fleet that fits never fails)`,
      "--fail-on",
    );
  return [...new Set(items as SizeFailVerdict[])];
}

interface Input {
  evidence: Evidence;
  target: Target;
  window: Window;
  fleetKind: FleetKind;
  replay: boolean;
  pool?: import("../../sources/aws/pool.js").AwsClientPool;
  deadlineAt: number;
}

function kindOf(t: Target, terraform: boolean): FleetKind {
  if (terraform) return "terraform";
  if (t.kind === "fleet" && t.stack) return "stack";
  return "unknown";
}

async function replayInput(file: string, deadlineAt: number): Promise<Input> {
  const path = resolveSizeReplay(file);
  // At most MAX_BUNDLE_BYTES; a FIFO or device no longer than the run's --timeout.
  const bytes = await readInput(path, replayBundleSpec(deadlineAt));
  const { parseBundle } = await import("../../evidence/bundle.js");
  const bundle = parseBundle(bytes, file);
  if (!(SIZE_SOURCE_ID in bundle.sources))
    throw new UsageError(
      `--replay ${file}: the bundle holds no ${SIZE_SOURCE_ID} evidence (save one with pypictl size --save-evidence; doctor's bundles cover an hour, not a sizing window)`,
      "--replay",
    );
  const { validateSizeLoad } = await import("../../capacity/validate.js");
  const load = bundle.sources[SIZE_SOURCE_ID]!;
  if (load.ok) validateSizeLoad(load.value, `${file}: sources.${SIZE_SOURCE_ID}.value`);
  const recorded = load.ok ? (load.value as { fleetKind?: FleetKind }).fleetKind : undefined;
  return {
    evidence: bundle.sources,
    target: bundle.target,
    window: bundle.window,
    fleetKind: recorded ?? kindOf(bundle.target, false),
    replay: true,
    deadlineAt,
  };
}

async function liveInput(flags: SizeFlags, io: Io, window: Window, deadlineAt: number): Promise<Input> {
  const { AwsClientPool } = await import("../../sources/aws/pool.js");
  const { resolveFleet } = await import("../options/resolve-fleet.js");
  const { gather } = await import("../../checks/runner.js");
  const { loadSource } = await import("../../sources/registry.js");
  const { DEFAULT_GATHER_SETTINGS } = await import("../../sources/context.js");
  const pool = new AwsClientPool();
  const requested: FleetTarget = fleetRequest(flags).target;
  const target = await resolveFleet(requested, { terraformOutputs: flags.terraformOutputs }, io, {
    aws: pool,
    deadlineAt,
    onCredentials: (c) => io.secrets.add(c.password),
  });
  const fleetKind = kindOf(target, flags.terraformOutputs !== undefined);
  const evidence = await gather([...SIZE_SOURCES], {
    target,
    window,
    settings: { ...DEFAULT_GATHER_SETTINGS, aws: pool, sizeFleetKind: fleetKind },
    load: loadSource,
    runDeadlineAt: deadlineAt,
    concurrency: 4,
  });
  return {
    evidence,
    target,
    window,
    fleetKind,
    replay: false,
    pool,
    deadlineAt,
  };
}

/** Evidence → report (cost left to the caller). Throws IncompleteError when the fleet cannot be sized. */
export function sizeReportOf(input: Omit<Input, "pool" | "deadlineAt">, now: Date): SizeReport {
  const fe = fleetEvidence(input.evidence);
  if (!fe.service)
    throw new IncompleteError(
      `cannot size: the ECS service was not read (${fe.serviceError ?? "ecs.service not gathered"}). Identify the fleet with --stack, --terraform-outputs or --cluster and --service.`,
    );
  const load = sizeLoadOf(input.evidence);
  const loadResult = input.evidence[SIZE_SOURCE_ID];
  if (!load)
    throw new IncompleteError(
      `cannot size: the load was not read (${loadResult && !loadResult.ok ? `${loadResult.kind}: ${loadResult.message}` : "size.load not gathered"})`,
    );
  const packages = packageReadingOf(input.evidence);
  let reading;
  let cap;
  try {
    reading = readConfig(fe.service, fe.instances, fe.fileSystem, load);
    cap = capacityOf(reading.config, "files" in packages ? { packageFiles: packages.files } : {});
  } catch (e) {
    if (e instanceof ConfigUnreadable || e instanceof UnknownInstanceTypeError)
      throw new IncompleteError(`cannot size: ${e.message}`);
    throw e;
  }
  const observed = observeLoad(
    load,
    reading.config,
    cap.requestsPerMinute.atMin,
    fe.instances?.instances.length ?? 0,
    packages,
  );
  if (!observed.requests)
    throw new IncompleteError(
      `cannot size: no request rate over the window (${observed.missing.find((m) => m.startsWith("request")) ?? "ALB RequestCount missing"}); pass --load-balancer if the stack does not name it`,
    );
  const size = presetOf(reading.config);
  return buildSizeReport({
    toolVersion: TOOL_VERSION,
    now,
    window: input.window,
    target: describeTarget(input.target),
    ...(input.target.kind === "fleet" && input.target.stack ? { stack: input.target.stack } : {}),
    fleetKind: input.fleetKind,
    resolution: load.resolution,
    current: reading.config,
    ...(size ? { currentSize: size } : {}),
    observed,
    assumed: reading.assumed,
    cost: {
      available: false,
      reason: input.replay
        ? "replayed from a bundle (offline): prices are looked up only against AWS"
        : "not looked up",
    },
    metricCalls: load.calls,
  });
}

async function costOf(report: SizeReport, input: Input, flags: SizeFlags): Promise<SizeCost> {
  if (input.replay || !input.pool) return report.cost;
  if (!flags.cost) return { available: false, reason: "--no-cost: prices not looked up" };
  const t = input.target.kind === "fleet" ? input.target : undefined;
  const region =
    t?.region ??
    (await (
      await input.pool.for({ profile: t?.profile }).cloudwatch()
    ).config
      .region()
      .catch(() => undefined));
  if (!region) return { available: false, reason: "the fleet's region is not known" };
  const { onDemandHourly } = await import("../../sources/aws/pricing.js");
  const types = [report.current.instanceType, report.recommended.instanceType];
  const r = await onDemandHourly(input.pool, { profile: t?.profile }, region, types, input.deadlineAt);
  const missing = types.filter((x) => r.hourly[x] === undefined);
  if (missing.length)
    return {
      available: false,
      reason: `the Price List API gave no price for ${missing.map((m) => `${m} (${r.errors[m] ?? "?"})`).join(", ")}`,
    };
  const monthly = (type: string, hosts: number) =>
    Math.round(r.hourly[type]! * HOURS_PER_MONTH * hosts * 100) / 100;
  return {
    available: true,
    currency: "USD",
    source: `AWS Price List API, ${region}, Linux on-demand, ${HOURS_PER_MONTH} h/month, minimum hosts`,
    hourly: r.hourly,
    currentMonthly: monthly(report.current.instanceType, report.current.minHosts),
    recommendedMonthly: monthly(report.recommended.instanceType, report.recommended.minHosts),
  };
}

export async function sizeAction(
  flags: SizeFlags,
  io: Io,
  now: () => Date = () => new Date(),
): Promise<number> {
  rejectFormatAsOutput(flags.output);
  const failOn = parseSizeFailOn(flags.failOn);
  if (flags.examples) {
    out(io, renderSizeExamples());
    return EXIT.ok;
  }
  if (flags.printIamPolicy) {
    const { doctorIamPolicy } = await import("../../sources/aws/iam-policy.js");
    const policy = doctorIamPolicy(SIZE_POLICY_SOURCES);
    out(io, `${JSON.stringify(policy, null, 2)}\n`);
    return EXIT.ok;
  }
  if (flags.replay && flags.saveEvidence)
    throw new UsageError(
      "--save-evidence cannot be used with --replay (the bundle is the evidence)",
      "--save-evidence",
    );
  const deadlineAt = Date.now() + timeoutSeconds(flags.timeout, DEFAULT_SIZE_TIMEOUT_SECONDS) * 1000;
  const input = flags.replay
    ? await replayInput(flags.replay, deadlineAt)
    : await liveInput(flags, io, sizeWindow(flags.since, now()), deadlineAt);

  let report: SizeReport | undefined;
  let failure: unknown;
  try {
    report = sizeReportOf(input, now());
    report.cost = await costOf(report, input, flags);
  } catch (e) {
    failure = e;
  }
  // The evidence is saved even when it could not be sized: it is what explains why.
  const bundleMod = flags.saveEvidence !== undefined ? await import("../../evidence/bundle.js") : undefined;
  const evidenceOut =
    bundleMod && flags.saveEvidence !== undefined
      ? {
          path: flags.saveEvidence,
          text: () => bundleTextOf(bundleMod, input, now(), flags.pretty === true),
        }
      : undefined;
  if (!report) {
    if (evidenceOut)
      await deliver(io, {
        rendered: "",
        output: undefined,
        evidence: evidenceOut,
        quiet: flags.quiet === true,
      });
    throw failure;
  }
  const rendered = await renderSize(report, flags.format ?? "human");
  const ok = await deliver(io, {
    rendered,
    output: flags.output,
    evidence: evidenceOut,
    quiet: flags.quiet === true,
  });
  if (!flags.quiet && !input.replay && report.metricCalls !== undefined && io.stderr.isTTY)
    err(io, `${report.metricCalls} GetMetricData calls\n`);
  if (!ok) return EXIT.usage;
  return (failOn as string[]).includes(report.verdict) ? EXIT.failed : EXIT.ok;
}

function bundleTextOf(
  b: typeof import("../../evidence/bundle.js"),
  input: Input,
  now: Date,
  pretty: boolean,
): string {
  const bundle = b.makeBundle({
    version: TOOL_VERSION,
    window: input.window,
    target: input.target,
    evidence: input.evidence,
    now,
  });
  return b.bundleText(bundle, { pretty });
}

async function renderSize(report: SizeReport, format: string): Promise<string> {
  if (format === "json") return `${JSON.stringify(report, null, 2)}\n`;
  if (format === "html") return (await import("../render/size-html.js")).renderSizeHtml(report);
  return (await import("../render/size-text.js")).renderSizeText(report);
}
