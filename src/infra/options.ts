/**
 * Stack props from the two places a user sets them: the config file's `deploy` section (camelCase keys,
 * unknown keys rejected by name) and `pypictl deploy` flags (kebab-case). Flags override the file. Pure and
 * light: the CLI imports this at startup to register the flags, so no aws-cdk-lib here.
 */
import { Field } from "../config/validate.js";
import { UsageError } from "../errors.js";
import {
  PROP_FIELDS,
  PROP_KEYS,
  checkField,
  flagFor,
  type PropKey,
  type PypiServerStackProps,
} from "./props.js";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Validate a config file's `deploy` section; errors read `pypictl.json: deploy.containerMemory: must be ≥ 256 (got 100)`. */
export function parseDeployConfig(section: unknown, file: string): PypiServerStackProps {
  const root = new Field(file, "deploy", section);
  root.object(PROP_KEYS);
  const props: Mutable<PypiServerStackProps> = {};
  for (const key of PROP_KEYS) {
    const f = root.child(key);
    if (!f.present) continue;
    const problem = checkField(PROP_FIELDS[key], f.value);
    if (problem) f.fail(problem);
    (props as Record<string, unknown>)[key] = f.value;
  }
  return props;
}

/** Commander's camelCase option name for a prop (`--container-memory` → `containerMemory`): the prop name itself. */
export type DeployFlagValues = Partial<Record<PropKey, string | string[] | boolean>>;

/** Convert flag strings into props, validating each against the same field table (errors name the flag). */
export function parseDeployFlags(values: DeployFlagValues): PypiServerStackProps {
  const props: Mutable<PypiServerStackProps> = {};
  for (const key of PROP_KEYS) {
    const raw = values[key];
    if (raw === undefined) continue;
    const spec = PROP_FIELDS[key];
    const flag = flagFor(key);
    let value: unknown;
    switch (spec.kind) {
      case "int":
      case "number": {
        const text = String(raw).trim();
        value = text === "" ? NaN : Number(text);
        if (Number.isNaN(value))
          throw new UsageError(`${flag}: must be a number (got "${String(raw)}")`, flag);
        break;
      }
      case "bool":
        value = raw === true || raw === "true";
        break;
      case "cidrs":
        value = (Array.isArray(raw) ? raw : [String(raw)])
          .flatMap((s) => s.split(","))
          .map((s) => s.trim())
          .filter(Boolean);
        break;
      default:
        value = String(raw);
    }
    const problem = checkField(spec, value);
    if (problem) throw new UsageError(`${flag}: ${problem}`, flag);
    (props as Record<string, unknown>)[key] = value;
  }
  return props;
}

/** Flags over the config file. */
export function mergeProps(
  fromConfig: PypiServerStackProps,
  fromFlags: PypiServerStackProps,
): PypiServerStackProps {
  return { ...fromConfig, ...fromFlags };
}
