/**
 * Error quality is a product feature: a validator generated from a schema must still say, in our words,
 * which file and field is wrong and how (issue 23). Each case breaks one thing and pins the whole message.
 */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/config.js";
import { parseBundle } from "../../../src/evidence/bundle.js";
import { makeBundle } from "../../../src/evidence/bundle.js";
import { ok } from "../../../src/sources/model.js";

const messageOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  return "(no error)";
};

describe("config file errors", () => {
  it.each([
    ['{"host": {"samples": 2.5}}', "c.json: host.samples: must be a whole number (is 2.5)"],
    ['{"host": {"samples": "3"}}', "c.json: host.samples: must be a number (is a string)"],
    ['{"host": {"samples": 61}}', "c.json: host.samples: must be ≤ 60 (is 61)"],
    ['{"failOn": "error"}', 'c.json: failOn: must be one of warn, fail (got "error")'],
    ['{"since": ""}', "c.json: since: must be a non-empty string"],
    ['{"only": ["oom", 3]}', "c.json: only[1]: must be a non-empty string (is a number)"],
    ['{"only": "oom"}', "c.json: only: must be an array of strings, check ids or playbooks (is a string)"],
    [
      '{"creds": {"format": "toml"}}',
      'c.json: creds.format: must be one of env, pip.conf, pypirc, netrc, uv, uv-env, poetry, json (got "toml")',
    ],
    ['{"deploy": []}', "c.json: deploy: must be an object (is an array)"],
    [
      '{"thresholds": {"host.iowait": {"maxIowaitPercent": "x"}}}',
      "c.json: thresholds.host.iowait.maxIowaitPercent: must be a number (is a string)",
    ],
    [
      '{"host": {"mountpath": "/x"}}',
      'c.json: host: unknown key "host.mountpath". Did you mean "mountPath"? (allowed here: samples, mountPath, packageDir)',
    ],
  ])("%s", (text, message) => {
    expect(messageOf(() => parseConfig(text, "c.json"))).toBe(message);
  });

  it("still checks what a schema cannot say", () => {
    expect(messageOf(() => parseConfig('{"since": "1y"}', "c.json"))).toMatch(/^c\.json: since/);
    expect(messageOf(() => parseConfig('{"host": {"mountPath": "data"}}', "c.json"))).toMatch(
      /c\.json: host\.mountPath: "data" is relative/,
    );
  });
});

describe("bundle errors", () => {
  const at = new Date("2026-01-01T01:00:00.000Z");
  const good = makeBundle({
    version: "1.2.3",
    window: { start: "2026-01-01T00:00:00.000Z", end: "2026-01-01T01:00:00.000Z", since: "1h" },
    target: { kind: "fleet", cluster: "c" },
    evidence: {
      "cloudwatch.metrics": ok(
        {
          periodSeconds: 60,
          start: "2026-01-01T00:00:00.000Z",
          end: "2026-01-01T01:00:00.000Z",
          series: {
            "ec2.cpu/i-1": {
              namespace: "AWS/EC2",
              metric: "CPUUtilization",
              stat: "Average",
              status: "Complete",
              dimensions: { InstanceId: "i-1" },
              period: 60,
              points: [
                ["2026-01-01T00:00:00.000Z", 5],
                ["2026-01-01T00:01:00.000Z", 6],
              ],
            },
          },
        },
        undefined,
        at,
      ),
    },
    now: at,
  });
  const broken = (f: (b: any) => void) => {
    const b = JSON.parse(JSON.stringify(good));
    f(b);
    return JSON.stringify(b);
  };
  const points = (b: any) => b.sources["cloudwatch.metrics"].value.series["ec2.cpu/i-1"].points;
  const P = "b.json: sources.cloudwatch.metrics.value.series.ec2.cpu/i-1.points";

  it("a good bundle reads back", () => {
    expect(parseBundle(JSON.stringify(good), "b.json")).toEqual(good);
  });

  it.each([
    ["value negative", (b: any) => (points(b)[1][1] = -1), `${P}[1][1]: must be ≥ 0 (is -1)`],
    ["value a string", (b: any) => (points(b)[0][1] = "5"), `${P}[0][1]: must be a number (is a string)`],
    ["not a pair", (b: any) => (points(b)[1] = [1]), `${P}[1]: must be a [time, value] pair`],
    [
      "time garbage",
      (b: any) => (points(b)[0][0] = "2026-13-01T00:00Z"),
      `${P}[0][0]: "2026-13-01T00:00Z" is not an ISO-8601 time`,
    ],
    [
      "sources empty",
      (b: any) => (b.sources = {}),
      "b.json: sources: is empty: the bundle holds no evidence to replay",
    ],
    ["window end missing", (b: any) => delete b.window.end, "b.json: window.end: missing"],
    [
      "window backwards",
      (b: any) => (b.window.end = "2025-01-01T00:00:00.000Z"),
      "b.json: window.end: ends before window.start",
    ],
    [
      "schemaVersion 2",
      (b: any) => (b.schemaVersion = 2),
      "b.json: schemaVersion: version 2 is not supported (this pypictl reads 1)",
    ],
    [
      "a source's unknown key",
      (b: any) => (b.sources["cloudwatch.metrics"].extra = 1),
      'b.json: sources.cloudwatch.metrics: unknown key "sources.cloudwatch.metrics.extra" (allowed here: ok, value, at, raw)',
    ],
    [
      "a prototype key",
      (b: any) => (b.sources["cloudwatch.metrics"].value.prototype = 1),
      'b.json: sources.cloudwatch.metrics.value.prototype: the key "prototype" is not allowed',
    ],
    [
      "a report",
      (b: any) => Object.assign(b, { findings: [], summary: {}, sources: undefined }),
      /^b\.json: this is a pypictl report/,
    ],
  ])("%s", (_, f, message) => {
    const m = messageOf(() => parseBundle(broken(f), "b.json"));
    if (typeof message === "string") expect(m).toBe(message);
    else expect(m).toMatch(message);
  });

  it("a non-finite number anywhere, also in a value the schema leaves free", () => {
    const text = broken(
      (b) => (b.sources["other.source"] = { ok: true, value: { x: [1, "INF"] }, at: b.createdAt }),
    );
    expect(messageOf(() => parseBundle(text.replace('"INF"', "1e999"), "b.json"))).toBe(
      "b.json: sources.other.source.value.x[1]: must be a finite number",
    );
  });
});
