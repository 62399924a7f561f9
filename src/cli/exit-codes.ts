/**
 * Exit codes: one table for every command. The --help text and the README's table are generated from /
 * checked against EXIT_TABLE (test/unit/cli/exit-codes.test.ts), so the three cannot drift apart.
 */
import { EXIT, type ExitCode } from "../checks/report.js";
import { IncompleteError, UsageError } from "../errors.js";
import { isOsError } from "./os-errors.js";

export { EXIT, type ExitCode };

export interface ExitCodeRow {
  code: ExitCode;
  meaning: string;
}

export const EXIT_TABLE: readonly ExitCodeRow[] = [
  { code: EXIT.ok, meaning: "nothing failed" },
  {
    code: EXIT.failed,
    meaning:
      "a check failed (or warned, with --fail-on warn); size: the verdict is one --fail-on names (undersized, oversized); deploy/diff/destroy: the operation failed or was declined",
  },
  {
    code: EXIT.usage,
    meaning:
      "bad invocation or input: unknown flag or check id, conflicting modes, a --format the mode cannot produce, malformed threshold, config or bundle, missing AWS credentials, deploy or destroy without --yes off a terminal, a file that cannot be read or written — the message names the flag, field or file",
  },
  {
    code: EXIT.incomplete,
    meaning:
      "diagnosis incomplete: some checks could not be evaluated (error), none failed — or an endpoint could not be reached at all (AWS for doctor, size, creds and the deploy commands, the index for creds --check: network, DNS, TLS, proxy, throttling)",
  },
  {
    code: EXIT.internal,
    meaning: "internal error: a bug in pypictl (set PYPICTL_DEBUG=1 for the stack trace and report it)",
  },
];

/** `  N  meaning`, wrapped at `width` columns, continuation lines indented under the meaning. */
function helpRow(code: number, meaning: string, width = 78): string {
  const indent = "     ";
  const lines: string[] = [];
  let line = `  ${code} `;
  for (const word of meaning.split(" ")) {
    if (line.trim() !== String(code) && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = `${line} ${word}`;
  }
  lines.push(line);
  return lines.join("\n");
}

export const EXIT_CODES_HELP = `
Exit codes (the same for every command):
${EXIT_TABLE.map((r) => helpRow(r.code, r.meaning)).join("\n")}
`;

/** What an error thrown out of a command means, as an exit code and a word for JSON documents. */
export function exitCodeOf(e: unknown): { code: ExitCode; kind: "usage" | "incomplete" | "internal" } {
  if (e instanceof UsageError) return { code: EXIT.usage, kind: "usage" };
  if (e instanceof IncompleteError) return { code: EXIT.incomplete, kind: "incomplete" };
  // An OS error (a file that cannot be read or written) is exit 2, as runCli prints it.
  if (isOsError(e)) return { code: EXIT.usage, kind: "usage" };
  return { code: EXIT.internal, kind: "internal" };
}
