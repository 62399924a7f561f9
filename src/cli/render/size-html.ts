/**
 * `pypictl size --format html`: one self-contained page (no script, no network: a Content-Security-Policy
 * says so) with the load over the window drawn against each profile's tested burst, the changes with
 * their commands, and current vs recommended. Every string is escaped.
 */
import type { SizeReport, ConfigView } from "../../capacity/size-report.js";
import { esc } from "./html.js";
import { renderSizeText } from "./size-text.js";

const n = (v: number) => (Number.isInteger(v) ? v.toLocaleString("en-US") : v.toFixed(1));
const PROFILE_COLOR = ["#1a7f37", "#0969da", "#9a6700", "#cf222e"];

/** The load shape: busiest minute per step as bars, each profile's tested burst as a dashed line. */
export function loadShapeSvg(r: SizeReport): string {
  const q = r.observed.requests;
  if (!q) return "<p>No request series: the load shape cannot be drawn.</p>";
  const W = 800;
  const H = 220;
  const pad = 40;
  const values = q.series.maxPerMinute;
  const max = Math.max(1, ...values, ...r.profiles.map((p) => p.testedBurstPerMinute)) * 1.1;
  const x = (i: number) => pad + (i / Math.max(1, values.length)) * (W - pad - 10);
  const y = (v: number) => H - pad + 10 - (v / max) * (H - pad);
  const bw = Math.max(1, (W - pad - 10) / Math.max(1, values.length));
  const start = Date.parse(q.series.start);
  const bars = values
    .map((v, i) => {
      const t = new Date(start + i * q.series.stepSeconds * 1000).toISOString();
      return `<rect x="${x(i).toFixed(1)}" y="${y(v).toFixed(1)}" width="${bw.toFixed(2)}" height="${(y(0) - y(v)).toFixed(1)}" fill="#57606a"><title>${esc(`${t}: ${n(v)} requests/min`)}</title></rect>`;
    })
    .join("");
  const lines = r.profiles
    .map((p, i) => {
      const yy = y(p.testedBurstPerMinute).toFixed(1);
      return `<line x1="${pad}" x2="${W - 10}" y1="${yy}" y2="${yy}" stroke="${PROFILE_COLOR[i]}" stroke-dasharray="6 4"/><text x="${W - 12}" y="${Number(yy) - 3}" text-anchor="end" font-size="11" fill="${PROFILE_COLOR[i]}">${esc(`${p.size} tested ${p.burstLabel}`)}</text>`;
    })
    .join("");
  const axis = `<line x1="${pad}" x2="${pad}" y1="10" y2="${y(0)}" stroke="#8c959f"/><line x1="${pad}" x2="${W - 10}" y1="${y(0)}" y2="${y(0)}" stroke="#8c959f"/><text x="4" y="14" font-size="11">${esc(n(Math.round(max)))}/min</text><text x="4" y="${y(0)}" font-size="11">0</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="requests per minute over the window against each profile's tested burst">${axis}${bars}${lines}</svg>`;
}

function configRows(label: string, c: ConfigView): string {
  const k = c.capacity;
  return `<tr><th>${esc(label)}</th><td>${esc(c.size ?? "—")}</td><td>${esc(`${c.minHosts}–${c.maxHosts} × ${c.instanceType}`)}</td><td>${esc(`${c.tasksMin}–${c.tasksMax}`)}</td><td>${esc(`${c.containerMemory} MiB`)}</td><td>${esc(c.efsThroughputMode)}</td><td>${esc(`${k.slotsPerHost}/host`)}</td><td>${esc(`${n(k.memoryHeadroomMiB)} MiB`)}</td><td>${esc(`${n(k.requestsPerMinute)}/min`)}</td></tr>`;
}

export function renderSizeHtml(r: SizeReport): string {
  const changes = r.changes.length
    ? `<ol>${r.changes.map((c) => `<li><b>${esc(`${c.field}: ${c.from} → ${c.to}`)}</b> — ${esc(c.reason)}</li>`).join("")}</ol><pre>${esc(r.apply.join("\n"))}</pre>`
    : "<p>No change: every limit is within its target at the observed bursts.</p>";
  const cost = r.cost.available
    ? `<p>Cost (on-demand hosts, ${esc(r.cost.source)}): $${r.cost.currentMonthly.toFixed(2)}/month now → $${r.cost.recommendedMonthly.toFixed(2)}/month recommended.</p>`
    : `<p>Cost: not shown — ${esc(r.cost.reason)}</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(`pypictl size — ${r.target}`)}</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:2em;max-width:60em;color:#1f2328}table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:4px 8px;text-align:left}pre{background:#f6f8fa;padding:8px}.v{font-size:1.2em;font-weight:600}</style>
</head><body>
<h1>${esc(`pypictl size — ${r.target}`)}</h1>
<p>${esc(`${r.window.start} → ${r.window.end} (${r.window.since}); ${r.resolution.why}`)}</p>
<p class="v">${esc(r.verdict.toUpperCase())}${r.stillShort ? esc(" — even the largest candidate is short") : ""}</p>
<h2>Changes, in order of effect</h2>${changes}
<h2>Load against each profile's tested burst</h2>${loadShapeSvg(r)}
<h2>Configurations</h2>
<table><tr><th></th><th>size</th><th>hosts</th><th>tasks</th><th>memory</th><th>EFS</th><th>slots</th><th>headroom</th><th>carries</th></tr>${configRows("current", r.current)}${configRows("recommended", r.recommended)}</table>
${cost}
<h2>Details</h2><pre>${esc(renderSizeText(r))}</pre>
</body></html>
`;
}
