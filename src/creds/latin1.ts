/**
 * pip and twine send HTTP Basic credentials through requests, which encodes them as Latin-1
 * (requests.auth._basic_auth_str); pypiserver (bottle's parse_auth) decodes them as UTF-8. So a password
 * with any non-ASCII character fails in pip and twine — a UnicodeEncodeError before sending, or bytes the
 * server cannot decode (401) — although curl, uv and pypictl's own UTF-8 probe get in (FACTS.md).
 */
export function hasNonAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return true;
  return false;
}

/** Clients whose Basic auth goes through requests (Latin-1). uv (reqwest) sends UTF-8. */
export const LATIN1_CLIENTS = ["pip", "twine", "netrc"] as const;

export const NON_ASCII_REASON =
  "pip and twine (requests) encode Basic auth as Latin-1 while pypiserver decodes UTF-8, so a non-ASCII password fails there (401, or an encoding error before sending) although curl and pypictl get in";
