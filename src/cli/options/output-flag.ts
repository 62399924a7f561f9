/**
 * `-o/--output` takes a file name. aws and kubectl users type `-o json` for a format: writing the report to
 * a file called `json` would be a silent surprise, so a value that is a format name is a bad invocation
 * that points at --format. `-o ./json` still writes a file of that name.
 */
import { UsageError } from "../../errors.js";

/** pypictl's formats, and the ones aws (`text`, `table`, `yaml`) and kubectl (`wide`, `name`) users bring. */
const FORMAT_WORDS = [
  "human",
  "json",
  "junit",
  "markdown",
  "html",
  "text",
  "table",
  "yaml",
  "yml",
  "wide",
  "name",
  "xml",
];

export function rejectFormatAsOutput(output: string | undefined): void {
  if (output === undefined || !FORMAT_WORDS.includes(output.toLowerCase())) return;
  const ours = ["human", "json", "junit", "markdown", "html"].includes(output.toLowerCase());
  const suggestion = ours ? `--format ${output.toLowerCase()}` : "--format json";
  throw new UsageError(
    `-o/--output takes a file name, and "${output}" is a format name: use ${suggestion} (to write a file called ${output}, pass -o ./${output})`,
    "--output",
  );
}
