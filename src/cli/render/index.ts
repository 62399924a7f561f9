/** Report renderers by format. Each is a pure function of the report. */
import type { Report } from "../../checks/report.js";
import type { Format } from "../../config/config.js";
import { renderJson } from "./json.js";
import { renderHuman } from "./human.js";
import { renderJunit } from "./junit.js";
import { renderMarkdown } from "./markdown.js";
import { renderHtml } from "./html.js";
import type { Evidence } from "../../sources/model.js";
import { inertJson, inertRenderInput } from "./inert.js";

export interface RenderOptions {
  color: boolean;
  quiet: boolean;
  width: number;
  /** The evidence the report was evaluated from: the timeline's events and the HTML provenance read it. */
  evidence?: Evidence;
  /** Gather timings by source id (ms), when the evidence was gathered now. */
  timings?: Readonly<Record<string, number>>;
  /** The human report's first line and whether it names the window (creds --check: its own, none). */
  header?: { title: string; window: boolean };
  /** Rewrites the ISO times in a message to the report's one time format (render/times.ts). */
  times?: (text: string) => string;
  /** SDK commands sent while gathering, by "service:Operation". */
  calls?: Readonly<Record<string, number>>;
}

/** Every renderer is given inert text (inert.ts); JSON keeps the values and escapes what a terminal would act on. */
export function renderReport(raw: Report, format: Format, rawOpts: RenderOptions): string {
  if (format === "json") return inertJson(renderJson(raw));
  const { report, opts } = inertRenderInput(raw, rawOpts);
  switch (format) {
    case "junit":
      return renderJunit(report);
    case "markdown":
      return renderMarkdown(report, opts);
    case "html":
      return renderHtml(report, opts);
    case "human":
      return renderHuman(report, opts);
  }
}
