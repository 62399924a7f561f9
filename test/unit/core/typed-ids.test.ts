/**
 * Message ids, threshold names and hint ids are typed: a misspelling is a compile error, not a finding
 * that renders its raw id or a threshold line that names nothing. The `@ts-expect-error` lines below are
 * the proof: `npm run typecheck` covers test/**, and an expect-error that no longer finds an error is
 * itself an error (TS2578), so this file fails the typecheck the day the typing regresses.
 * The runtime tests pin what the typing helpers produce: the same plain objects as before.
 */
import { describe, expect, it } from "vitest";
import {
  defineCheck,
  evidenceRef,
  limitRef,
  type Check,
  type Thresholds,
} from "../../../src/checks/model.js";
import { evaluateCheck } from "../../../src/checks/runner.js";
import { HOST_IOWAIT } from "../../../src/checks/host/thresholds.js";
import { HOST_COMMON_MESSAGES, judgeHosts, sectionError } from "../../../src/checks/host/common.js";
import { iowait } from "../../../src/checks/host/iowait.js";
import { efsPercentIoLimit } from "../../../src/checks/efs/checks.js";

const window = { start: "2026-01-01T00:00:00.000Z", end: "2026-01-01T01:00:00.000Z", since: "1h" };

/** What the checks below share; each misspelling gets a check of its own, so each expect-error proves one. */
const BASE = {
  title: "Typed ids",
  description: "test",
  playbooks: ["iowait" as const],
  needs: [],
  scope: "host" as const,
  thresholds: HOST_IOWAIT,
};
const MESSAGES = { high: "iowait {{mean}} %", ok: "fine" };
const HOST_MESSAGES = { ...HOST_COMMON_MESSAGES, ...MESSAGES };

/** Every typed position, spelt right: this one is also run below. */
const typed = defineCheck({
  ...BASE,
  id: "host.typed-ids",
  messages: MESSAGES,
  hints: { "who-waits": "vmstat 1 5" },
  evaluate({ limits }) {
    // A value read from the evidence, not a threshold, says so (evidenceRef); the runner's own ids are allowed.
    if (limits.maxBlockedPerCpu < 0)
      return { status: "fail", messageId: "high", threshold: evidenceRef("desiredCount", 2, "tasks") };
    if (limits.maxBlockedPerCpu < -1)
      return { status: "error", messageId: "source-missing", data: { source: "x" } };
    return {
      status: "fail",
      messageId: "high",
      data: { mean: limits.maxIowaitPercent },
      threshold: limitRef(limits, "maxIowaitPercent", "%"),
    };
  },
});

/** The host fold spelt right: common ids (sectionError) and the check's own both pass. */
export const typedHost = defineCheck({
  ...BASE,
  id: "host.typed-host-ids",
  messages: HOST_MESSAGES,
  evaluate: (ctx) =>
    judgeHosts(
      ctx,
      {
        messages: HOST_MESSAGES,
        worse: "higher",
        threshold: () => ({ name: "maxIowaitPercent", value: 10, unit: "%" }),
      },
      ({ host }) =>
        host === "a"
          ? sectionError(host, "vmstat", "unusable")
          : { status: "pass", messageId: "ok", data: {} },
    ),
});

export const misspelt = [
  defineCheck({
    ...BASE,
    id: "host.misspelt-message-id",
    messages: MESSAGES,
    evaluate: () => ({
      status: "fail",
      // @ts-expect-error misspelt message id
      messageId: "hgih",
    }),
  }),
  defineCheck({
    ...BASE,
    id: "host.misspelt-limit",
    messages: MESSAGES,
    evaluate: ({ limits }) => ({
      status: "pass",
      messageId: "ok",
      // @ts-expect-error misspelt threshold name in ctx.limits
      data: { limit: limits.maxIowaitPrecent },
    }),
  }),
  defineCheck({
    ...BASE,
    id: "host.misspelt-threshold-literal",
    messages: MESSAGES,
    evaluate: () => ({
      status: "fail",
      messageId: "high",
      // @ts-expect-error misspelt threshold name in a literal threshold
      threshold: { name: "maxIowaitPrecent", value: 10, unit: "%" },
    }),
  }),
  defineCheck({
    ...BASE,
    id: "host.misspelt-threshold-ref",
    messages: MESSAGES,
    evaluate: ({ limits }) => ({
      status: "fail",
      messageId: "high",
      // @ts-expect-error misspelt threshold name in limitRef
      threshold: limitRef(limits, "maxIowaitPrecent", "%"),
    }),
  }),
  defineCheck({
    ...BASE,
    id: "host.misspelt-host-message-id",
    messages: HOST_MESSAGES,
    evaluate: (ctx) =>
      judgeHosts(
        ctx,
        {
          messages: HOST_MESSAGES,
          worse: "higher",
          threshold: ({ limits }) => limitRef(limits, "maxIowaitPercent", "%"),
        },
        () => ({
          status: "fail",
          // @ts-expect-error misspelt message id in a host verdict
          messageId: "hgih",
          data: {},
        }),
      ),
  }),
];

export function misspeltHostThreshold(ctx: Parameters<typeof typed.evaluate>[0]) {
  judgeHosts(
    ctx,
    {
      messages: HOST_MESSAGES,
      worse: "higher",
      // @ts-expect-error misspelt threshold name in judgeHosts' threshold
      threshold: () => ({ name: "maxIowaitPrecent", value: 10, unit: "%" }),
    },
    () => ({ status: "pass", messageId: "ok", data: {} }),
  );
  judgeHosts(
    ctx,
    {
      messages: HOST_MESSAGES,
      worse: "higher",
      // @ts-expect-error misspelt threshold name through limitRef in judgeHosts
      threshold: ({ limits }) => limitRef(limits, "maxIowaitPrecent", "%"),
    },
    () => ({ status: "pass", messageId: "ok", data: {} }),
  );
}

export function misspeltHintIds() {
  // @ts-expect-error misspelt hint id of a registered check
  const a = iowait.hints?.["who-wiats"];
  // @ts-expect-error misspelt hint id of a fleet check
  const b = efsPercentIoLimit.hints?.["pgae-cache"];
  // @ts-expect-error misspelt message id of a registered check
  const c = efsPercentIoLimit.messages["hgih"];
  return [a, b, c, iowait.hints?.["who-waits"], efsPercentIoLimit.messages.high];
}

describe("typed ids", () => {
  it("a typed check still fits the registry's Check and runs like any other", () => {
    const asRegistered: Check = typed as unknown as Check<Thresholds>;
    const f = evaluateCheck(asRegistered, {}, { maxIowaitPercent: 7, maxBlockedPerCpu: 1 }, window);
    expect(f.messageId).toBe("high");
    expect(f.message).toBe("iowait 7 %");
    // limitRef is the plain {name, value, unit} the report has always carried, with the run's value.
    expect(f.threshold).toEqual({ name: "maxIowaitPercent", value: 7, unit: "%" });
    expect(JSON.stringify(f.threshold)).toBe('{"name":"maxIowaitPercent","value":7,"unit":"%"}');
  });

  it("evidenceRef is a plain object too: the brand exists for the compiler only", () => {
    const ref = evidenceRef("desiredCount", 3, "tasks");
    expect(JSON.stringify(ref)).toBe('{"name":"desiredCount","value":3,"unit":"tasks"}');
    expect(Object.getOwnPropertySymbols(ref)).toEqual([]);
  });
});
