/**
 * Full validation of an evidence bundle before any check runs (issue 14): a replayed bundle with a string,
 * null, object or boolean where a number belongs, a negative or absurd series value, a prototype key, a
 * window ending before it starts or no sources at all must be exit 2 naming the field, never a verdict.
 *
 * One truth (issue 23): the shape is schemas/evidence.schema.json, checked by the code generated from it
 * (src/generated/evidence-validator.ts). Here are only the rules a schema cannot state: no prototype key
 * and no non-finite number anywhere (also in values the schema leaves free), and times in order.
 */
import { UsageError } from "../errors.js";
import { assertValid, pathOf, type GeneratedValidator } from "../config/schema-errors.js";
import { validateEvidence } from "../generated/evidence-validator.js";

const FORBIDDEN = new Set(["__proto__", "constructor", "prototype"]);
/** Deeper than any source writes; a bundle nested deeper is crafted, and walking it would cost the stack. */
const MAX_DEPTH = 64;

const fail = (file: string, pointer: Array<string | number>, root: unknown, what: string): never => {
  const path = pathOf(root, pointer);
  const where = path ? `${file}: ${path}` : file;
  throw new UsageError(`${where}: ${what}`, where);
};

/**
 * One pass over everything: no prototype keys, no non-finite numbers (JSON's 1e999 parses to Infinity).
 * The path is a stack, turned into text only on failure: this pass touches every number of the bundle.
 */
function walk(root: unknown, file: string): void {
  const path: Array<string | number> = [];
  const visit = (x: object, depth: number): void => {
    if (depth > MAX_DEPTH) fail(file, path, root, "nested too deeply");
    if (Array.isArray(x)) {
      for (let i = 0; i < x.length; i++) {
        const e: unknown = x[i];
        if (typeof e === "number") {
          if (e - e !== 0) fail(file, [...path, i], root, "must be a finite number");
        } else if (typeof e === "object" && e !== null) {
          path.push(i);
          visit(e, depth + 1);
          path.pop();
        }
      }
      return;
    }
    for (const k in x) {
      if (!Object.prototype.hasOwnProperty.call(x, k)) continue;
      if (FORBIDDEN.has(k)) fail(file, [...path, k], root, `the key "${k}" is not allowed`);
      const e = (x as Record<string, unknown>)[k];
      if (typeof e === "number") {
        if (e - e !== 0) fail(file, [...path, k], root, "must be a finite number");
      } else if (typeof e === "object" && e !== null) {
        path.push(k);
        visit(e, depth + 1);
        path.pop();
      }
    }
  };
  if (typeof root === "object" && root !== null) visit(root, 0);
}

interface Span {
  start: string;
  end: string;
}

/** A span's end before its start: the schema checks each time's form, not their order. */
function inOrder(span: Span, file: string, path: string, what: string): void {
  if (Date.parse(span.end) < Date.parse(span.start)) {
    const where = `${file}: ${path}.end`;
    throw new UsageError(`${where}: ${what}`, where);
  }
}

/**
 * Validate a bundle's JSON value: every number finite and no prototype key anywhere, the shape of
 * schemas/evidence.schema.json (the envelope and each typed source's value), and its windows in order.
 * Throws a UsageError naming the file and the field path.
 */
export function validateBundle(root: unknown, file: string): void {
  walk(root, file);
  assertValid(validateEvidence as GeneratedValidator, root, file);
  const b = root as { window: Span; sources: Record<string, { ok: boolean; value?: unknown }> };
  inOrder(b.window, file, "window", "ends before window.start");
  const metrics = b.sources["cloudwatch.metrics"];
  if (metrics?.ok)
    inOrder(metrics.value as Span, file, "sources.cloudwatch.metrics.value", "ends before start");
}
