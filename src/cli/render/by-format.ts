/**
 * renderReport with only the asked-for format's renderer loaded: a JSON or JUnit report does not load
 * chalk, the timeline or the HTML writer (start-up of an AWS-only run, issue 12). Same output as
 * renderReport in index.ts, which tests and the watch loop use.
 */
import type { Report } from "../../checks/report.js";
import type { Format } from "../../config/config.js";
import type { RenderOptions } from "./index.js";
import { inertJson, inertRenderInput } from "./inert.js";

export async function renderReportByFormat(
  raw: Report,
  format: Format,
  rawOpts: RenderOptions,
): Promise<string> {
  if (format === "json") return inertJson((await import("./json.js")).renderJson(raw));
  const { report, opts } = inertRenderInput(raw, rawOpts);
  switch (format) {
    case "junit":
      return (await import("./junit.js")).renderJunit(report);
    case "markdown":
      return (await import("./markdown.js")).renderMarkdown(report, opts);
    case "html":
      return (await import("./html.js")).renderHtml(report, opts);
    case "human":
      return (await import("./human.js")).renderHuman(report, opts);
  }
}
