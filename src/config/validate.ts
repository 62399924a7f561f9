/**
 * Tiny validators for JSON input (config files, bundles, flags). Every error names the file and the
 * dotted path of the field at fault, so the user can fix it without reading code.
 */
import { UsageError } from "../errors.js";
import { didYouMeanClause } from "../suggest.js";
import { JsonSyntaxError, parseStrictJson } from "./strict-json.js";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

export class Field {
  constructor(
    readonly file: string,
    readonly path: string,
    readonly value: unknown,
  ) {}

  fail(what: string): never {
    const where = this.path ? `${this.file}: ${this.path}` : this.file;
    throw new UsageError(`${where}: ${what}`, where);
  }

  child(key: string | number): Field {
    const v = (this.value as Record<string, unknown> | undefined)?.[key as string];
    const path = typeof key === "number" ? `${this.path}[${key}]` : this.path ? `${this.path}.${key}` : key;
    return new Field(this.file, path, v);
  }

  get present(): boolean {
    return this.value !== undefined;
  }

  object(allowed?: readonly string[]): Record<string, unknown> {
    if (typeof this.value !== "object" || this.value === null || Array.isArray(this.value))
      this.fail("must be an object");
    if (allowed) {
      for (const k of Object.keys(this.value)) {
        if (!allowed.includes(k)) {
          const where = this.path ? `${this.path}.${k}` : k;
          this.fail(
            `unknown key "${where}"${didYouMeanClause(k, allowed)} (allowed here: ${allowed.join(", ")})`,
          );
        }
      }
    }
    return this.value as Record<string, unknown>;
  }

  string(): string {
    if (typeof this.value !== "string" || this.value === "") this.fail("must be a non-empty string");
    return this.value;
  }

  optString(): string | undefined {
    return this.present ? this.string() : undefined;
  }

  number(min?: number, max?: number): number {
    if (typeof this.value !== "number" || !Number.isFinite(this.value)) this.fail("must be a number");
    if (min !== undefined && this.value < min) this.fail(`must be ≥ ${min} (got ${this.value})`);
    if (max !== undefined && this.value > max) this.fail(`must be ≤ ${max} (got ${this.value})`);
    return this.value;
  }

  optNumber(min?: number, max?: number): number | undefined {
    return this.present ? this.number(min, max) : undefined;
  }

  boolean(): boolean {
    if (typeof this.value !== "boolean") this.fail("must be true or false");
    return this.value;
  }

  optBoolean(): boolean | undefined {
    return this.present ? this.boolean() : undefined;
  }

  oneOf<T extends string>(choices: readonly T[]): T {
    const s = this.string();
    if (!(choices as readonly string[]).includes(s))
      this.fail(`must be one of ${choices.join(", ")} (got "${s}")`);
    return s as T;
  }

  optOneOf<T extends string>(choices: readonly T[]): T | undefined {
    return this.present ? this.oneOf(choices) : undefined;
  }

  stringArray(): string[] {
    if (!Array.isArray(this.value)) this.fail("must be an array of strings");
    return this.value.map((_, i) => this.child(i).string());
  }

  optStringArray(): string[] | undefined {
    return this.present ? this.stringArray() : undefined;
  }
}

/**
 * Config files and Terraform outputs: strict (duplicate and prototype keys refused) and never quoting the
 * file in an error, since these files can hold passwords (see strict-json.ts).
 */
export function parseJsonFile(text: string, file: string): unknown {
  try {
    return parseStrictJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new UsageError(`${file}: not valid JSON: ${e.message}`, file);
    throw e;
  }
}

/**
 * Large machine-written files (evidence bundles): JSON.parse for speed, with V8's message reduced to its
 * position, because V8 quotes the text around the error and no file's content belongs in an error.
 */
export function parseLargeJsonFile(text: string, file: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Locate the error without quoting anything: the strict reader reports line and column.
    try {
      parseStrictJson(text);
    } catch (e) {
      if (e instanceof JsonSyntaxError) throw new UsageError(`${file}: not valid JSON: ${e.message}`, file);
    }
    throw new UsageError(`${file}: not valid JSON`, file);
  }
}
