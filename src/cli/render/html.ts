/**
 * `--format html`: one self-contained page for incident tickets and CI artefacts. No script, no network,
 * no external asset (a Content-Security-Policy says so to the browser too): inline CSS and SVG only.
 * Hover values are SVG <title>s. Every string from the report or the evidence is escaped: service event
 * messages, target reasons and bundle fields are data, never markup.
 */
import { comparisonText } from "./comparison.js";
import { inOneTimeFormat } from "./times.js";
import { readingOrder } from "./order.js";
import type { Finding, Status } from "../../checks/model.js";
import { formatNumber } from "../../checks/model.js";
import type { Report } from "../../checks/report.js";
import type { Evidence } from "../../sources/model.js";
import type { RenderOptions } from "./index.js";
import { SYMBOL } from "./human.js";
import { countsText, glanceOf, windowText, PLAYBOOK_LABEL } from "./glance.js";
import {
  EVENT_MARK,
  breaches,
  buildTimeline,
  timeLabel,
  type Timeline,
  type TimelineRow,
} from "./timeline.js";

export function esc(s: unknown): string {
  // Control characters have no business in a page; the five specials become entities.
  return (
    String(s)
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, "")
      .replace(/[&<>"']/g, (ch) => `&${{ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "#39" }[ch]};`)
  );
}

const COLOR: Record<Status, string> = {
  pass: "#1a7f37",
  warn: "#9a6700",
  fail: "#cf222e",
  skip: "#6e7781",
  error: "#8250df",
};

const CSS = `
:root{color-scheme:light;font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;background:#fff}
body{max-width:1100px;margin:1.5rem auto;padding:0 1rem;line-height:1.45}
h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.15rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem;margin-top:1.8rem}
h3{font-size:1rem;margin:1.2rem 0 .4rem}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
.verdict{display:inline-block;padding:.1rem .6rem;border-radius:4px;color:#fff;font-weight:700}
.glance{border:1px solid #d0d7de;border-left-width:6px;border-radius:6px;padding:.6rem 1rem;margin:.8rem 0}
.glance ul{margin:.3rem 0;padding-left:1.2rem}.glance li{margin:.15rem 0}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.6rem 0}dl.meta dt{color:#57606a}dl.meta dd{margin:0;word-break:break-all}
.finding{border:1px solid #d0d7de;border-left-width:6px;border-radius:6px;padding:.5rem .9rem;margin:.5rem 0}
.finding .head{font-weight:600}.finding .msg{margin:.2rem 0}.finding ol,.finding ul{margin:.3rem 0}
.status-pass{border-left-color:${COLOR.pass}}.status-warn{border-left-color:${COLOR.warn}}.status-fail{border-left-color:${COLOR.fail}}.status-skip{border-left-color:${COLOR.skip}}.status-error{border-left-color:${COLOR.error}}
.badge{font-weight:700}.b-pass{color:${COLOR.pass}}.b-warn{color:${COLOR.warn}}.b-fail{color:${COLOR.fail}}.b-skip{color:${COLOR.skip}}.b-error{color:${COLOR.error}}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#f6f8fa}
svg.timeline{width:100%;height:auto;border:1px solid #d0d7de;border-radius:6px;background:#fff}
svg text{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:11px;fill:#1f2328}
.hint{color:#0969da}.dim{color:#57606a}
@media print{body{max-width:none;margin:0;font-size:10pt}.finding,svg.timeline,table{break-inside:avoid}h2{break-after:avoid}a{color:inherit}}
`;

export function renderHtml(
  given: Report,
  opts: Pick<RenderOptions, "evidence" | "timings" | "calls">,
): string {
  // Times in messages in the report's one format (HH:MM in a one-day window), as in the text report.
  const report = inOneTimeFormat(given);
  const g = glanceOf(report);
  const tl = buildTimeline(report, opts.evidence);
  const title = `pypictl doctor: ${report.summary.status.toUpperCase()} — ${g.target}`;
  const body = [
    `<header id="glance" class="glance status-${g.verdict}">`,
    `<h1><span class="verdict" style="background:${COLOR[g.verdict]}">${SYMBOL[g.verdict]} ${esc(g.verdict.toUpperCase())}</span> ${esc(g.target)}</h1>`,
    `<div>${esc(countsText(g.counts))} · window ${esc(windowText(g.window))} · ${esc(g.source)}</div>`,
    g.lines.length
      ? `<ul>${g.lines.map((l) => `<li class="glance-line"><span class="badge b-${l.status}">${SYMBOL[l.status]}</span> <a href="#${findingAnchor(l.checkIds[0] ?? "")}"><strong>${esc(l.label)}:</strong></a> ${esc(l.text)}</li>`).join("")}</ul>`
      : `<p>Nothing failing or warning.</p>`,
    `</header>`,
    // The page opens on what is wrong: failures, warnings, could not evaluate; then the timeline, the rest.
    findingsSection(report.findings, "problems"),
    timelineSection(tl),
    findingsSection(report.findings, "rest"),
    targetSection(report),
    provenanceSection(report, opts.evidence, opts.timings, opts.calls),
    `<footer class="dim"><p>Generated ${esc(report.generatedAt)} by pypictl ${esc(report.tool.version)}.</p></footer>`,
  ];
  return [
    "<!DOCTYPE html>",
    `<html lang="en"><head><meta charset="utf-8">`,
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    `<meta name="viewport" content="width=device-width, initial-scale=1">`,
    `<title>${esc(title)}</title><style>${CSS}</style></head>`,
    `<body>`,
    ...body,
    `</body></html>`,
    "",
  ].join("\n");
}

function targetSection(report: Report): string {
  const rows = Object.entries(report.target).filter(([k]) => k !== "kind");
  const dl = [
    ["kind", report.target.kind],
    ...rows,
    ["window", `${report.window.start} → ${report.window.end} (${report.window.since})`],
  ];
  return `<section id="target"><h2>Target and window</h2><dl class="meta">${dl.map(([k, v]) => `<dt>${esc(k)}</dt><dd class="mono">${esc(v)}</dd>`).join("")}</dl></section>`;
}

// Timeline geometry (SVG user units; the SVG scales to the page).
const W = 1000;
const LABEL = 200;
const PLOT = W - LABEL - 20;
const ROW_H = 72;
const EVENTS_H = 36;
const AXIS_H = 24;

function timelineSection(tl: Timeline): string {
  if (tl.rows.length === 0 && tl.events.length === 0)
    return `<section id="timeline"><h2>Timeline</h2><p class="dim">No failing or warning series and no events in the window.</p></section>`;
  const span = tl.end - tl.start;
  const x = (t: number) => LABEL + ((t - tl.start) / span) * PLOT;
  const h = tl.rows.length * ROW_H + EVENTS_H + AXIS_H + 8;
  const parts: string[] = [];
  tl.rows.forEach((row, i) => parts.push(rowSvg(row, i * ROW_H + 4, x, (t) => timeLabel(t, tl))));
  const evTop = tl.rows.length * ROW_H + 4;
  parts.push(`<text x="4" y="${evTop + 20}">events</text>`);
  parts.push(
    `<line x1="${LABEL}" y1="${evTop + EVENTS_H / 2}" x2="${LABEL + PLOT}" y2="${evTop + EVENTS_H / 2}" stroke="#d0d7de"/>`,
  );
  for (const e of tl.events) {
    const ex = x(e.t).toFixed(1);
    parts.push(
      `<g class="event-marker event-${e.kind}"><title>${esc(`${timeLabel(e.t, tl)} ${e.kind}: ${e.text}`)}</title>` +
        `<line x1="${ex}" y1="4" x2="${ex}" y2="${evTop + EVENTS_H - 4}" stroke="${COLOR[e.status]}" stroke-opacity=".35" stroke-dasharray="2 3"/>` +
        `<circle cx="${ex}" cy="${evTop + EVENTS_H / 2}" r="6" fill="${COLOR[e.status]}"/>` +
        `<text x="${ex}" y="${evTop + EVENTS_H / 2 + 4}" text-anchor="middle" style="fill:#fff;font-size:9px">${esc(EVENT_MARK[e.kind])}</text></g>`,
    );
  }
  const axisY = evTop + EVENTS_H + 14;
  for (let k = 0; k <= 4; k++) {
    const t = tl.start + (span * k) / 4;
    parts.push(
      `<text x="${x(t).toFixed(1)}" y="${axisY}" text-anchor="${k === 0 ? "start" : k === 4 ? "end" : "middle"}" class="tick">${esc(timeLabel(t, tl))}</text>`,
    );
  }
  const svg = `<svg class="timeline" viewBox="0 0 ${W} ${h}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="Timeline of failing and warning series with events">${parts.join("")}</svg>`;
  const legend = tl.events.length
    ? `<table id="events"><thead><tr><th>time (UTC)</th><th>event</th><th>detail</th></tr></thead><tbody>${tl.events.map((e) => `<tr class="event-row"><td class="mono"><time datetime="${new Date(e.t).toISOString()}">${esc(timeLabel(e.t, tl))}</time></td><td><span class="badge b-${e.status}">${esc(EVENT_MARK[e.kind])}</span> ${esc(e.kind)}</td><td>${esc(e.text)}</td></tr>`).join("")}</tbody></table>`
    : "";
  return `<section id="timeline"><h2>Timeline</h2><p class="dim">Every failing or warning series on one time axis, ${esc(timeLabel(tl.start, tl))} → ${esc(timeLabel(tl.end, tl))} UTC; dashed lines are thresholds; hover a point or an event for its value.</p>${svg}${legend}</section>`;
}

function rowSvg(
  row: TimelineRow,
  top: number,
  x: (t: number) => number,
  when: (t: number) => string,
): string {
  const vs = row.points.map(([, v]) => v);
  const lo = Math.min(0, ...vs, ...(row.threshold ? [row.threshold.value] : []));
  let hi = Math.max(...vs, ...(row.threshold ? [row.threshold.value] : []));
  if (hi <= lo) hi = lo + 1;
  const plotTop = top + 6;
  const plotH = ROW_H - 16;
  const y = (v: number) => plotTop + plotH - ((v - lo) / (hi - lo)) * plotH;
  const out: string[] = [`<g class="series status-${row.status}" data-check="${esc(row.checkId)}">`];
  out.push(`<title>${esc(`${row.checkId}: ${row.title}`)}</title>`);
  out.push(
    `<text x="4" y="${top + 20}" style="fill:${COLOR[row.status]};font-weight:700">${esc(row.checkId.length > 28 ? `${row.checkId.slice(0, 27)}…` : row.checkId)}</text>`,
  );
  const peak = `${row.bad === "above" ? "peak" : "low"} ${formatNumber(row.peak)} ${row.unit}`;
  out.push(
    `<text x="4" y="${top + 36}" class="dim" style="fill:#57606a">${esc(peak.length > 30 ? `${peak.slice(0, 29)}…` : peak)}</text>`,
  );
  out.push(`<rect x="${LABEL}" y="${plotTop}" width="${PLOT}" height="${plotH}" fill="#f6f8fa"/>`);
  if (row.threshold) {
    const ty = y(row.threshold.value).toFixed(1);
    out.push(
      `<line class="threshold" x1="${LABEL}" y1="${ty}" x2="${LABEL + PLOT}" y2="${ty}" stroke="${COLOR[row.status]}" stroke-dasharray="6 4"><title>${esc(`${row.threshold.name} ${formatNumber(row.threshold.value)} ${row.threshold.unit}`)}</title></line>`,
    );
  }
  out.push(
    `<polyline fill="none" stroke="#0969da" stroke-width="1.5" points="${row.points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(" ")}"/>`,
  );
  for (const [t, v] of row.points) {
    const over = breaches(v, row.threshold, row.bad);
    out.push(
      `<circle class="point${over ? " over" : ""}" cx="${x(t).toFixed(1)}" cy="${y(v).toFixed(1)}" r="${over ? 2.6 : 1.8}" fill="${over ? COLOR[row.status] : "#0969da"}"><title>${esc(`${when(t)} ${formatNumber(v)} ${row.unit}`)}</title></circle>`,
    );
  }
  out.push(`</g>`);
  return out.join("");
}

function findingHtml(f: Finding): string {
  const obs = comparisonText(f) ?? "";
  const res = f.resources?.length
    ? `<ul class="resources">${f.resources.map((r) => `<li><span class="badge b-${r.status}">${SYMBOL[r.status]}</span> <code>${esc(r.id)}</code>: ${esc(r.message)}</li>`).join("")}</ul>`
    : "";
  const hints =
    f.status !== "pass" && f.hints.length
      ? `<ol class="hints">${f.hints.map((h) => `<li class="hint">${esc(h)}</li>`).join("")}</ol>`
      : "";
  return `<article id="${findingAnchor(f.checkId)}" class="finding status-${f.status}" data-check="${esc(f.checkId)}"><div class="head"><span class="badge b-${f.status}">${SYMBOL[f.status]} ${esc(f.status.toUpperCase())}</span> <code>${esc(f.checkId)}</code> ${esc(f.title)}</div><p class="msg">${esc(f.message)}</p>${obs ? `<div class="dim">${esc(obs)}</div>` : ""}${res}${hints}</article>`;
}

/** An anchor per finding, so the glance lines link to theirs. */
export function findingAnchor(checkId: string): string {
  return `finding-${checkId.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}

/** Findings in reading order: what is wrong (`problems`), or the passing and not applicable (`rest`). */
function findingsSection(findings: readonly Finding[], part: "problems" | "rest"): string {
  const sections = readingOrder(findings).filter((s) => (part === "rest") === (s.key === "rest"));
  if (sections.length === 0)
    return part === "problems"
      ? `<section id="findings"><h2>Findings</h2><p>Nothing failing or warning.</p></section>`
      : "";
  const html = sections.map(
    (sec) =>
      `<section class="status-group" data-status="${sec.key}"><h2>${esc(sec.title)}</h2>${sec.groups
        .map(
          (g) =>
            `<section class="playbook" data-playbook="${esc(g.playbook)}"><h3>${esc(PLAYBOOK_LABEL[g.playbook] ?? g.playbook)}</h3>${g.findings.map(findingHtml).join("")}</section>`,
        )
        .join("")}</section>`,
  );
  return part === "problems"
    ? `<section id="findings">${html.join("")}</section>`
    : `<section id="passing">${html.join("")}</section>`;
}

function callsHtml(calls: Readonly<Record<string, number>> | undefined, replay: boolean): string {
  if (replay) return `<p id="calls">No AWS calls: the evidence was replayed.</p>`;
  if (!calls) return "";
  const ops = Object.entries(calls).sort(([a], [b]) => a.localeCompare(b));
  const total = ops.reduce((a, [, n]) => a + n, 0);
  return `<p id="calls">${esc(`${total} AWS SDK call(s) while gathering (retries inside the SDK not counted)`)}${ops.length ? `: ${ops.map(([op, n]) => `<code>${esc(op)}</code> ×${esc(n)}`).join(", ")}` : ""}.</p>`;
}

function provenanceSection(
  report: Report,
  evidence: Evidence | undefined,
  timings: Readonly<Record<string, number>> | undefined,
  calls: Readonly<Record<string, number>> | undefined,
): string {
  const mode =
    report.evidence.mode === "replay"
      ? `Replayed from ${report.evidence.bundle ?? "a bundle"}${report.evidence.gatheredAt ? `, gathered ${report.evidence.gatheredAt}` : ""}.`
      : `Gathered live at ${report.generatedAt}.`;
  const callLine = callsHtml(calls, report.evidence.mode === "replay");
  if (!evidence) return `<section id="provenance"><h2>Evidence</h2><p>${esc(mode)}</p>${callLine}</section>`;
  const rows = Object.entries(evidence).map(([id, r]) => {
    const status = r.ok ? "ok" : `failed (${r.kind})`;
    const detail = r.ok ? sourceDetail(r.value, r.raw) : `${r.message}${r.action ? ` [${r.action}]` : ""}`;
    const ms = timings?.[id];
    return `<tr class="source"><td><code>${esc(id)}</code></td><td class="b-${r.ok ? "pass" : "error"}">${esc(status)}</td><td class="mono">${esc(r.at)}</td><td>${ms !== undefined ? `${esc(ms)} ms` : "—"}</td><td>${esc(detail)}</td></tr>`;
  });
  return `<section id="provenance"><h2>Evidence</h2><p>${esc(mode)}</p>${callLine}<table><thead><tr><th>source</th><th>status</th><th>at</th><th>time</th><th>what it holds</th></tr></thead><tbody>${rows.join("")}</tbody></table></section>`;
}

/** A one-line account of a source's value: series and points for metrics, item counts otherwise. */
function sourceDetail(value: unknown, raw: string | undefined): string {
  const parts: string[] = [];
  if (value && typeof value === "object") {
    const v = value as Record<string, unknown>;
    if (v.series && typeof v.series === "object") {
      const series = Object.values(v.series as Record<string, { points?: unknown[] }>);
      parts.push(
        `${series.length} metric series, ${series.reduce((a, s) => a + (Array.isArray(s?.points) ? s.points.length : 0), 0)} datapoints`,
      );
      if (typeof v.periodSeconds === "number") parts.push(`period ${v.periodSeconds} s`);
    }
    for (const [k, x] of Object.entries(v))
      if (Array.isArray(x) && k !== "messages") parts.push(`${x.length} ${k}`);
  }
  if (raw !== undefined) parts.push(`${raw.length} bytes raw`);
  return parts.join(", ");
}
