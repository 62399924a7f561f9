/**
 * A user name or password typed into `--url` or the config's `target.url` would travel into reports,
 * `--verbose` lines and saved evidence. It is removed before the URL is stored anywhere, and the user is
 * told that credentials belong in the secret (--secret-id), where doctor reads them and masks them.
 * The userinfo is taken to run from `//` to the last `@` in the URL, as inspectCredentialUrl reads it: a
 * human-typed password may hold an unencoded `@`, `/` or `#`, and cutting too little would leak the rest
 * (an index URL has no `@` in its path).
 */

export const USERINFO_WARNING =
  "credentials in a URL end up in reports, logs and evidence; they were removed — keep them in the secret (--secret-id) instead";

/** The URL without userinfo, and whether there was any. Text that is not an absolute URL is returned as is. */
export function stripUserinfo(url: string): { url: string; hadUserinfo: boolean } {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(.*)$/is.exec(url);
  if (!m) return { url, hadUserinfo: false };
  const rest = m[2]!;
  const at = rest.lastIndexOf("@");
  if (at < 0) return { url, hadUserinfo: false };
  return { url: `${m[1]}${rest.slice(at + 1)}`, hadUserinfo: true };
}

/**
 * A path segment that looks like a credential: a long run of token characters with letters and digits and
 * no dot (a file name has one), or a token with a well-known prefix (PyPI API tokens `pypi-`, GitHub
 * `ghp_`/`github_pat_`, GitLab `glpat-`, AWS access keys `AKIA`). Private indexes put tokens in the path
 * (`https://pypi.fury.io/TOKEN/acct/`).
 */
const TOKEN_SEGMENT =
  /^(?:(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Za-z])[A-Za-z0-9_-]{20,}|(?:pypi-|ghp_|github_pat_|glpat-|AKIA)[A-Za-z0-9_-]{8,})$/;

/**
 * A URL as a bundle may keep it (issue 26): no userinfo, no query or fragment (`?token=…`), no path
 * segment that looks like a token. Text that is not an absolute URL is returned as is.
 */
export function safeUrl(url: string): string {
  const stripped = stripUserinfo(url).url;
  const m = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)([^?#]*)(.*)$/is.exec(stripped);
  if (!m) return stripped;
  const path = m[2]!
    .split("/")
    .map((seg) => (TOKEN_SEGMENT.test(seg) ? "***" : seg))
    .join("/");
  return `${m[1]}${path}`;
}

const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;

/** Every URL inside a text made safe (error messages quote the URL they could not reach). */
export function scrubUrls(text: string): string {
  if (!text.includes("://")) return text;
  // Punctuation that ends a sentence is not part of the URL it follows.
  return text.replace(URL_IN_TEXT, (m) => {
    const tail = /[.,:;)\]]+$/.exec(m)?.[0] ?? "";
    return safeUrl(m.slice(0, m.length - tail.length)) + tail;
  });
}

/**
 * Every string in a value with its URLs made safe; parts without a URL are returned as they are, so a
 * bundle of numbers costs a walk, not a copy.
 */
export function scrubUrlsDeep<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return scrubUrls(v);
    if (typeof v !== "object" || v === null || ArrayBuffer.isView(v)) return v;
    if (Array.isArray(v)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < v.length; i++) {
        const w = walk(v[i]);
        if (w !== v[i]) (copy ??= v.slice())[i] = w;
      }
      return copy ?? v;
    }
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) return v;
    let copy: Record<string, unknown> | undefined;
    for (const [k, x] of Object.entries(v)) {
      const w = walk(x);
      if (w !== x) (copy ??= { ...(v as Record<string, unknown>) })[k] = w;
    }
    return copy ?? v;
  };
  return walk(value) as T;
}
