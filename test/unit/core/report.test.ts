import { describe, expect, it } from "vitest";
import { exitCodeFor, summarize } from "../../../src/checks/report.js";
import type { Finding, Status } from "../../../src/checks/model.js";

const f = (status: Status): Finding => ({
  checkId: "host.x",
  title: "x",
  playbooks: ["oom"],
  status,
  messageId: "m",
  data: {},
  message: "m",
  hints: [],
});

describe("exit codes", () => {
  it.each([
    [["pass", "skip"], "fail", 0],
    [["pass", "warn"], "fail", 0],
    [["pass", "warn"], "warn", 1],
    [["fail", "error"], "fail", 1],
    [["error", "pass"], "fail", 3],
    [["error", "warn"], "warn", 1],
    [[], "fail", 0],
  ] as const)("%j with --fail-on %s → %i", (statuses, failOn, code) => {
    expect(exitCodeFor(summarize(statuses.map(f)), failOn)).toBe(code);
  });

  it("summarises counts and the worst status", () => {
    expect(summarize(["pass", "warn", "error", "skip"].map((s) => f(s as Status)))).toEqual({
      total: 4,
      pass: 1,
      warn: 1,
      fail: 0,
      skip: 1,
      error: 1,
      status: "error",
    });
  });
});
