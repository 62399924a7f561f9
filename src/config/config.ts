/**
 * The config file (JSON, schemas/config.schema.json): thresholds, selection, target identity and flag
 * defaults. Unknown keys are rejected by name; flags override it. The `deploy` section is an object here
 * and validated in full by its owner (src/infra/options.ts, against the stack's props).
 */
import { parseJsonFile } from "./validate.js";
import { assertValid, type GeneratedValidator } from "./schema-errors.js";
import { validateConfig } from "../generated/config-validator.js";
import { parseDuration } from "./duration.js";
import { checkHostPath } from "./host-paths.js";
import { stripUserinfo, USERINFO_WARNING } from "./url-userinfo.js";
import { FLEET_IDENTITY_KEYS, type FleetIdentity } from "../sources/target/model.js";

export const FORMATS = ["human", "json", "junit", "markdown", "html"] as const;
export type Format = (typeof FORMATS)[number];

/** The `target` section: the same fields as a fleet target (flags override them). */
export type TargetConfig = FleetIdentity;

export const TARGET_KEYS = FLEET_IDENTITY_KEYS;

export interface HostConfig {
  samples?: number;
  mountPath?: string;
  packageDir?: string;
}

export interface PypictlConfig {
  /** `"<checkId>.<threshold>": value`, or nested `{ "<checkId>": { "<threshold>": value } }`. */
  thresholds: Record<string, number>;
  only?: string[];
  skip?: string[];
  since?: string;
  format?: Format;
  failOn?: "warn" | "fail";
  target: TargetConfig;
  host: HostConfig;
  /** Validated by `pypictl deploy` (src/infra). */
  deploy?: Record<string, unknown>;
  /** Validated by `pypictl creds`. */
  creds?: Record<string, unknown>;
  /** Things accepted but changed, for stderr (e.g. credentials removed from target.url). */
  warnings: string[];
}

export const EMPTY_CONFIG: PypictlConfig = { thresholds: {}, target: {}, host: {}, warnings: [] };

/** The config file as schemas/config.schema.json says it is (checked by the generated validator). */
interface ConfigFile {
  thresholds?: Record<string, number | Record<string, number>>;
  only?: string[];
  skip?: string[];
  since?: string;
  format?: Format;
  failOn?: "warn" | "fail";
  target?: TargetConfig;
  host?: HostConfig;
  deploy?: Record<string, unknown>;
  creds?: Record<string, unknown>;
}

/**
 * Parse and validate a config file: its shape is schemas/config.schema.json (the validator generated from
 * it names the file and field); here only what a schema cannot say — a duration, a path on the hosts, a
 * URL's userinfo.
 */
export function parseConfig(text: string, file: string): PypictlConfig {
  const json = parseJsonFile(text, file);
  assertValid(validateConfig as GeneratedValidator, json, file);
  const c = json as ConfigFile;
  const cfg: PypictlConfig = { thresholds: {}, target: {}, host: {}, warnings: [] };
  for (const [k, v] of Object.entries(c.thresholds ?? {})) {
    if (typeof v === "number") cfg.thresholds[k] = v;
    else for (const [name, n] of Object.entries(v)) cfg.thresholds[`${k}.${name}`] = n;
  }
  if (c.only) cfg.only = c.only;
  if (c.skip) cfg.skip = c.skip;
  if (c.since) {
    // Checked here, not when the window is built: a replay or --since on the command line would hide it.
    parseDuration(c.since, `${file}: since`);
    cfg.since = c.since;
  }
  if (c.format) cfg.format = c.format;
  if (c.failOn) cfg.failOn = c.failOn;
  if (c.target) {
    for (const k of TARGET_KEYS) if (c.target[k] !== undefined) cfg.target[k] = c.target[k];
    if (cfg.target.url !== undefined) {
      const stripped = stripUserinfo(cfg.target.url);
      if (stripped.hadUserinfo) cfg.warnings.push(`${file}: target.url: ${USERINFO_WARNING}`);
      cfg.target.url = stripped.url;
    }
  }
  if (c.host) {
    if (c.host.samples !== undefined) cfg.host.samples = c.host.samples;
    checkHostPath(c.host.mountPath, `${file}: host.mountPath`);
    if (c.host.mountPath) cfg.host.mountPath = c.host.mountPath;
    checkHostPath(c.host.packageDir, `${file}: host.packageDir`);
    if (c.host.packageDir) cfg.host.packageDir = c.host.packageDir;
  }
  if (c.deploy) cfg.deploy = c.deploy;
  if (c.creds) cfg.creds = c.creds;
  return cfg;
}
