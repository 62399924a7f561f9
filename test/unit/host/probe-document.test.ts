/**
 * The stack's SSM probe document runs exactly the script doctor would send: Run Command's parameter
 * substitution (each `{{ name }}` replaced by the value's text) applied to the document gives, line for line,
 * doctor's own wrapped probe for the same options. And the parameters refuse anything that would change the
 * shell's reading of the script.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  PROBE_DOCUMENT_PARAMETERS,
  isCurrentProbeDocument,
  probeDocumentContent,
  probeDocumentNamePrefix,
  probeDocumentParameters,
  probeDocumentVersion,
} from "../../../src/sources/host/probe-document.js";
import {
  buildProbeScript,
  PROBE_VERSION,
  type ProbeOptions,
} from "../../../src/sources/host/probe-script.js";
import { wrapScript } from "../../../src/sources/host/probe-wrap.js";

/** Run Command's substitution: `{{ name }}` (spaces optional) → the parameter's value, defaults filled in. */
function ssmSubstitute(lines: string[], given: Record<string, string[]>): string {
  const values: Record<string, string> = {};
  for (const [name, p] of Object.entries(PROBE_DOCUMENT_PARAMETERS)) {
    const v = given[name]?.[0] ?? p.default;
    if (p.allowedValues ? !p.allowedValues.includes(v) : !new RegExp(p.allowedPattern!).test(v))
      throw new Error(`InvalidParameters: ${name}`);
    values[name] = v;
  }
  for (const name of Object.keys(given))
    if (!(name in values)) throw new Error(`InvalidParameters: unknown ${name}`);
  return lines.join("\n").replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (_, n: string) => {
    if (!(n in values)) throw new Error(`no parameter ${n}`);
    return values[n]!;
  });
}

const doc = probeDocumentContent();
const step = doc.mainSteps[0]!;

const PATH = fc
  .array(fc.stringMatching(/^[A-Za-z0-9._-]{1,12}$/), { maxLength: 5 })
  .map((segs) => `/${segs.join("/")}`);

describe("the SSM probe document", () => {
  it("is a schemaVersion 2.2 Command document with one aws:runShellScript step on Linux", () => {
    expect(doc.schemaVersion).toBe("2.2");
    expect(doc.mainSteps).toHaveLength(1);
    expect(step.action).toBe("aws:runShellScript");
    expect(step.precondition).toEqual({ StringEquals: ["platformType", "Linux"] });
    expect(step.inputs.timeoutSeconds).toBe("{{ executionTimeout }}");
    // Every parameter is constrained, and every placeholder names a parameter (nothing else looks like one).
    for (const p of Object.values(doc.parameters))
      expect(Boolean(p.allowedPattern) || Boolean(p.allowedValues)).toBe(true);
    const used = new Set(
      [...step.inputs.runCommand.join("\n").matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]),
    );
    used.add("executionTimeout");
    expect([...used].sort()).toEqual(Object.keys(doc.parameters).sort());
    expect(step.inputs.runCommand.join("\n").replace(/\{\{ \w+ \}\}/g, "")).not.toMatch(/\{\{|\}\}/);
  });

  it("runs exactly the script doctor would send, for every option doctor can pass", () => {
    fc.assert(
      fc.property(
        fc.record({
          samples: fc.integer({ min: 1, max: 60 }),
          mountPath: PATH,
          discover: fc.boolean(),
          packageDir: fc.option(PATH, { nil: undefined }),
          fileSystemId: fc.option(fc.stringMatching(/^fs-[0-9a-f]{8,17}$/), { nil: undefined }),
          countLimitSeconds: fc.option(fc.integer({ min: 1, max: 3600 }), { nil: undefined }),
        }),
        fc.integer({ min: 1, max: 3600 }),
        (o, timeout) => {
          const opts = Object.fromEntries(
            Object.entries(o).filter(([, v]) => v !== undefined),
          ) as unknown as ProbeOptions;
          const r = probeDocumentParameters(opts, timeout);
          if (!("parameters" in r)) throw new Error(r.unfit);
          expect(ssmSubstitute(step.inputs.runCommand, r.parameters)).toBe(
            wrapScript(buildProbeScript(opts)),
          );
          expect(r.parameters.executionTimeout).toEqual([String(timeout)]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses values that would read differently in the shell; doctor then sends the script itself", () => {
    for (const mountPath of ["/data/it's", "/a b", "/a\\b", "/$(id)", "/a/`id`", "relative", "/a\nb"]) {
      const r = probeDocumentParameters({ samples: 5, mountPath, discover: false }, 60);
      expect("unfit" in r, mountPath).toBe(true);
      expect(() => ssmSubstitute(step.inputs.runCommand, { mountPath: [mountPath] })).toThrow(
        /InvalidParameters/,
      );
    }
    expect(
      "unfit" in probeDocumentParameters({ samples: 5, mountPath: "/x", procDir: "/tmp/proc" }, 60),
    ).toBe(true);
    expect(() => ssmSubstitute(step.inputs.runCommand, { samples: ["61"] })).toThrow(/InvalidParameters/);
    expect(() => ssmSubstitute(step.inputs.runCommand, { mode: ["discover; id"] })).toThrow(
      /InvalidParameters/,
    );
    expect(() => ssmSubstitute(step.inputs.runCommand, { fileSystemId: ["fs-1'"] })).toThrow(
      /InvalidParameters/,
    );
  });

  it("is named by probe version and content hash, so another pypictl's document is recognised as such", () => {
    expect(probeDocumentVersion()).toMatch(new RegExp(`^v${PROBE_VERSION}-[0-9a-f]{10}$`));
    const name = `${probeDocumentNamePrefix()}0a1b2c3d-0000-4000-8000-000000000000`;
    expect(name.length).toBeLessThanOrEqual(128);
    expect(name).toMatch(/^[a-zA-Z0-9_.-]{3,128}$/);
    expect(isCurrentProbeDocument(name)).toBe(true);
    expect(isCurrentProbeDocument(`pypictl-probe-v${PROBE_VERSION}-0000000000-x`)).toBe(false);
    expect(isCurrentProbeDocument("AWS-RunShellScript")).toBe(false);
  });
});
