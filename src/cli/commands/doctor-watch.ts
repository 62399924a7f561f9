/**
 * `pypictl doctor --watch [INTERVAL]`: during an incident, gather and evaluate again every interval (the
 * same checks, so the same calls each round; SSM host probes only with --watch-hosts). On a terminal the
 * screen is redrawn: the at-a-glance header, the timeline and what changed since the last round. Anywhere
 * else, one line per change (logs, CI). Ctrl-C stops after the current wait and prints the final report in
 * the chosen format; --save-evidence writes the whole watch as one bundle that replays.
 */
import { runDoctor, type DoctorPlan as DoctorRun } from "../../checks/doctor.js";
import { exitCodeFor, type Report } from "../../checks/report.js";
import { windowFor } from "../../config/duration.js";
import { bundleText, makeBundle } from "../../evidence/bundle.js";
import type { Evidence } from "../../sources/model.js";
import { TOOL_VERSION } from "../../version.js";
import { EXIT } from "../exit-codes.js";
import { type Io, err, out, useColor } from "../io.js";
import { layoutWidth, reportWidth } from "../render/wrap.js";
import { ProgressLine } from "../progress.js";
import { renderReport } from "../render/index.js";
import { renderGlanceHuman } from "../render/human.js";
import { buildTimeline, timeLabel } from "../render/timeline.js";
import { renderTimelineText } from "../render/timeline-text.js";
import { inertRenderInput } from "../render/inert.js";
import {
  changeLine,
  eventChange,
  eventKey,
  newEvents,
  statusChanges,
  type Change,
} from "../watch/changes.js";
import { mergeEvidence, watchWindow } from "../watch/merge-evidence.js";
import { deliver } from "../deliver.js";
import { callCounts, callsBetween } from "../../sources/aws/call-log.js";
import type { DoctorPlan } from "./doctor-plan.js";

const HOST_PROBE = "host.probe";
const CLEAR = "\x1b[H\x1b[2J";
const RECENT = 12;

