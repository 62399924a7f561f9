/** Report renderers by format. Each is a pure function of the report. */
import type { Report } from "../../checks/report.js";
import type { Format } from "../../config/config.js";
import { renderJson } from "./json.js";
import { renderHuman } from "./human.js";
import { renderJunit } from "./junit.js";
import { renderMarkdown } from "./markdown.js";

export interface RenderOptions {
  color: boolean;
  quiet: boolean;
  width: number;
}

export function renderReport(report: Report, format: Format, opts: RenderOptions): string {
  switch (format) {
    case "json":
      return renderJson(report);
    case "junit":
      return renderJunit(report);
    case "markdown":
      return renderMarkdown(report);
    case "human":
      return renderHuman(report, opts);
  }
}
