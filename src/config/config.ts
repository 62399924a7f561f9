/**
 * The config file (JSON): thresholds, selection, target identity and flag defaults. Validated with
 * unknown keys rejected by name; flags override it. Sections owned by other commands (deploy, creds)
 * are checked to be objects here and validated in full by their owners.
 */
import { Field, parseJsonFile } from "./validate.js";
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

const TOP_KEYS = [
  "$schema",
  "thresholds",
  "only",
  "skip",
  "since",
  "format",
  "failOn",
  "target",
  "host",
  "deploy",
  "creds",
];

export function parseConfig(text: string, file: string): PypictlConfig {
  const root = new Field(file, "", parseJsonFile(text, file));
  root.object(TOP_KEYS);
  const cfg: PypictlConfig = { thresholds: {}, target: {}, host: {}, warnings: [] };

  const th = root.child("thresholds");
  if (th.present) {
    for (const [k, v] of Object.entries(th.object())) {
      const f = th.child(k);
      if (typeof v === "object" && v !== null && !Array.isArray(v)) {
        for (const name of Object.keys(f.object())) cfg.thresholds[`${k}.${name}`] = f.child(name).number();
      } else {
        cfg.thresholds[k] = f.number();
      }
    }
  }
  const only = root.child("only").optStringArray();
  if (only) cfg.only = only;
  const skip = root.child("skip").optStringArray();
  if (skip) cfg.skip = skip;
  const since = root.child("since").optString();
  if (since) {
    // Checked here, not when the window is built: a replay or --since on the command line would hide it.
    parseDuration(since, `${file}: since`);
    cfg.since = since;
  }
  const format = root.child("format").optOneOf(FORMATS);
  if (format) cfg.format = format;
  const failOn = root.child("failOn").optOneOf(["warn", "fail"] as const);
  if (failOn) cfg.failOn = failOn;

  const target = root.child("target");
  if (target.present) {
    target.object([...TARGET_KEYS]);
    for (const k of TARGET_KEYS) {
      const v = target.child(k).optString();
      if (v !== undefined) cfg.target[k] = v;
    }
    if (cfg.target.url !== undefined) {
      const stripped = stripUserinfo(cfg.target.url);
      if (stripped.hadUserinfo) cfg.warnings.push(`${file}: target.url: ${USERINFO_WARNING}`);
      cfg.target.url = stripped.url;
    }
  }
  const host = root.child("host");
  if (host.present) {
    host.object(["samples", "mountPath", "packageDir"]);
    const samples = host.child("samples").optNumber(2, 60);
    if (samples !== undefined) {
      if (!Number.isInteger(samples)) host.child("samples").fail("must be a whole number");
      cfg.host.samples = samples;
    }
    const mountPath = host.child("mountPath").optString();
    checkHostPath(mountPath, `${file}: host.mountPath`);
    if (mountPath) cfg.host.mountPath = mountPath;
    const packageDir = host.child("packageDir").optString();
    checkHostPath(packageDir, `${file}: host.packageDir`);
    if (packageDir) cfg.host.packageDir = packageDir;
  }
  if (root.child("deploy").present) cfg.deploy = root.child("deploy").object();
  if (root.child("creds").present) cfg.creds = root.child("creds").object();
  return cfg;
}
