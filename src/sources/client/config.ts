/**
 * `client.config`: the user's own client configuration for the index — PIP_INDEX_URL and friends, pip.conf
 * (PIP_CONFIG_FILE, user, global and site files), .pypirc and TWINE_*, .netrc, uv (UV_* and uv.toml) — each
 * compared with the fleet's credentials inside this source. The evidence holds where each setting is, the
 * host it points at and what is wrong with it: never a username or password, never the URL's userinfo.
 */
import { LATIN1_CLIENTS, hasNonAscii } from "../../creds/latin1.js";
import { MAX_CREDS_FILE_BYTES, inputDeadline, readInput } from "../../input/read-input.js";
import { homedir } from "node:os";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import type { SourceDef } from "../context.js";
import { ok } from "../model.js";
import {
  encodeUserinfo,
  decodeUserinfo,
  hostOf,
  hostnameOf,
  inspectCredentialUrl,
  rootUrl,
} from "../../creds/encode.js";
import { parseNetrc, readIni } from "../../creds/merge.js";
import { fleetCredentials } from "../http/credentials.js";
import type { Credentials } from "../../creds/secret.js";

export const CLIENT_CONFIG = "client.config";

export type ClientProblem =
  | "unencoded-reserved"
  | "invalid-percent"
  | "double-percent"
  | "upload-url-simple"
  | "encoded-password"
  | "stale-password"
  | "wrong-username"
  | "non-ascii-password"
  | "unparseable";

export interface ClientEntry {
  /** Where the setting is: `env PIP_INDEX_URL`, `/home/u/.config/pip/pip.conf [global] index-url`, … */
  where: string;
  client: "pip" | "twine" | "uv" | "netrc";
  /** install = an index URL; upload = twine/uv publish settings; netrc = a machine entry. */
  role: "install" | "upload" | "netrc";
  /** host[:port] the setting points at. */
  host?: string;
  /** Whether it points at the fleet's host (null when no fleet URL is known). */
  forFleet: boolean | null;
  /** For pip install settings: the one pip actually uses (highest precedence). */
  effective?: boolean;
  hasCredentials: boolean;
  /** Compared with the fleet's credentials; null when they are not known. */
  passwordMatches: boolean | null;
  problems: ClientProblem[];
}

export interface ClientConfig {
  fleetHost?: string;
  fleetCredentials: "found" | "none" | "unreadable";
  entries: ClientEntry[];
  /** Files looked at (found or not), for the report. */
  files: Array<{ path: string; found: boolean }>;
}

/** Settings keys this source reads (tests and doctor may set them). */
export interface ClientSettings {
  /** The environment to read (default process.env). */
  clientEnv?: NodeJS.ProcessEnv;
}

/**
 * A client's config file, or undefined when it cannot be read. Bounded (issue 26): a FIFO or a device at
 * ~/.netrc or pip.conf is given up at the source's deadline, a file past MAX_CREDS_FILE_BYTES is skipped.
 */
async function readOptional(
  path: string,
  files: ClientConfig["files"],
  deadlineAt?: number,
): Promise<string | undefined> {
  try {
    const bytes = await readInput(path, {
      flag: "client config",
      what: "a client config file",
      maxBytes: MAX_CREDS_FILE_BYTES,
      limitName: "MAX_CREDS_FILE_BYTES",
      ...(deadlineAt !== undefined ? { deadlineAt, deadlineName: "--timeout" } : inputDeadline()),
    });
    const text = bytes.toString("utf8");
    files.push({ path, found: true });
    return text;
  } catch {
    files.push({ path, found: false });
    return undefined;
  }
}

interface Ctx {
  /** The source's deadline: reading a client's file (a FIFO) gives up then. */
  deadlineAt?: number;
  fleetHost?: string;
  fleetHostname?: string;
  creds?: Credentials;
}

