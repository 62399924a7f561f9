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
