/**
 * Evidence bundles: everything a run gathered (source, time, value and the raw text a parser read),
 * as versioned JSON. `--replay` evaluates a bundle offline into the same findings. A bundle never holds
 * a secret: sources record status codes and timings of auth probes, never credentials.
 */
import type { Window } from "../window.js";
import type { Evidence, FailureKind } from "../sources/model.js";
import type { Target } from "../sources/target/model.js";
import { Field, parseLargeJsonFile } from "../config/validate.js";
import { safeUrl, scrubUrlsDeep } from "../config/url-userinfo.js";
import { validateBundleValues } from "./validate.js";
import { PointsJsonStream, parseWithPoints } from "./points-json.js";

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

/** Every failure kind, keyed so that a kind added to FailureKind and not here is a compile error. */
const FAILURE_KIND_SET: Record<FailureKind, true> = {
  "access-denied": true,
  throttled: true,
  timeout: true,
  "not-found": true,
  "no-data": true,
  malformed: true,
  unreachable: true,
  "server-error": true,
  unsupported: true,
  "no-identity": true,
  internal: true,
};
const FAILURE_KINDS = Object.keys(FAILURE_KIND_SET) as FailureKind[];

function isoTime(f: Field): string {
  const s = f.string();
  if (Number.isNaN(Date.parse(s))) f.fail(`"${s}" is not an ISO-8601 time`);
  return s;
}

/** A report (`--format json`) replayed by mistake: say what it is and what --replay takes instead. */
function notAReport(root: Field): void {
  const v = root.value as Record<string, unknown> | null;
  if (
    v &&
    typeof v === "object" &&
    !Array.isArray(v) &&
    "findings" in v &&
    "summary" in v &&
    !("sources" in v)
  )
    root.fail(
      "this is a pypictl report (--format json), not an evidence bundle: a report holds verdicts, not the evidence to re-evaluate. " +
        "Write a bundle with `pypictl doctor --save-evidence FILE` and replay that",
    );
}

/**
 * The bundle's JSON value: metric points read by the scanner of points-json.ts (a large bundle is mostly
 * points); text that is not JSON gets the error of parseLargeJsonFile (line and column, no content quoted).
 */
function bundleJson(input: string | Uint8Array, file: string): unknown {
  try {
    return parseWithPoints(input);
  } catch {
    return parseLargeJsonFile(
      typeof input === "string"
        ? input
        : Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString("utf8"),
      file,
    );
  }
}

/**
 * Parse and validate a bundle (its text, or the file's bytes as read); errors name the file and field.
 * Source values are checked by their checks.
 */
export function parseBundle(input: string | Uint8Array, file: string): EvidenceBundle {
  return bundleOf(bundleJson(input, file), file);
}

/** How much of a bundle `readBundle` reads at a time: few reads, and little held (issue 12). */
const CHUNK = 1 << 20;

/**
 * parseBundle for a bundle read in chunks (`--replay FILE`): `read` fills the buffer it is given and says
 * how many bytes it wrote (0 at the end). The file is never held whole: it is read into one buffer of
 * about a CHUNK, its points go straight into packed arrays (issue 12: a replay's peak memory). Text that
 * is not JSON is rare and its error must name the line and column as parseBundle's does: then `whole`
 * reads the file again for it.
 */
export async function readBundle(
  read: (into: Buffer) => Promise<number>,
  file: string,
  whole: () => Promise<Uint8Array>,
): Promise<EvidenceBundle> {
  const stream = new PointsJsonStream();
  stream.room(CHUNK);
  for (;;) {
    // A read takes what the buffer has room for past a cut array; it grows only for a giant one.
    const n = await read(stream.room(CHUNK >> 4));
    if (n === 0) break;
    stream.wrote(n);
  }
  let json: unknown;
  try {
    json = stream.finish();
  } catch {
    return parseBundle(await whole(), file);
  }
  return bundleOf(json, file);
}

/** The bundle a JSON value holds, validated. */
function bundleOf(json: unknown, file: string): EvidenceBundle {
  const root = new Field(file, "", json);
  notAReport(root);
  root.object([
    "$schema",
    "kind",
    "schemaVersion",
    "tool",
    "createdAt",
    "window",
    "target",
    "description",
    "sources",
  ]);
  if (root.child("kind").value !== BUNDLE_KIND)
    root.child("kind").fail(`must be "${BUNDLE_KIND}" (is this an evidence bundle?)`);
  const version = root.child("schemaVersion").number();
  if (version !== BUNDLE_SCHEMA_VERSION)
    root
      .child("schemaVersion")
      .fail(`version ${version} is not supported (this pypictl reads ${BUNDLE_SCHEMA_VERSION})`);
  const tool = root.child("tool");
  tool.object(["name", "version"]);
  tool.child("version").string();
  const window = root.child("window");
  window.object(["start", "end", "since"]);
  const w: Window = {
    start: isoTime(window.child("start")),
    end: isoTime(window.child("end")),
    since: window.child("since").string(),
  };
  const target = root.child("target");
  const t = target.object();
  const kind = target.child("kind").oneOf(["local", "fleet"] as const);
  if (kind === "local") target.child("host").string();
  for (const [k, v] of Object.entries(t)) if (typeof v !== "string") target.child(k).fail("must be a string");
  // A bundle saved by an older pypictl (or by hand) may carry a password in its URL: never shown again.
  if (typeof t.url === "string") t.url = safeUrl(t.url);
  const sources = root.child("sources");
  const evidence: Evidence = {};
  for (const [id, raw] of Object.entries(sources.object())) {
    const s = sources.child(id);
    s.object(["ok", "value", "at", "raw", "kind", "message", "action"]);
    const at = isoTime(s.child("at"));
    if (s.child("ok").boolean()) {
      if (!s.child("value").present) s.child("value").fail("missing (an ok source needs a value)");
      const rawText = s.child("raw").optString();
      evidence[id] =
        rawText === undefined
          ? { ok: true, value: (raw as { value: unknown }).value, at }
          : { ok: true, value: (raw as { value: unknown }).value, at, raw: rawText };
    } else {
      const failKind = s.child("kind").oneOf(FAILURE_KINDS);
      const message = s.child("message").string();
      const action = s.child("action").optString();
      evidence[id] = action
        ? { ok: false, kind: failKind, message, action, at }
        : { ok: false, kind: failKind, message, at };
    }
  }
  // Values next: the envelope is known good, so messages about values can trust its shape.
  validateBundleValues(json, file);
  const bundle: EvidenceBundle = {
    $schema: BUNDLE_SCHEMA_ID,
    kind: BUNDLE_KIND,
    schemaVersion: BUNDLE_SCHEMA_VERSION,
    tool: { name: "pypictl", version: tool.child("version").string() },
    createdAt: isoTime(root.child("createdAt")),
    window: w,
    target: t as unknown as Target,
    sources: evidence,
  };
  const description = root.child("description").optString();
  if (description) bundle.description = description;
  return bundle;
}
