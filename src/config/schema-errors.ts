/**
 * Our wording for a validator generated from a schema (src/generated/*, scripts/gen-validators.mjs): the
 * file, the field path as a user writes it (`sources.ecs.service.value.events[0].at`) and what is wrong in
 * plain words, with the value's kind — never Ajv's English. A schema node may carry `x-messages`, keyed by
 * keyword, for a sentence the keyword alone cannot say ("is empty: the bundle holds no evidence").
 */
import { UsageError } from "../errors.js";
import { didYouMeanClause } from "../suggest.js";

/** One error of a generated validator (Ajv, `verbose`: with the failing value and its schema node). */
export interface SchemaError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  /** The value that failed (for `required` and `additionalProperties`: the object). */
  data?: unknown;
  /** The schema node that holds the failing keyword. */
  parentSchema?: Record<string, unknown>;
}

/** A validator from src/generated: true, or false with `errors` (the first error only). */
export type GeneratedValidator = ((data: unknown) => boolean) & { errors?: SchemaError[] | null };

export const kindOf = (v: unknown): string =>
  v === null ? "null" : Array.isArray(v) ? "an array" : typeof v === "object" ? "an object" : `a ${typeof v}`;

const TYPE_WORDS: Record<string, string> = {
  number: "a number",
  integer: "a whole number",
  string: "a string",
  object: "an object",
  array: "an array",
  boolean: "true or false",
  null: "null",
};

/** The keys from `root` to a value as a user writes them: dotted, with [i] for array items. */
export function pathOf(root: unknown, keys: ReadonlyArray<string | number>): string {
  let path = "";
  let at: unknown = root;
  for (const k of keys) {
    const key = String(k);
    path = Array.isArray(at) ? `${path}[${key}]` : path ? `${path}.${key}` : key;
    at = at !== null && typeof at === "object" ? (at as Record<string, unknown>)[key] : undefined;
  }
  return path;
}

/** The same for a JSON pointer (an Ajv instancePath). */
export const fieldPath = (root: unknown, pointer: string): string =>
  pointer === ""
    ? ""
    : pathOf(
        root,
        pointer
          .slice(1)
          .split("/")
          .map((k) => k.replace(/~1/g, "/").replace(/~0/g, "~")),
      );

const child = (path: string, key: string) => (path ? `${path}.${key}` : key);
const shown = (v: unknown) => String(v).slice(0, 40);

/** What is wrong, in our words, for one failed keyword. */
function sentence(e: SchemaError, path: string): string {
  const p = e.params;
  const v = e.data;
  switch (e.keyword) {
    case "type": {
      const types = String(p.type).split(",");
      // A fraction is told apart from a value that is no number at all, as the hand-written checks did.
      if (types.includes("integer"))
        return typeof v === "number"
          ? `must be a whole number (is ${v})`
          : `must be a number (is ${kindOf(v)})`;
      if (types.length === 1 && types[0] === "string" && e.parentSchema?.minLength === 1)
        return `must be a non-empty string (is ${kindOf(v)})`;
      return `must be ${types.map((t) => TYPE_WORDS[t] ?? t).join(" or ")} (is ${kindOf(v)})`;
    }
    case "minimum":
      return `must be ≥ ${String(p.limit)} (is ${String(v)})`;
    case "maximum":
      return `must be ≤ ${String(p.limit)} (is ${String(v)})`;
    case "exclusiveMinimum":
      return `must be > ${String(p.limit)} (is ${String(v)})`;
    case "exclusiveMaximum":
      return `must be < ${String(p.limit)} (is ${String(v)})`;
    case "enum": {
      const allowed = (p.allowedValues as unknown[]).join(", ");
      return typeof v === "string"
        ? `must be one of ${allowed} (got "${shown(v)}")`
        : `must be one of ${allowed} (is ${kindOf(v)})`;
    }
    case "const":
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case "minLength":
      return p.limit === 1 ? "must be a non-empty string" : `must be at least ${String(p.limit)} characters`;
    case "maxLength":
      return `must be at most ${String(p.limit)} characters`;
    case "minItems":
      return `must have at least ${String(p.limit)} items`;
    case "maxItems":
      return `must have at most ${String(p.limit)} items`;
    case "minProperties":
      return "must not be empty";
    case "required":
      return "missing";
    case "additionalProperties": {
      const allowed = Object.keys((e.parentSchema?.properties as object | undefined) ?? {});
      const key = String(p.additionalProperty);
      return `unknown key "${child(path, key)}"${didYouMeanClause(key, allowed)} (allowed here: ${allowed.join(", ")})`;
    }
    case "pattern":
      return `"${shown(v)}" is not in the expected form`;
    default:
      return `does not match the schema (${e.keyword})`;
  }
}

/**
 * The UsageError for a generated validator's first error on `root` read from `file`: `file: path: what`.
 * A missing property is named at its own path (`window.end: missing`).
 */
export function schemaFailure(e: SchemaError, root: unknown, file: string): UsageError {
  let path = fieldPath(root, e.instancePath);
  const custom = (e.parentSchema?.["x-messages"] as Record<string, string> | undefined)?.[e.keyword];
  const what =
    custom !== undefined
      ? custom.replace("{value}", shown(e.data)).replace("{kind}", kindOf(e.data))
      : sentence(e, path);
  if (e.keyword === "required") path = child(path, String(e.params.missingProperty));
  const where = path ? `${file}: ${path}` : file;
  return new UsageError(`${where}: ${what}`, where);
}

/** Run a generated validator; throw the UsageError of its first error. */
export function assertValid(validate: GeneratedValidator, value: unknown, file: string): void {
  if (validate(value)) return;
  const first = validate.errors?.[0];
  throw first
    ? schemaFailure(first, value, file)
    : new UsageError(`${file}: does not match its schema`, file);
}
