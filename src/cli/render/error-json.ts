/**
 * In JSON mode stdout is always one JSON document (issue 22): when a run cannot produce its report (the
 * stack cannot be read, AWS cannot be reached, a file is bad) the document says why, with the exit code the
 * process ends with. Schema: schemas/error.schema.json. The message is the one stderr gets (no secret:
 * errors never carry one, and `out` masks registered secrets anyway).
 */
import { TOOL_VERSION } from "../../version.js";

export const ERROR_SCHEMA_ID = "https://pypictl.dev/schemas/error.v1.json";

export function renderErrorJson(command: string, exitCode: number, kind: string, message: string): string {
  return `${JSON.stringify(
    {
      $schema: ERROR_SCHEMA_ID,
      schemaVersion: 1,
      tool: { name: "pypictl", version: TOOL_VERSION },
      command,
      error: { kind, exitCode, message },
    },
    null,
    2,
  )}\n`;
}
