/**
 * `-o/--output` takes a file name. aws and kubectl users type `-o json` for a format: writing the report to
 * a file called `json` would be a silent surprise, so a value that is a format name is a bad invocation
 * that points at --format. `-o ./json` still writes a file of that name.
 */
import { extname } from "node:path";
import { UsageError } from "../../errors.js";
import type { Format } from "../../config/config.js";

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

/** The formats a file name's extension says, for `-o FILE`. */
const EXTENSION_FORMATS: Record<string, Format> = {
  ".json": "json",
  ".xml": "junit",
  ".md": "markdown",
  ".markdown": "markdown",
  ".html": "html",
  ".htm": "html",
  ".txt": "human",
};

/** The report format a file name's extension names, if any (`.html` → html, `.xml` → junit). */
export function formatOfExtension(file: string): Format | undefined {
  return EXTENSION_FORMATS[extname(file).toLowerCase()];
}

/** `-o -` is stdout, as `--terraform-outputs -` is stdin: the output flag's value with that applied. */
export function outputFile(output: string | undefined): string | undefined {
  return output === "-" ? undefined : output;
}

/**
 * The format of the result, the same rule for every command that writes one: `--format` when given; else
 * the output file's extension when it names a format (`-o report.html` writes HTML, not human text in a
 * .html file); else the command's default. A --format the extension contradicts is refused (exit 2),
 * so `--format json -o report.html` does not leave JSON in an .html file.
 */
export function formatForOutput(
  output: string | undefined,
  asked: Format | undefined,
  fallback: Format,
  flag = "--output",
): Format {
  const file = outputFile(output);
  const ext = file === undefined ? "" : extname(file).toLowerCase();
  const byExt = file === undefined ? undefined : formatOfExtension(file);
  if (byExt === undefined) return asked ?? fallback;
  if (asked !== undefined && asked !== byExt)
    throw new UsageError(
      `${flag} ${file}: the extension ${ext} is ${byExt}, but --format is ${asked}: make them agree (or use another extension)`,
      flag,
    );
  return byExt;
}
