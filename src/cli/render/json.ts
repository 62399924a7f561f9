/** JSON report: the Report object as is, validated in tests against schemas/report.schema.json. */
import type { Report } from "../../checks/report.js";

export const REPORT_SCHEMA_ID = "https://pypictl.dev/schemas/report.v1.json";

export function renderJson(report: Report): string {
  return `${JSON.stringify({ $schema: REPORT_SCHEMA_ID, ...report }, null, 2)}\n`;
}
