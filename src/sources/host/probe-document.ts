/**
 * The host probe as an SSM Command document, so doctor's callers need `ssm:SendCommand` on this one document
 * instead of AWS-RunShellScript (any command, as root). The stack ships it (src/infra/doctor-access.ts);
 * doctor sends it when the fleet's stack outputs name it (ssm-probe.ts).
 *
 * The document's script is exactly the script doctor would send itself: `probeScriptFrom` with each input as
 * a `{{ parameter }}` placeholder inside the quotes the script already uses. Run Command replaces a
 * placeholder with the parameter's value as text, so every parameter is held to an `allowedPattern` or
 * `allowedValues` under which that text is the same shell word doctor's own quoting produces: a path of
 * letters, digits, `.`, `_`, `-` and `/` (no quote, space or backslash), whole numbers in range, an EFS id.
 * The name carries the probe's version and a hash of the content: a pypictl whose probe differs sees
 * another name and does not send a document that would answer in another format.
 * Document syntax: schemaVersion 2.2, `mainSteps` with `aws:runShellScript` (`runCommand`, `timeoutSeconds`),
 * parameters with `allowedPattern`/`allowedValues` (SSM user guide, "Document syntax elements" and
 * "aws:runShellScript" plugin reference; AWS-RunShellScript itself uses the same `timeoutSeconds` input).
 */
import { createHash } from "node:crypto";
import {
  CGROUP_ROOT,
  DEFAULT_COUNT_LIMIT_SECONDS,
  EFS_UTILS_STATE_DIR,
  MAX_COUNT_LIMIT_SECONDS,
  MAX_SAMPLES,
  PROBE_VERSION,
  escapeMountPath,
  normalizeMountPath,
  probeScriptFrom,
  shellQuote,
  type ProbeOptions,
} from "./probe-script.js";
import { wrapScript } from "./probe-wrap.js";

/** An absolute path as the document accepts it: "/" or "/a/b", segments of [A-Za-z0-9._-], no trailing "/". */
const PATH = "/(?:[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*)?";
/** 1–3600 (seconds): the bound on the package count and the command's execution timeout. */
const SECONDS_1_3600 = "^(?:[1-9][0-9]{0,2}|[12][0-9]{3}|3[0-5][0-9]{2}|3600)$";

interface DocumentParameter {
  type: "String";
  description: string;
  default: string;
  allowedPattern?: string;
  allowedValues?: string[];
}

/** The parameters, each constrained so its text is a safe shell word (see the module comment). */
export const PROBE_DOCUMENT_PARAMETERS: Readonly<Record<string, DocumentParameter>> = {
  samples: {
    type: "String",
    description: `vmstat samples, 1 s apart (1-${MAX_SAMPLES}; the first is the since-boot average)`,
    default: "5",
    allowedPattern: "^(?:[1-9]|[1-5][0-9]|60)$",
  },
  mode: {
    type: "String",
    description: "discover: find the package file system's NFS mounts; path: judge the mount on mountPath",
    default: "discover",
    allowedValues: ["discover", "path"],
  },
  mountPath: {
    type: "String",
    description: "the mount judged in path mode; in discover mode only its state is reported",
    default: "/data/packages",
    allowedPattern: `^${PATH}$`,
  },
  packageDir: {
    type: "String",
    description: "directory whose package files are counted (empty: the judged mount)",
    default: "",
    allowedPattern: `^(?:${PATH})?$`,
  },
  fileSystemId: {
    type: "String",
    description: "the EFS file system id, when known (empty: any EFS mount)",
    default: "",
    allowedPattern: "^(?:fs-[0-9a-f]{8,40})?$",
  },
  countLimitSeconds: {
    type: "String",
    description: `bound on the package count, seconds (1-${MAX_COUNT_LIMIT_SECONDS})`,
    default: String(DEFAULT_COUNT_LIMIT_SECONDS),
    allowedPattern: SECONDS_1_3600,
  },
  executionTimeout: {
    type: "String",
    description: "seconds before the agent stops the probe (1-3600)",
    default: "120",
    allowedPattern: SECONDS_1_3600,
  },
};

const placeholder = (name: keyof typeof PROBE_DOCUMENT_PARAMETERS & string) => `{{ ${name} }}`;

