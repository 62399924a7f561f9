/**
 * Evidence bundles: everything a run gathered (source, time, value and the raw text a parser read),
 * as versioned JSON. `--replay` evaluates a bundle offline into the same findings. A bundle never holds
 * a secret: sources record status codes and timings of auth probes, never credentials.
 */
import type { Window } from "../window.js";
import type { Evidence } from "../sources/model.js";
import type { Target } from "../sources/target/model.js";
import { UsageError } from "../errors.js";
import { parseLargeJsonFile } from "../config/validate.js";
import { safeUrl, scrubUrlsDeep } from "../config/url-userinfo.js";
import { validateBundle } from "./validate.js";

export const BUNDLE_SCHEMA_VERSION = 1;
export const BUNDLE_KIND = "pypictl-evidence";

export const BUNDLE_SCHEMA_ID = "https://pypictl.dev/schemas/evidence.v1.json";

export interface EvidenceBundle {
  $schema?: string;
  kind: typeof BUNDLE_KIND;
  schemaVersion: typeof BUNDLE_SCHEMA_VERSION;
  tool: { name: "pypictl"; version: string };
  createdAt: string;
  window: Window;
  target: Target;
  /** Free text: what this bundle shows (examples/ use it). */
  description?: string;
  sources: Evidence;
}

export function makeBundle(args: {
  version: string;
  window: Window;
  target: Target;
  evidence: Evidence;
  now: Date;
  description?: string;
}): EvidenceBundle {
  const b: EvidenceBundle = {
    $schema: BUNDLE_SCHEMA_ID,
    kind: BUNDLE_KIND,
    schemaVersion: BUNDLE_SCHEMA_VERSION,
    tool: { name: "pypictl", version: args.version },
    createdAt: args.now.toISOString(),
    window: args.window,
    // No URL in a bundle keeps a password, a query or a token-like path segment (issue 26).
    target: scrubUrlsDeep(args.target),
    sources: scrubUrlsDeep(args.evidence),
  };
  if (args.description) b.description = args.description;
  return b;
}

/**
 * The bundle as written to disk. Compact by default: a 200-instance × 1440-point bundle is 2.3× smaller
 * without indentation and replays faster (issue 12); `pretty` indents it for a person to read. Both are
 * the same JSON value, so both validate against schemas/evidence.schema.json and replay alike.
 */
export function bundleText(bundle: EvidenceBundle, opts: { pretty?: boolean | undefined } = {}): string {
  return `${opts.pretty ? JSON.stringify(bundle, null, 2) : JSON.stringify(bundle)}\n`;
}

/** A report (`--format json`) replayed by mistake: say what it is and what --replay takes instead. */
function notAReport(v: unknown, file: string): void {
  if (
    v &&
    typeof v === "object" &&
    !Array.isArray(v) &&
    "findings" in v &&
    "summary" in v &&
    !("sources" in v)
  )
    throw new UsageError(
      `${file}: this is a pypictl report (--format json), not an evidence bundle: a report holds verdicts, not the evidence to re-evaluate. ` +
        "Write a bundle with `pypictl doctor --save-evidence FILE` and replay that",
      file,
    );
}

/**
 * Parse and validate a bundle (its text, or the file's bytes as read); errors name the file and field.
 * The whole shape is schemas/evidence.schema.json (validate.ts); what is read here is known good.
 */
export function parseBundle(input: string | Uint8Array, file: string): EvidenceBundle {
  const text =
    typeof input === "string"
      ? input
      : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString("utf8");
  const json = parseLargeJsonFile(text, file);
  notAReport(json, file);
  validateBundle(json, file);
  const read = json as EvidenceBundle;
  const evidence: Evidence = {};
  for (const [id, s] of Object.entries(read.sources)) {
    if (s.ok)
      evidence[id] =
        s.raw === undefined
          ? { ok: true, value: s.value, at: s.at }
          : { ok: true, value: s.value, at: s.at, raw: s.raw };
    else
      evidence[id] = s.action
        ? { ok: false, kind: s.kind, message: s.message, action: s.action, at: s.at }
        : { ok: false, kind: s.kind, message: s.message, at: s.at };
  }
  const target = { ...read.target };
  // A bundle saved by an older pypictl (or by hand) may carry a password in its URL: never shown again.
  if (target.kind === "fleet" && target.url !== undefined) target.url = safeUrl(target.url);
  const bundle: EvidenceBundle = {
    $schema: BUNDLE_SCHEMA_ID,
    kind: BUNDLE_KIND,
    schemaVersion: BUNDLE_SCHEMA_VERSION,
    tool: { name: "pypictl", version: read.tool.version },
    createdAt: read.createdAt,
    window: { start: read.window.start, end: read.window.end, since: read.window.since },
    target,
    sources: evidence,
  };
  if (read.description) bundle.description = read.description;
  return bundle;
}
