/**
 * Credentials → client configuration, one pure formatter per client. What each client accepts was proved
 * with the real clients (test/integration/creds): pip and uv take the password percent-encoded inside a URL
 * (pip.conf too: pip reads it with RawConfigParser, so `%` is written once); twine, .pypirc and .netrc take it
 * raw; twine uploads to the server root, never to /simple/ (405).
 *
 * `mask: true` renders the same text with `***` wherever the password (in any form) would be.
 */
import { UsageError } from "../errors.js";
import { encodeUserinfo, rootUrl, simpleUrl } from "./encode.js";

export const CRED_FORMATS = ["env", "pip.conf", "pypirc", "netrc", "uv", "uv-env", "poetry", "json"] as const;
export type CredFormat = (typeof CRED_FORMATS)[number];

export interface CredsInput {
  /** The index URL in any form: root, /simple or /simple/. */
  url: string;
  username: string;
  password: string;
  /** Repository/index name used in .pypirc, uv.toml and poetry (default "pypictl"). */
  name: string;
}

export interface RenderOptions {
  /** Replace the password (raw or encoded) with ***. */
  mask: boolean;
}

export const MASK = "***";

/** One line in a shell: single quotes, with ' written as '\''. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The variables poetry reads `http-basic.<name>.username` / `.password` from: poetry's Config.get builds
 * `"POETRY_" + "_".join(k.upper().replace("-", "_") for k in keys)` over the dot-separated keys
 * (python-poetry/poetry src/poetry/config/config.py), and PasswordManager.get_http_auth reads exactly those two
 * settings (src/poetry/utils/password_manager.py). A name holds only letters, digits, `-` and `_`
 * (CRED_NAME_PATTERN), so `-` is the one character the rule rewrites.
 */
export function poetryHttpBasicEnv(name: string): { username: string; password: string } {
  const key = (setting: string) =>
    `POETRY_${setting
      .split(".")
      .map((k) => k.toUpperCase().replace(/-/g, "_"))
      .join("_")}`;
  return { username: key(`http-basic.${name}.username`), password: key(`http-basic.${name}.password`) };
}

/** A TOML basic string (JSON's escapes are a subset TOML accepts). */
export function tomlString(s: string): string {
  return JSON.stringify(s);
}

