/**
 * The props a deploy was made with, recorded with the stack so the next `deploy`, `diff` or `synth --stack`
 * starts from them (helm's --reuse-values, Terraform's state). They are a stack output (read with
 * cloudformation:DescribeStacks, the one call doctor's least-privilege policy already grants), as versioned
 * JSON of the props the user set (flags + config + what was kept), not of the resolved values: a later
 * `--size heavy` must still move the instance type with the preset. Pure and light: no SDK, no aws-cdk-lib.
 */
import { PROP_FIELDS, PROP_KEYS, checkField, type PropKey, type PypiServerStackProps } from "./props.js";

/** The output's key (shared by the stack that writes it and the reader). */
export const RECORDED_PROPS_OUTPUT = "PypictlProps";
const VERSION = 1;

/** Stable JSON of the set props (keys in table order, undefined left out). */
export function encodeRecordedProps(props: PypiServerStackProps): string {
  const set: Record<string, unknown> = {};
  for (const key of PROP_KEYS) if (props[key] !== undefined) set[key] = props[key];
  return JSON.stringify({ v: VERSION, props: set });
}

export interface DecodedProps {
  readonly props: PypiServerStackProps;
  /** Recorded keys this version does not know or whose value it refuses (left out, reported). */
  readonly ignored: readonly string[];
}

/** Parse the output; undefined when it is not a recording this version reads. */
export function decodeRecordedProps(text: string): DecodedProps | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const o = parsed as { v?: unknown; props?: unknown };
  if (typeof o !== "object" || o === null || o.v !== VERSION) return undefined;
  if (typeof o.props !== "object" || o.props === null || Array.isArray(o.props)) return undefined;
  const props: Record<string, unknown> = {};
  const ignored: string[] = [];
  for (const [key, value] of Object.entries(o.props as Record<string, unknown>)) {
    if (!(key in PROP_FIELDS) || checkField(PROP_FIELDS[key as PropKey], value) !== undefined) {
      ignored.push(key);
      continue;
    }
    props[key] = value;
  }
  return { props: props as PypiServerStackProps, ignored };
}