/** The probe script with `{{ parameter }}` placeholders where doctor puts its values. */
export function probeScriptTemplate(): string {
  return probeScriptFrom({
    samples: placeholder("samples"),
    mode: placeholder("mode"),
    // Inside single quotes, as shellQuote writes them; the patterns exclude ' and every character
    // escapeMountPath rewrites, so the escaped path is the path itself.
    mountPath: `'${placeholder("mountPath")}'`,
    mountPathEscaped: `'${placeholder("mountPath")}'`,
    packageDir: `'${placeholder("packageDir")}'`,
    fileSystemId: `'${placeholder("fileSystemId")}'`,
    procDir: shellQuote("/proc"),
    efsStateDir: shellQuote(EFS_UTILS_STATE_DIR),
    cgroupDir: shellQuote(CGROUP_ROOT),
    countLimitSeconds: placeholder("countLimitSeconds"),
  });
}

export interface ProbeDocumentContent {
  schemaVersion: "2.2";
  description: string;
  parameters: Record<string, DocumentParameter>;
  mainSteps: Array<{
    action: "aws:runShellScript";
    name: string;
    precondition: { StringEquals: [string, string] };
    inputs: { runCommand: string[]; timeoutSeconds: string };
  }>;
}

let content: ProbeDocumentContent | undefined;

/** The document's content (CloudFormation `Content`, DocumentType Command, JSON). */
export function probeDocumentContent(): ProbeDocumentContent {
  content ??= {
    schemaVersion: "2.2",
    description: `pypictl host probe v${PROBE_VERSION}: read-only (memory, swap, iowait, blocked tasks, EFS mount counters, package count). Prints facts, changes nothing.`,
    parameters: { ...PROBE_DOCUMENT_PARAMETERS },
    mainSteps: [
      {
        action: "aws:runShellScript",
        name: "pypictlHostProbe",
        precondition: { StringEquals: ["platformType", "Linux"] },
        inputs: {
          runCommand: wrapScript(probeScriptTemplate()).split("\n"),
          timeoutSeconds: placeholder("executionTimeout"),
        },
      },
    ],
  };
  return content;
}

/** `v<probe version>-<10 hex of the content's sha256>`: the part of the name a pypictl checks. */
export function probeDocumentVersion(): string {
  const hash = createHash("sha256").update(JSON.stringify(probeDocumentContent())).digest("hex");
  return `v${PROBE_VERSION}-${hash.slice(0, 10)}`;
}

/** The document name prefix; the stack appends its stack id's UUID (names are unique per account and region). */
export function probeDocumentNamePrefix(): string {
  return `pypictl-probe-${probeDocumentVersion()}-`;
}

/** Whether a deployed document (by name) is this pypictl's probe. */
export function isCurrentProbeDocument(name: string): boolean {
  return name.startsWith(probeDocumentNamePrefix());
}

/**
 * The document parameters for these probe options, or why the document cannot carry them (a path outside
 * its pattern, a test's /proc): the caller sends the script itself then.
 */
export function probeDocumentParameters(
  opts: ProbeOptions,
  executionTimeoutSeconds: number,
): { parameters: Record<string, string[]> } | { unfit: string } {
  if (opts.procDir !== undefined || opts.efsStateDir !== undefined || opts.cgroupDir !== undefined)
    return { unfit: "the probe document reads /proc, /var/run/efs and /sys/fs/cgroup only" };
  const values: Record<string, string> = {
    samples: String(opts.samples),
    mode: opts.discover ? "discover" : "path",
    mountPath: normalizeMountPath(opts.mountPath),
    packageDir: opts.packageDir ?? "",
    fileSystemId: opts.fileSystemId ?? "",
    countLimitSeconds: String(opts.countLimitSeconds ?? DEFAULT_COUNT_LIMIT_SECONDS),
    executionTimeout: String(Math.min(3600, Math.max(1, Math.ceil(executionTimeoutSeconds)))),
  };
  for (const [name, value] of Object.entries(values)) {
    const p = PROBE_DOCUMENT_PARAMETERS[name]!;
    const fits = p.allowedValues
      ? p.allowedValues.includes(value)
      : new RegExp(p.allowedPattern!).test(value);
    if (!fits)
      return {
        unfit: `the probe document's ${name} accepts ${p.allowedValues?.join(" | ") ?? p.allowedPattern} (got ${JSON.stringify(value)})`,
      };
  }
  // The pattern guarantees these; a change to either function must not silently send another script.
  if (escapeMountPath(values.mountPath!) !== values.mountPath) return { unfit: "mount path needs escaping" };
  return { parameters: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, [v]])) };
}