/** A .netrc token: bare when safe, else double-quoted with \" and \\ (Python ≥ 3.11, curl ≥ 7.84). */
export function netrcToken(s: string): string {
  if (/^[^\s"\\#]+$/.test(s)) return s;
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * A repository/index name: it becomes an INI section header (`[name]` in .pypirc), a TOML string (uv), a
 * poetry config key (`repositories.<name>`, where a dot would nest) and a shell word. Letters, digits,
 * `-` and `_`, starting with a letter or digit, at most 64 — the intersection every client accepts.
 */
/** With the u flag a paired surrogate is one astral code point; only a lone half is category Cs. */
const LONE_SURROGATE = /\p{Cs}/u;
/** Invisible formatting characters: bidi overrides and isolates, zero-width spaces and joiners, the BOM. */
const INVISIBLE = /\p{Cf}/u;

export const CRED_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const CRED_NAME_RULE =
  "letters, digits, '-' and '_', starting with a letter or digit, at most 64 characters";

export function assertCredName(name: string, subject = "--name"): void {
  if (!CRED_NAME_PATTERN.test(name))
    throw new UsageError(
      `${subject}: ${JSON.stringify(name)} is not a valid repository name (allowed: ${CRED_NAME_RULE})`,
      subject,
    );
}

/** A DNS name (IDN letters too, `_` as internal DNS has it) or an IPv6 literal, with an optional port. */
const INDEX_HOST =
  /^(?:[\p{L}\p{N}_](?:[\p{L}\p{N}_-]*[\p{L}\p{N}_])?(?:\.[\p{L}\p{N}_](?:[\p{L}\p{N}_-]*[\p{L}\p{N}_])?)*\.?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/u;

/**
 * The index URL goes verbatim into pip.conf, .pypirc, uv.toml, .netrc (its host) and shell lines: an
 * http(s) URL with a plain host name, no whitespace or control characters (a line break would start a new
 * INI section), no userinfo (the credentials come from the secret and are added encoded), and no query or
 * fragment (`/simple/` is appended to the path: after a `?` or `#` it would not be the path any more).
 */
export function assertIndexUrl(url: string, subject = "--url"): void {
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f-\u009f]/.test(url) || LONE_SURROGATE.test(url) || INVISIBLE.test(url))
    throw new UsageError(
      `${subject}: the URL contains whitespace, control or invisible formatting characters`,
      subject,
    );
  const m = /^https?:\/\/([^/?#@]+)(?:[/?#]|$)/i.exec(url);
  if (!m)
    throw new UsageError(
      `${subject}: "${url}" is not an http(s) URL with a host (and no user name or password)`,
      subject,
    );
  if (!INDEX_HOST.test(m[1]!))
    throw new UsageError(
      `${subject}: "${m[1]}" is not a host name (letters, digits, '-', '_' and dots, or an [IPv6] address, then an optional :port)`,
      subject,
    );
  if (/[?#]/.test(url))
    throw new UsageError(
      `${subject}: the index URL has a query or fragment ("?" or "#"); give the index root, e.g. https://pypi.example.com`,
      subject,
    );
  try {
    new URL(url);
  } catch {
    throw new UsageError(`${subject}: "${url}" is not a valid URL`, subject);
  }
}

/** What Python's str.strip() removes (str.isspace): configparser strips values with it. */
const PY_SPACE =
  "[\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const PY_STRIPPED = new RegExp(`^${PY_SPACE}|${PY_SPACE}$`);

function assertRepresentable(input: CredsInput, format: CredFormat): void {
  assertCredName(input.name);
  assertIndexUrl(input.url);
  // C1 controls too: NEL (U+0085) is a line break to Python's str.splitlines and whitespace to its strip().
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u001f\u007f-\u009f]/;
  // Lone surrogates cannot be written as UTF-8 (nor as a TOML escape): no client could read them back.
  if (LONE_SURROGATE.test(input.username) || LONE_SURROGATE.test(input.password))
    throw new UsageError(
      `--format ${format}: the username or password is not well-formed Unicode (a lone surrogate)`,
      "--format",
    );
  if (control.test(input.username))
    throw new UsageError(
      `--format ${format}: the username contains a control character or line break`,
      "--format",
    );
  // Bidi overrides and zero-width characters (Unicode Cf) would be printed into a terminal or a config
  // file a reader cannot see them in (issue 25): refused rather than silently changed.
  if (INVISIBLE.test(input.username))
    throw new UsageError(
      `--format ${format}: the username contains an invisible formatting character (bidi override, zero-width)`,
      "--format",
    );
  if (control.test(input.password))
    throw new UsageError(
      `--format ${format}: the password contains a control character or line break, which no client config can hold`,
      "--format",
    );
  if (input.username.includes(":"))
    throw new UsageError(
      `--format ${format}: the username contains ":", which HTTP Basic auth cannot carry`,
      "--format",
    );
  if (format === "pypirc" && (PY_STRIPPED.test(input.password) || PY_STRIPPED.test(input.username)))
    throw new UsageError(
      "--format pypirc: the username or password starts or ends with whitespace, which .pypirc (configparser) strips; use --format env (TWINE_USERNAME, TWINE_PASSWORD) instead",
      "--format",
    );
}

export interface RenderedCreds {
  /** The whole text for stdout / a new file. */
  text: string;
}

/**
 * Scheme and host lower-cased (both are case-insensitive). requests ≥ 2.32.4 looks .netrc up by the URL's
 * lower-cased host name, older requests by the host as written in the URL: written lower-case, both match.
 */
export function canonicalUrl(url: string): string {
  return url.replace(
    /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i,
    (_, scheme: string, host: string) => `${scheme.toLowerCase()}${host.toLowerCase()}`,
  );
}

/** The URLs every format is built from. */
export function credentialUrls(input: CredsInput, opts: RenderOptions) {
  const root = rootUrl(canonicalUrl(input.url));
  const index = simpleUrl(canonicalUrl(input.url));
  const pw = opts.mask ? MASK : encodeUserinfo(input.password);
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(.*)$/i.exec(index)!;
  const indexWithCredentials = `${m[1]}${encodeUserinfo(input.username)}:${pw}@${m[2]}`;
  return { root, upload: `${root}/`, index, indexWithCredentials };
}

export function renderCreds(format: CredFormat, input: CredsInput, opts: RenderOptions): string {
  assertRepresentable(input, format);
  const u = credentialUrls(input, opts);
  const raw = opts.mask ? MASK : input.password;
  const name = input.name;
  switch (format) {
    case "env":
      return [
        `# pip (index URL with the credentials percent-encoded) and twine (server root, raw password)`,
        `export PIP_INDEX_URL=${shellQuote(u.indexWithCredentials)}`,
        `export TWINE_REPOSITORY_URL=${shellQuote(u.upload)}`,
        `export TWINE_USERNAME=${shellQuote(input.username)}`,
        `export TWINE_PASSWORD=${shellQuote(raw)}`,
        "",
      ].join("\n");
    case "uv-env":
      return [
        `# uv: install index (credentials percent-encoded) and publishing (server root, raw password)`,
        `export UV_DEFAULT_INDEX=${shellQuote(u.indexWithCredentials)}`,
        `export UV_INDEX_URL=${shellQuote(u.indexWithCredentials)}`,
        `export UV_PUBLISH_URL=${shellQuote(u.upload)}`,
        `export UV_PUBLISH_USERNAME=${shellQuote(input.username)}`,
        `export UV_PUBLISH_PASSWORD=${shellQuote(raw)}`,
        "",
      ].join("\n");
    case "pip.conf":
      return ["[global]", `index-url = ${u.indexWithCredentials}`, ""].join("\n");
    case "pypirc":
      return [
        "[distutils]",
        "index-servers =",
        `    ${name}`,
        "",
        `[${name}]`,
        `repository = ${u.upload}`,
        `username = ${input.username}`,
        `password = ${raw}`,
        "",
      ].join("\n");
    case "netrc":
      return `${netrcEntry(input, opts)}\n`;
    case "uv":
      return uvIndexBlock(input, opts);
    case "poetry": {
      const env = poetryHttpBasicEnv(name);
      return [
        `# poetry: install source (PEP 503 URL) and publish repository (server root)`,
        `poetry source add --priority=primary ${shellQuote(name)} ${shellQuote(u.index)}`,
        `poetry config repositories.${name} ${shellQuote(u.upload)}`,
        `# credentials for source and repository ${name}, read from the environment (never a command-line argument):`,
        `export ${env.username}=${shellQuote(input.username)}`,
        `export ${env.password}=${shellQuote(raw)}`,
        `# or store them once (poetry asks for the password; keyring or auth.toml): poetry config http-basic.${name} ${shellQuote(input.username)}`,
        "",
      ].join("\n");
    }
    case "json":
      return `${JSON.stringify(
        {
          name,
          url: u.root,
          indexUrl: u.index,
          indexUrlWithCredentials: u.indexWithCredentials,
          uploadUrl: u.upload,
          username: input.username,
          password: raw,
        },
        null,
        2,
      )}\n`;
  }
}

/**
 * The host .netrc matches on: the host name only, lower-cased (requests drops the port; ≥ 2.32.4 looks up
 * urlparse().hostname), an IPv6 address without its brackets (hostname's form, and curl's).
 */
export function netrcMachine(url: string): string {
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/?#]+)/i.exec(url)!;
  const hostport = m[1]!.replace(/^.*@/, "").toLowerCase();
  return hostport.startsWith("[") ? hostport.slice(1, hostport.indexOf("]")) : hostport.split(":")[0]!;
}

export function netrcEntry(input: CredsInput, opts: RenderOptions): string {
  return [
    `machine ${netrcMachine(input.url)}`,
    `  login ${netrcToken(input.username)}`,
    `  password ${opts.mask ? MASK : netrcToken(input.password)}`,
  ].join("\n");
}

export function uvIndexBlock(input: CredsInput, opts: RenderOptions): string {
  const u = credentialUrls(input, opts);
  return [
    "[[index]]",
    `name = ${tomlString(input.name)}`,
    `url = ${tomlString(u.indexWithCredentials)}`,
    `publish-url = ${tomlString(u.upload)}`,
    "default = true",
    "",
  ].join("\n");
}

/** Every textual form of a password the formats can emit: registered as secrets for masking. */
export function passwordForms(password: string): string[] {
  return [
    ...new Set([
      password,
      encodeUserinfo(password),
      JSON.stringify(password).slice(1, -1),
      netrcToken(password),
      shellQuote(password).slice(1, -1),
    ]),
  ];
}
