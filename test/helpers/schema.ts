/** Validators for the published JSON Schemas (schemas/*.schema.json). */
import { readFileSync } from "node:fs";
import AjvModule from "ajv";

const Ajv = AjvModule as unknown as typeof AjvModule.default;
const load = (name: string) =>
  JSON.parse(readFileSync(new URL(`../../schemas/${name}`, import.meta.url), "utf8")) as object;

const ajv = new Ajv({ allErrors: true, strict: false });
const reportSchema = load("report.schema.json");
ajv.addSchema(reportSchema);
const evidenceSchema = load("evidence.schema.json");

const validateReportFn = ajv.compile(reportSchema);
const validateBundleFn = ajv.compile(evidenceSchema);

function check(fn: typeof validateReportFn, value: unknown, what: string): void {
  if (!fn(value))
    throw new Error(`${what} does not match its schema:\n${ajv.errorsText(fn.errors, { separator: "\n" })}`);
}

export function assertValidReport(value: unknown): void {
  check(validateReportFn, value, "report");
}

export function assertValidBundle(value: unknown): void {
  check(validateBundleFn, value, "evidence bundle");
}

const validateSizeFn = ajv.compile(load("size.schema.json"));

export function assertValidSizeReport(value: unknown): void {
  check(validateSizeFn, value, "size report");
}
