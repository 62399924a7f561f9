/**
 * Credentials in URLs, as pip and uv read them (FACTS.md §6): the userinfo is percent-encoded per
 * RFC 3986 — every byte outside the unreserved set becomes %XX — so `p@ss:w/rd#1%` becomes
 * `p%40ss%3Aw%2Frd%231%25`. twine and .netrc take the raw password; only URLs are encoded.
 */

const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** RFC 3986 percent-encoding of a userinfo component: everything but unreserved characters, as UTF-8. */
export function encodeUserinfo(s: string): string {
  let out = "";
  for (const ch of s) {
    if (UNRESERVED.test(ch)) {
      out += ch;
      continue;
    }
    for (const byte of Buffer.from(ch, "utf8")) out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** Percent-decoding as Python's urllib.parse.unquote does it: invalid escapes are kept as they are. */
export function decodeUserinfo(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length;) {
    if (s[i] === "%" && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 3;
      continue;
    }
    const cp = s.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    for (const b of Buffer.from(ch, "utf8")) bytes.push(b);
    i += ch.length;
  }
  return Buffer.from(bytes).toString("utf8");
}

/** The index root without a trailing slash: `https://pypi.example.com` (twine and uv publish upload here). */
export function rootUrl(url: string): string {
  let u = url.trim().replace(/\/+$/, "");
  if (/\/simple$/i.test(u)) u = u.slice(0, -"/simple".length);
  return u;
}

/** The PEP 503 index URL: `<root>/simple/` (pip, uv and poetry install from here). */
export function simpleUrl(url: string): string {
  return `${rootUrl(url)}/simple/`;
}

/** `https://user:pass@host/simple/` with the userinfo percent-encoded. */
export function withUserinfo(url: string, username: string, password: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(.*)$/i.exec(url);
  if (!m) throw new Error(`not an absolute URL: ${url}`);
  return `${m[1]}${encodeUserinfo(username)}:${encodeUserinfo(password)}@${m[2]}`;
}

/** Host (and port, when given) of a URL, lower-cased; undefined when it is not a URL. */
export function hostOf(url: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:.*@)?([^/?#@]+)/i.exec(url.trim());
  return plausibleHost(m?.[1]?.toLowerCase());
}

/**
 * host[:port] only when it is one: a malformed URL (`https://user:secret/host`, the `@` forgotten) would
 * otherwise report `user:secret` as its host, into evidence and bundles (issue 26). A DNS name (IDN
 * letters, `_`), an IPv4 address or an [IPv6] literal, then an optional numeric port.
 */
export function plausibleHost(h: string | undefined): string | undefined {
  if (!h) return undefined;
  return /^(?:[\p{L}\p{N}_](?:[\p{L}\p{N}_.-]*[\p{L}\p{N}_])?\.?|\[[0-9a-f:.]+\])(?::\d{1,5})?$/iu.test(h)
    ? h
    : undefined;
}

/** Just the host name, without port. */
export function hostnameOf(url: string): string | undefined {
  const h = hostOf(url);
  if (!h) return undefined;
  if (h.startsWith("[")) return h.slice(0, h.indexOf("]") + 1);
  return h.split(":")[0];
}

/** Characters that break a URL when left raw in a password (pip fails, or sends something else). */
export const URL_BREAKING = ["@", ":", "/", "#", "%", "?"] as const;

export interface UrlCredentialInspection {
  /** Host[:port] the URL will be sent to, as the user probably meant it. */
  host?: string;
  hasCredentials: boolean;
  /** The username and password as pip would decode them (for comparison only, never printed). */
  username?: string;
  password?: string;
  /** Raw (undecoded) password text: used to detect a password left unencoded. */
  rawPassword?: string;
  problems: Array<"unencoded-reserved" | "invalid-percent" | "double-percent">;
}

/**
 * Split a credential URL the way a human meant it (the userinfo runs to the last `@` before the host),
 * and say what a URL parser would trip over. Nothing here is ever printed: the values are compared.
 */
export function inspectCredentialUrl(url: string): UrlCredentialInspection {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(.*)$/i.exec(url.trim());
  if (!m) return { hasCredentials: false, problems: [] };
  const rest = m[1]!;
  const at = rest.lastIndexOf("@");
  if (at < 0) {
    const host = plausibleHost(/^([^/?#]+)/.exec(rest)?.[1]?.toLowerCase());
    return host ? { host, hasCredentials: false, problems: [] } : { hasCredentials: false, problems: [] };
  }
  const userinfo = rest.slice(0, at);
  const host = plausibleHost(/^([^/?#]+)/.exec(rest.slice(at + 1))?.[1]?.toLowerCase());
  const colon = userinfo.indexOf(":");
  const rawUser = colon < 0 ? userinfo : userinfo.slice(0, colon);
  const rawPassword = colon < 0 ? "" : userinfo.slice(colon + 1);
  const problems: UrlCredentialInspection["problems"] = [];
  if (/[@/?#]/.test(userinfo) || /:/.test(rawPassword)) problems.push("unencoded-reserved");
  if (/%%/.test(userinfo)) problems.push("double-percent");
  else if (/%(?![0-9A-Fa-f]{2})/.test(userinfo)) problems.push("invalid-percent");
  const out: UrlCredentialInspection = {
    hasCredentials: true,
    username: decodeUserinfo(rawUser),
    password: decodeUserinfo(rawPassword),
    rawPassword,
    problems,
  };
  if (host) out.host = host;
  return out;
}
