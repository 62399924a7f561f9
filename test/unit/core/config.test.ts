import { describe, expect, it } from "vitest";
import { parseConfig } from "../../../src/config/config.js";
import { parseThresholdFlags, validateOverrides } from "../../../src/config/threshold-overrides.js";
import { parseDuration, windowFor } from "../../../src/config/duration.js";
import { defineCheck } from "../../../src/checks/model.js";

describe("config file", () => {
  it("reads thresholds flat and nested, selection, target and host settings", () => {
    const cfg = parseConfig(
      JSON.stringify({
        thresholds: { "host.iowait.maxIowaitPercent": 15, "host.memory-available": { minAvailableMiB: 300 } },
        only: ["iowait"],
        since: "2h",
        format: "json",
        failOn: "warn",
        target: { stack: "pypi", region: "eu-west-1" },
        host: { samples: 3, mountPath: "/mnt/p" },
      }),
      "pypictl.json",
    );
    expect(cfg.thresholds).toEqual({
      "host.iowait.maxIowaitPercent": 15,
      "host.memory-available.minAvailableMiB": 300,
    });
    expect(cfg).toMatchObject({
      only: ["iowait"],
      since: "2h",
      format: "json",
      failOn: "warn",
      target: { stack: "pypi", region: "eu-west-1" },
      host: { samples: 3, mountPath: "/mnt/p" },
    });
  });

  it.each([
    ["{", /pypictl.json: not valid JSON/],
    ["[]", /pypictl.json: must be an object/],
    ['{"thresold": {}}', /unknown key "thresold"/],
    ['{"target": {"cluter": "x"}}', /pypictl.json: target: unknown key "target.cluter"/],
    ['{"format": "yaml"}', /pypictl.json: format: must be one of human, json, junit, markdown/],
    [
      '{"thresholds": {"host.iowait.maxIowaitPercent": "high"}}',
      /thresholds.host.iowait.maxIowaitPercent: must be a number/,
    ],
    ['{"host": {"samples": 1}}', /host.samples: must be ≥ 2/],
    ['{"only": "iowait"}', /only: must be an array of strings/],
  ])("rejects %s naming the field", (text, re) => {
    expect(() => parseConfig(text, "pypictl.json")).toThrow(re);
  });
});

describe("--threshold", () => {
  const check = defineCheck({
    id: "host.iowait",
    title: "t",
    description: "d",
    playbooks: ["iowait"],
    needs: [],
    scope: "host",
    thresholds: { maxIowaitPercent: { unit: "%", default: 10, min: 0, max: 100, description: "x" } },
    messages: { m: "m" },
    evaluate: () => ({ status: "pass", messageId: "m" }),
  });

  it("parses id.name=value", () => {
    expect(
      parseThresholdFlags(["host.iowait.maxIowaitPercent=15", "host.iowait.maxIowaitPercent=12.5"]),
    ).toEqual({ "host.iowait.maxIowaitPercent": 12.5 });
  });

  it.each(["host.iowait=5", "host.iowait.maxIowaitPercent=", "host.iowait.maxIowaitPercent=abc", "garbage"])(
    "rejects %s",
    (v) => {
      expect(() => parseThresholdFlags([v])).toThrow(/--threshold/);
    },
  );

  it("rejects unknown checks, unknown names and values out of range", () => {
    expect(() => validateOverrides({ "host.nope.x": 1 }, [check], "--threshold")).toThrow(
      /unknown check "host.nope"/,
    );
    expect(() => validateOverrides({ "host.iowait.max": 1 }, [check], "--threshold")).toThrow(
      /has no threshold "max" \(it has: maxIowaitPercent\)/,
    );
    expect(() => validateOverrides({ "host.iowait.maxIowaitPercent": 101 }, [check], "--threshold")).toThrow(
      /above the maximum 100/,
    );
    expect(() =>
      validateOverrides({ "host.iowait.maxIowaitPercent": 50 }, [check], "--threshold"),
    ).not.toThrow();
  });
});

describe("durations", () => {
  it("parses s/m/h/d/w and builds a window", () => {
    expect(parseDuration("90s")).toBe(90_000);
    expect(parseDuration("30m")).toBe(1_800_000);
    expect(parseDuration("2d")).toBe(172_800_000);
    expect(windowFor("1h", new Date("2026-01-01T01:00:00Z"))).toEqual({
      since: "1h",
      start: "2026-01-01T00:00:00.000Z",
      end: "2026-01-01T01:00:00.000Z",
    });
  });
  it.each(["", "1", "h", "-1h", "1y", "16d"])("rejects %j", (v) => {
    expect(() => parseDuration(v)).toThrow(/--since/);
  });
});
