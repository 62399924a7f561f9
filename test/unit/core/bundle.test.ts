import { describe, expect, it } from "vitest";
import { bundleText, makeBundle, parseBundle } from "../../../src/evidence/bundle.js";
import { failed, ok } from "../../../src/sources/model.js";
import { assertValidBundle } from "../../helpers/schema.js";

const window = { start: "2026-01-01T00:00:00.000Z", end: "2026-01-01T01:00:00.000Z", since: "1h" };
const at = new Date("2026-01-01T01:00:00.000Z");

describe("evidence bundles", () => {
  const bundle = makeBundle({
    version: "1.2.3",
    window,
    target: { kind: "local", host: "web-1" },
    evidence: {
      "host.probe": ok({ hosts: [] }, "raw text", at),
      "efs.x": failed("throttled", "Rate exceeded", undefined, at),
    },
    now: at,
  });

  it("round-trips and matches the published schema", () => {
    assertValidBundle(JSON.parse(JSON.stringify(bundle)));
    expect(parseBundle(JSON.stringify(bundle), "b.json")).toEqual(bundle);
  });

  const mutate = (f: (b: Record<string, any>) => void) => {
    const b = JSON.parse(JSON.stringify(bundle));
    f(b);
    return JSON.stringify(b);
  };

  it.each([
    ["not JSON", "{", /b.json: not valid JSON/],
    ["wrong kind", mutate((b) => (b.kind = "report")), /b.json: kind: must be "pypictl-evidence"/],
    ["future version", mutate((b) => (b.schemaVersion = 9)), /schemaVersion: version 9 is not supported/],
    [
      "bad time",
      mutate((b) => (b.window.start = "yesterday")),
      /window.start: "yesterday" is not an ISO-8601 time/,
    ],
    [
      "bad failure kind",
      mutate((b) => (b.sources["efs.x"].kind = "meh")),
      /sources.efs.x.kind: must be one of/,
    ],
    [
      "ok without value",
      mutate((b) => delete b.sources["host.probe"].value),
      /sources.host.probe.value: missing/,
    ],
    ["unknown key", mutate((b) => (b.extra = 1)), /unknown key "extra"/],
    ["bad target", mutate((b) => (b.target = { kind: "moon" })), /target.kind: must be one of local, fleet/],
  ])("rejects %s naming the field", (_, text, re) => {
    expect(() => parseBundle(text, "b.json")).toThrow(re);
  });
});

describe("bundle text: compact for machines, --pretty for people", () => {
  const bundle = makeBundle({
    version: "1.2.3",
    window,
    target: { kind: "local", host: "web-1" },
    evidence: { "host.probe": ok({ hosts: [{ host: "h", ok: false, message: "x" }] }, "raw\ntext", at) },
    now: at,
  });

  it("compact is one line; pretty is indented; both are the same schema-valid bundle", () => {
    const compact = bundleText(bundle);
    const pretty = bundleText(bundle, { pretty: true });
    expect(compact.endsWith("\n")).toBe(true);
    expect(compact.trimEnd()).not.toContain("\n");
    expect(pretty).toMatch(/^{\n {2}"\$schema"/);
    expect(pretty.length).toBeGreaterThan(compact.length);
    for (const text of [compact, pretty]) {
      assertValidBundle(JSON.parse(text));
      expect(parseBundle(text, "b.json")).toEqual(bundle);
    }
  });
});