function hostMatches(ctx: Ctx, host: string | undefined): boolean | null {
  if (!ctx.fleetHost) return null;
  if (!host) return false;
  const strip = (h: string) => h.replace(/:(443|80)$/, "");
  return strip(host) === strip(ctx.fleetHost);
}

/** A non-ASCII password in a client that sends Basic auth as Latin-1 (src/creds/latin1.ts). */
function latin1Problem(
  client: ClientEntry["client"],
  password: string | undefined,
  problems: ClientProblem[],
): void {
  if (password && (LATIN1_CLIENTS as readonly string[]).includes(client) && hasNonAscii(password))
    problems.push("non-ascii-password");
}

/** An install URL (pip/uv): credentials in the userinfo, percent-encoded. */
function urlEntry(ctx: Ctx, where: string, client: ClientEntry["client"], url: string): ClientEntry {
  const i = inspectCredentialUrl(url);
  const forFleet = hostMatches(ctx, i.host);
  const problems: ClientProblem[] = [...i.problems];
  let passwordMatches: boolean | null = null;
  if (i.hasCredentials && ctx.creds && forFleet !== false) {
    passwordMatches = i.password === ctx.creds.password;
    if (!passwordMatches) {
      const raw = i.rawPassword ?? "";
      const meantRaw =
        raw === ctx.creds.password || decodeUserinfo(raw.replace(/%%/g, "%")) === ctx.creds.password;
      if (!meantRaw) problems.push("stale-password");
      if (raw === ctx.creds.password && !problems.includes("unencoded-reserved"))
        problems.push("unencoded-reserved");
    }
    if (i.username !== ctx.creds.username) problems.push("wrong-username");
  }
  latin1Problem(client, i.password, problems);
  const e: ClientEntry = {
    where,
    client,
    role: "install",
    forFleet,
    hasCredentials: i.hasCredentials,
    passwordMatches,
    problems,
  };
  if (i.host) e.host = i.host;
  return e;
}

/** Upload settings (twine, uv publish): a URL that must be the root, and a raw password. */
function uploadEntry(
  ctx: Ctx,
  where: string,
  client: ClientEntry["client"],
  url: string | undefined,
  username: string | undefined,
  password: string | undefined,
): ClientEntry {
  const host = url ? hostOf(url) : undefined;
  const forFleet = url ? hostMatches(ctx, host) : ctx.fleetHost ? null : null;
  const problems: ClientProblem[] = [];
  if (url && /\/simple\/?$/i.test(url.trim())) problems.push("upload-url-simple");
  let passwordMatches: boolean | null = null;
  if (password !== undefined && ctx.creds && forFleet !== false) {
    passwordMatches = password === ctx.creds.password;
    if (!passwordMatches)
      problems.push(password === encodeUserinfo(ctx.creds.password) ? "encoded-password" : "stale-password");
    if (username !== undefined && username !== ctx.creds.username) problems.push("wrong-username");
  }
  latin1Problem(client, password, problems);
  const e: ClientEntry = {
    where,
    client,
    role: "upload",
    forFleet,
    hasCredentials: password !== undefined,
    passwordMatches,
    problems,
  };
  if (host) e.host = host;
  return e;
}

