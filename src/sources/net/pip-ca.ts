/**
 * The CA bundle pip would trust for the index, so the probe (creds --check, doctor's index checks) sees
 * what `pip install` sees. Found as pip finds it (pip 25, src/pip/_internal/configuration.py and its
 * vendored requests, sessions.py):
 *
 * 1. REQUESTS_CA_BUNDLE, then CURL_CA_BUNDLE: requests' merge_environment_settings puts these on each
 *    request, and a request's `verify` beats the session's — so they win even over `--cert`/PIP_CERT
 *    (pypa/pip#10147).
 * 2. PIP_CERT: environment variables override every config file (OVERRIDE_ORDER ends with ENV_VAR).
 * 3. `cert =` in pip's config files, `[install]` over `[global]` (the command's section overrides global),
 *    a later file over an earlier one in pip's loading order: global (each of XDG_CONFIG_DIRS, default
 *    /etc/xdg, then /etc: `pip/pip.conf`, `pip.conf`), user (~/.pip/pip.conf, then
 *    $XDG_CONFIG_HOME/pip/pip.conf), site ($VIRTUAL_ENV/pip.conf), then PIP_CONFIG_FILE. PIP_CONFIG_FILE
 *    set to /dev/null loads no file at all; set to a file that exists, the user files are skipped.
 *    (macOS: ~/Library/Application Support/pip/pip.conf is the user file when that folder exists.)
 *
 * Not followed: pip's "base" file (sys.base_prefix/pip.conf: needs the interpreter), Windows locations.
 */
import { existsSync } from "node:fs";
import { inputDeadline, MIB, readInput } from "../../input/read-input.js";
import { homedir, platform } from "node:os";
import { join } from "node:path";
import { readCaBundle, type CaBundle } from "./ca-bundle.js";

export interface PipCaSetting {
  path: string;
  /** As a user finds it: "REQUESTS_CA_BUNDLE", "cert in [global] of /home/me/.config/pip/pip.conf". */
  from: string;
}

/** pip's config files, lowest precedence first (see the module comment). */
export function pipConfigFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const configFile = env.PIP_CONFIG_FILE;
  if (configFile === "/dev/null") return [];
  const home = env.HOME || homedir();
  const xdgDirs = (env.XDG_CONFIG_DIRS || "/etc/xdg").split(":").filter(Boolean);
  const global = [...xdgDirs.map((d) => join(d, "pip", "pip.conf")), "/etc/pip.conf"];
  const macUser = join(home, "Library", "Application Support", "pip");
  const user = [
    join(home, ".pip", "pip.conf"),
    platform() === "darwin" && existsSync(macUser)
      ? join(macUser, "pip.conf")
      : join(env.XDG_CONFIG_HOME || join(home, ".config"), "pip", "pip.conf"),
  ];
  const skipUser = configFile !== undefined && configFile !== "" && existsSync(configFile);
  const site = env.VIRTUAL_ENV ? [join(env.VIRTUAL_ENV, "pip.conf")] : [];
  return [...global, ...(skipUser ? [] : user), ...site, ...(configFile ? [configFile] : [])];
}

/**
 * `cert` of [global] and [install] in one INI text, as Python's RawConfigParser reads it: `key = value` or
 * `key: value`, names case-insensitive with `_` and `-` alike (pip's _normalize_name), whole-line comments
 * (`#`, `;`) only — an inline `# …` is part of the value.
 */
export function certInPipConf(text: string): { global?: string; install?: string } {
  const out: { global?: string; install?: string } = {};
  let section = "";
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = header[1]!.trim().toLowerCase();
      continue;
    }
    if (/^\s/.test(raw)) continue; // a continuation line
    const kv = /^([^=:]+)[=:](.*)$/.exec(line);
    if (!kv) continue;
    const name = kv[1]!.trim().toLowerCase().replace(/_/g, "-").replace(/^--/, "");
    if (name !== "cert" || (section !== "global" && section !== "install")) continue;
    out[section] = kv[2]!.trim();
  }
  return out;
}

/** A pip config file's size limit (a real one is a few hundred bytes). */
export const MAX_PIP_CONF_BYTES = 1 * MIB;

/** Where pip's CA bundle would come from, without reading the bundle: undefined = pip's default store. */
export async function pipCaSetting(env: NodeJS.ProcessEnv = process.env): Promise<PipCaSetting | undefined> {
  for (const name of ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "PIP_CERT"]) {
    const v = env[name]?.trim();
    if (v) return { path: v, from: name };
  }
  let global: PipCaSetting | undefined;
  let install: PipCaSetting | undefined;
  for (const file of pipConfigFiles(env)) {
    let text: string;
    try {
      text = (
        await readInput(file, {
          flag: "pip.conf",
          what: "a pip config file",
          maxBytes: MAX_PIP_CONF_BYTES,
          limitName: "MAX_PIP_CONF_BYTES",
          ...inputDeadline(),
        })
      ).toString("utf8");
    } catch {
      continue; // pip reads only the files that exist (and ours must end: a FIFO or /dev/zero is skipped)
    }
    const c = certInPipConf(text);
    if (c.global) global = { path: c.global, from: `cert in [global] of ${file}` };
    if (c.install) install = { path: c.install, from: `cert in [install] of ${file}` };
  }
  return install ?? global;
}

/** The bundle pip would use, read; undefined for pip's default. A bad setting is a UsageError naming it. */
export async function pipCaBundle(env: NodeJS.ProcessEnv = process.env): Promise<CaBundle | undefined> {
  const s = await pipCaSetting(env);
  return s ? readCaBundle(s.path, s.from, env) : undefined;
}