export interface WatchArgs {
  /** The plan made from the flags: its window length, timeout (each round's), report and evidence paths. */
  doctor: DoctorPlan;
  watch: NonNullable<DoctorPlan["watch"]>;
  io: Io;
  now: () => Date;
  /** What every round runs, the fleet resolved: without a window, progress or deadline (each round sets its own). */
  run: Omit<DoctorRun, "window" | "onProgress" | "runDeadlineAt" | "replay">;
  /** Stops the watch; the CLI ties it to SIGINT. */
  signal?: AbortSignal;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

export async function watchDoctor(args: WatchArgs): Promise<number> {
  const { io, now } = args;
  const { since, report: how, evidence: save } = args.doctor;
  const { intervalMs } = args.watch;
  const { target } = args.run;
  // SSM host probes are the slowest and costliest calls: each round leaves them out unless asked.
  const skipHosts = target.kind === "fleet" && !args.watch.hosts;
  const checks = skipHosts
    ? args.run.checks.filter((c) => ![...c.needs, ...(c.uses ?? [])].includes(HOST_PROBE))
    : [...args.run.checks];
  // TERM=dumb cannot clear the screen: it gets the one-line-per-change form, no control sequences.
  const tty = io.stdout.isTTY === true && !how.output && io.env.TERM !== "dumb";
  const color = tty && useColor(io, io.stdout, how.color);
  // A JSON, JUnit, Markdown or HTML report on stdout is one document a pipe parses whole: the change
  // lines then go to stderr with the round lines (as kubectl keeps `-w -o json` stdout machine-readable).
  const changesTo = how.format === "human" || how.output ? out : err;

  // Ctrl-C once: finish cleanly with the final report. Ctrl-C again: the default (the process ends).
  const controller = new AbortController();
  const onSigint = () => controller.abort();
  if (!args.signal) process.once("SIGINT", onSigint);
  const signal = args.signal ?? controller.signal;
  const interrupted = new Promise<"stop">((resolve) =>
    signal.aborted
      ? resolve("stop")
      : signal.addEventListener("abort", () => resolve("stop"), { once: true }),
  );

  if (!how.quiet && skipHosts && args.run.checks.length !== checks.length)
    err(io, `watch: host checks are left out of each round (SSM probes); --watch-hosts includes them\n`);
  if (!how.quiet && !tty)
    err(io, `watch: a round every ${intervalMs / 1000} s; Ctrl-C stops with the final report\n`);

  let last: { report: Report; evidence: Evidence } | undefined;
  let lastShown: Report | undefined;
  let firstWindow: ReturnType<typeof windowFor> | undefined;
  let lastWindow: ReturnType<typeof windowFor> | undefined;
  let merged: Evidence | undefined;
  const seen = new Set<string>();
  const recent: Change[] = [];
  let round = 0;
  try {
    while (!signal.aborted) {
      const started = Date.now();
      const callsBefore = callCounts();
      const window = windowFor(since, now());
      const progress = new ProgressLine(io, !how.quiet && io.stderr.isTTY === true);
      const result = await Promise.race([
        runDoctor({
          ...args.run,
          checks,
          window,
          runDeadlineAt: started + args.doctor.timeoutMs,
          onProgress: (e) => progress.update(e),
        }),
        interrupted,
      ]);
      progress.clear();
      if (result === "stop") break; // a round cut short by Ctrl-C is not half-reported
      round++;
      const calls = Object.values(callsBetween(callsBefore, callCounts())).reduce((a, n) => a + n, 0);
      firstWindow ??= window;
      lastWindow = window;
      merged = mergeEvidence(merged, result.evidence);
      // What the screen and the change lines show is inert text (render/inert.ts); the bundle keeps the data.
      const shown = inertRenderInput(result.report, { evidence: result.evidence });
      const tl = buildTimeline(shown.report, shown.opts.evidence);
      const events = last ? newEvents(tl, seen) : [];
      for (const e of tl.events) seen.add(eventKey(e));
      const changes = [...statusChanges(lastShown, shown.report), ...events.map(eventChange)];
      last = result;
      lastShown = shown.report;
      recent.push(...changes);
      recent.splice(0, Math.max(0, recent.length - RECENT));
      if (tty) {
        // The screen's own clear sequence, then its text through out() like every other line.
        io.stdout.write(CLEAR);
        out(
          io,
          screen(shown.report, tl, recent, {
            round,
            intervalMs,
            color,
            width: layoutWidth(io.stdout, io.env),
            tookMs: Date.now() - started,
            calls,
          }),
        );
      } else {
        for (const c of changes) changesTo(io, `${changeLine(c)}\n`);
        if (!how.quiet)
          err(
            io,
            `watch: round ${round} at ${result.report.generatedAt}: ${changes.length} change(s), ${calls} AWS call(s)\n`,
          );
      }
      await Promise.race([sleep(Math.max(0, intervalMs - (Date.now() - started)), signal), interrupted]);
    }
  } finally {
    process.off("SIGINT", onSigint);
  }

  if (!last || !firstWindow || !lastWindow || !merged) {
    err(io, "watch: stopped before the first round finished; no report\n");
    return EXIT.incomplete;
  }
  const rendered = renderReport(last.report, how.format, {
    color: !how.output && useColor(io, io.stdout, how.color),
    quiet: how.quiet,
    width: reportWidth(io.stdout, io.env, how.output),
    evidence: last.evidence,
  });
  // The evidence, then the report, through the one delivery path: a bundle that cannot be written does
  // not cost the final report (issue 26), and the run then exits 2.
  const delivered = await deliver(io, {
    rendered: tty && !how.output ? `\n${rendered}` : rendered,
    output: how.output,
    evidence: save
      ? {
          path: save.path,
          text: () =>
            bundleText(
              makeBundle({
                version: TOOL_VERSION,
                window: watchWindow(firstWindow, lastWindow),
                target,
                evidence: merged,
                now: now(),
                description: `pypictl doctor --watch: ${round} round(s), one every ${intervalMs / 1000} s`,
              }),
              { pretty: save.pretty },
            ),
        }
      : undefined,
    quiet: how.quiet,
  });
  if (!delivered) return EXIT.usage;
  return exitCodeFor(last.report.summary, how.failOn);
}

function screen(
  report: Report,
  tl: ReturnType<typeof buildTimeline>,
  recent: readonly Change[],
  o: { round: number; intervalMs: number; color: boolean; width: number; tookMs: number; calls: number },
): string {
  const lines = [...renderGlanceHuman(report, { color: o.color, width: o.width })];
  const timeline = renderTimelineText(tl, { color: o.color, width: o.width });
  if (timeline.length) lines.push("", ...timeline);
  lines.push("", recent.length ? "Changes:" : "No change yet.");
  for (const c of recent) {
    // Changes come a round apart: HH:MM:SS, as on an axis of a few minutes.
    const t = Date.parse(c.at);
    lines.push(`  ${timeLabel(t, { start: t, end: t })} ${changeLine({ ...c, at: "" }).trim()}`);
  }
  lines.push(
    "",
    `round ${o.round} took ${(o.tookMs / 1000).toFixed(1)} s and ${o.calls} AWS call(s); next in ${Math.round(o.intervalMs / 1000)} s — Ctrl-C stops with the final report`,
  );
  return `${lines.join("\n")}\n`;
}