export async function gatherClientConfig(
  env: NodeJS.ProcessEnv,
  ctx: Ctx,
  fleetCreds: ClientConfig["fleetCredentials"],
): Promise<ClientConfig> {
  const files: ClientConfig["files"] = [];
  const entries: ClientEntry[] = [];
  const home = env.HOME || homedir();
  const xdgConfig = env.XDG_CONFIG_HOME || join(home, ".config");

  // pip: lowest precedence first (global, user, site, PIP_CONFIG_FILE, then PIP_INDEX_URL).
  const pipFiles: string[] = [];
  const devnull = env.PIP_CONFIG_FILE === "/dev/null";
  if (!devnull) {
    for (const d of (env.XDG_CONFIG_DIRS || "/etc/xdg").split(":").filter(Boolean))
      pipFiles.push(join(d, "pip", "pip.conf"));
    pipFiles.push("/etc/pip.conf", join(home, ".pip", "pip.conf"), join(xdgConfig, "pip", "pip.conf"));
    if (env.VIRTUAL_ENV) pipFiles.push(join(env.VIRTUAL_ENV, "pip.conf"));
  }
  if (env.PIP_CONFIG_FILE && !devnull) pipFiles.push(env.PIP_CONFIG_FILE);
  const pipInstall: ClientEntry[] = [];
  for (const f of pipFiles) {
    const text = await readOptional(f, files, ctx.deadlineAt);
    if (text === undefined) continue;
    const ini = readIni(text);
    for (const section of ["global", "install", "download"]) {
      const keys = ini.get(section);
      const index = keys?.get("index-url");
      if (index) pipInstall.push(urlEntry(ctx, `${f} [${section}] index-url`, "pip", index));
      for (const u of (keys?.get("extra-index-url") ?? "").split(/\s+/).filter(Boolean))
        entries.push(urlEntry(ctx, `${f} [${section}] extra-index-url`, "pip", u));
    }
  }
  if (env.PIP_INDEX_URL) pipInstall.push(urlEntry(ctx, "env PIP_INDEX_URL", "pip", env.PIP_INDEX_URL));
  pipInstall.forEach((e, i) => (e.effective = i === pipInstall.length - 1));
  entries.push(...pipInstall);
  for (const u of (env.PIP_EXTRA_INDEX_URL ?? "").split(/\s+/).filter(Boolean))
    entries.push(urlEntry(ctx, "env PIP_EXTRA_INDEX_URL", "pip", u));

  // twine: .pypirc and TWINE_*.
  const pypirc = join(home, ".pypirc");
  const rc = await readOptional(pypirc, files, ctx.deadlineAt);
  if (rc !== undefined) {
    try {
      const ini = readIni(rc);
      const listed = ini.get("distutils")?.get("index-servers")?.split(/\s+/).filter(Boolean);
      const names = listed ?? [...ini.keys()].filter((n) => n !== "distutils");
      for (const name of names) {
        const s = ini.get(name);
        if (!s) continue;
        const repo =
          s.get("repository") ??
          (name === "pypi"
            ? "https://upload.pypi.org/legacy/"
            : name === "testpypi"
              ? "https://test.pypi.org/legacy/"
              : undefined);
        entries.push(
          uploadEntry(ctx, `${pypirc} [${name}]`, "twine", repo, s.get("username"), s.get("password")),
        );
      }
    } catch {
      entries.push({
        where: pypirc,
        client: "twine",
        role: "upload",
        forFleet: null,
        hasCredentials: false,
        passwordMatches: null,
        problems: ["unparseable"],
      });
    }
  }
  if (env.TWINE_REPOSITORY_URL || env.TWINE_PASSWORD)
    entries.push(
      uploadEntry(
        ctx,
        "env TWINE_REPOSITORY_URL/TWINE_PASSWORD",
        "twine",
        env.TWINE_REPOSITORY_URL,
        env.TWINE_USERNAME,
        env.TWINE_PASSWORD,
      ),
    );

  // .netrc (pip via requests, uv, curl): raw password, matched on the host name.
  const netrcPath = env.NETRC || join(home, ".netrc");
  const netrc = await readOptional(netrcPath, files, ctx.deadlineAt);
  if (netrc !== undefined) {
    for (const m of parseNetrc(netrc)) {
      const isFleet = ctx.fleetHostname ? m.machine.toLowerCase() === ctx.fleetHostname : null;
      if (isFleet === false) continue;
      const problems: ClientProblem[] = [];
      let passwordMatches: boolean | null = null;
      if (ctx.creds && m.password !== undefined) {
        passwordMatches = m.password === ctx.creds.password;
        if (!passwordMatches)
          problems.push(
            m.password === encodeUserinfo(ctx.creds.password) ? "encoded-password" : "stale-password",
          );
        if (m.login !== undefined && m.login !== ctx.creds.username) problems.push("wrong-username");
      }
      latin1Problem("netrc", m.password, problems);
      entries.push({
        where: `${netrcPath} machine ${m.machine}`,
        client: "netrc",
        role: "netrc",
        host: m.machine,
        forFleet: isFleet,
        hasCredentials: m.password !== undefined,
        passwordMatches,
        problems,
      });
    }
  }

  // uv: UV_* and uv.toml (user, system, UV_CONFIG_FILE).
  for (const name of ["UV_DEFAULT_INDEX", "UV_INDEX_URL", "UV_INDEX", "UV_EXTRA_INDEX_URL"]) {
    for (const u of (env[name] ?? "").split(/\s+/).filter(Boolean))
      entries.push(urlEntry(ctx, `env ${name}`, "uv", u.replace(/^[^=]+=(?=[a-z]+:\/\/)/i, "")));
  }
  if (env.UV_PUBLISH_URL || env.UV_PUBLISH_PASSWORD)
    entries.push(
      uploadEntry(
        ctx,
        "env UV_PUBLISH_URL/UV_PUBLISH_PASSWORD",
        "uv",
        env.UV_PUBLISH_URL,
        env.UV_PUBLISH_USERNAME,
        env.UV_PUBLISH_PASSWORD,
      ),
    );
  const uvFiles = [
    ...(env.UV_CONFIG_FILE ? [env.UV_CONFIG_FILE] : []),
    join(xdgConfig, "uv", "uv.toml"),
    "/etc/uv/uv.toml",
  ];
  for (const f of uvFiles) {
    const text = await readOptional(f, files, ctx.deadlineAt);
    if (text === undefined) continue;
    let doc: Record<string, unknown>;
    try {
      doc = parseToml(text) as Record<string, unknown>;
    } catch {
      entries.push({
        where: f,
        client: "uv",
        role: "install",
        forFleet: null,
        hasCredentials: false,
        passwordMatches: null,
        problems: ["unparseable"],
      });
      continue;
    }
    const indexes = Array.isArray(doc.index) ? (doc.index as Array<Record<string, unknown>>) : [];
    indexes.forEach((ix, k) => {
      const label = typeof ix.name === "string" ? ix.name : String(k);
      if (typeof ix.url === "string")
        entries.push(urlEntry(ctx, `${f} [[index]] ${label} url`, "uv", ix.url));
      if (typeof ix["publish-url"] === "string")
        entries.push(
          uploadEntry(
            ctx,
            `${f} [[index]] ${label} publish-url`,
            "uv",
            ix["publish-url"],
            undefined,
            undefined,
          ),
        );
    });
    if (typeof doc["index-url"] === "string")
      entries.push(urlEntry(ctx, `${f} index-url`, "uv", doc["index-url"]));
  }

  const out: ClientConfig = { fleetCredentials: fleetCreds, entries, files };
  if (ctx.fleetHost) out.fleetHost = ctx.fleetHost;
  return out;
}

export const clientConfigSource: SourceDef<ClientConfig> = {
  id: CLIENT_CONFIG,
  title: "your pip, twine, netrc and uv configuration",
  async gather(gctx) {
    const env = (gctx.settings as ClientSettings).clientEnv ?? process.env;
    const t = gctx.target;
    const ctx: Ctx = gctx.deadlineAt !== undefined ? { deadlineAt: gctx.deadlineAt } : {};
    let state: ClientConfig["fleetCredentials"] = "none";
    if (t.kind === "fleet" && t.url) {
      const root = rootUrl(t.url);
      const host = hostOf(root);
      const hostname = hostnameOf(root);
      if (host) ctx.fleetHost = host;
      if (hostname) ctx.fleetHostname = hostname;
      const c = await fleetCredentials(gctx);
      if (c.found) {
        ctx.creds = c.credentials;
        state = "found";
      } else if (c.from === "secret") state = "unreadable";
    }
    return ok(await gatherClientConfig(env, ctx, state));
  },
};
