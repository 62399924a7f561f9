import { describe, expect, it } from "vitest";
import { evaluateCheck, gather, limitsFor, neededSources } from "../../../src/checks/runner.js";
import { defineCheck, type Check } from "../../../src/checks/model.js";
import { failed, ok, sourceKey, read } from "../../../src/sources/model.js";
import type { SourceDef } from "../../../src/sources/context.js";

const window = { start: "2026-01-01T00:00:00.000Z", end: "2026-01-01T01:00:00.000Z", since: "1h" };
const base = {
  target: { kind: "local" as const, host: "h" },
  window,
  settings: { samples: 2, mountPath: "/x", packageDir: "/x" },
};

const NUM = sourceKey<number>("test.num");

function numCheck(over: Partial<Check> = {}): Check {
  return defineCheck({
    id: "host.test-num",
    title: "Number under limit",
    description: "test",
    playbooks: ["iowait"],
    needs: [NUM.id],
    scope: "host",
    thresholds: { max: { unit: "count", default: 10, description: "max" } },
    messages: { ok: "value {{v}} ≤ {{max}}", high: "value {{v}} > {{max}}" },
    evaluate: ({ evidence, limits }) => {
      const r = read(evidence, NUM);
      if (!r?.ok) throw new Error("unreachable");
      return r.value > limits.max!
        ? { status: "fail", messageId: "high", data: { v: r.value, max: limits.max }, hints: ["lower it"] }
        : { status: "pass", messageId: "ok", data: { v: r.value, max: limits.max } };
    },
    ...over,
  } as Check);
}

function def(id: string, fn: SourceDef["gather"], extra: Partial<SourceDef> = {}): SourceDef {
  return { id, title: id, gather: fn, ...extra };
}

describe("gather", () => {
  it("never runs more sources at once than the bound", async () => {
    let active = 0;
    let peak = 0;
    const defs = Array.from({ length: 20 }, (_, i) =>
      def(`s${i}`, async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 5));
        active--;
        return ok(i);
      }),
    );
    const ev = await gather(
      defs.map((d) => d.id),
      { ...base, concurrency: 3, load: async (id) => defs.find((d) => d.id === id) },
    );
    expect(peak).toBe(3);
    expect(Object.keys(ev)).toHaveLength(20);
    expect(ev.s7).toMatchObject({ ok: true, value: 7 });
  });

  it("turns a source that misses its deadline into a timeout and still completes", async () => {
    const slow = def("slow", () => new Promise(() => {}), { deadlineMs: 30 });
    const fast = def("fast", async () => ok(1));
    const ev = await gather(["slow", "fast"], { ...base, load: async (id) => (id === "slow" ? slow : fast) });
    expect(ev.slow).toMatchObject({ ok: false, kind: "timeout" });
    expect(ev.fast).toMatchObject({ ok: true, value: 1 });
  });

  it("keeps what a source returns when its deadline aborts it (partial evidence), every time", async () => {
    // The source waits on something that never answers, and returns what it has once aborted: the runner
    // gives it one turn of the event loop, so the partial result wins over "timeout" deterministically.
    const partial = def(
      "partial",
      (ctx) =>
        new Promise((resolve) => ctx.signal.addEventListener("abort", () => resolve(ok("what I had")))),
      { deadlineMs: 20 },
    );
    for (let i = 0; i < 20; i++) {
      const ev = await gather(["partial"], { ...base, load: async () => partial });
      expect(ev.partial).toMatchObject({ ok: true, value: "what I had" });
    }
  });

  it("classifies a thrown AWS error instead of aborting the run", async () => {
    const denied = def("denied", async () => {
      const e = new Error(
        "User: arn:aws:iam::1:user/x is not authorized to perform: ecs:DescribeServices on resource: y",
      );
      e.name = "AccessDeniedException";
      throw e;
    });
    const ev = await gather(["denied"], { ...base, load: async () => denied });
    expect(ev.denied).toMatchObject({ ok: false, kind: "access-denied", action: "ecs:DescribeServices" });
  });

  it("gathers a dependency once, first, and hands its result to the dependant", async () => {
    let calls = 0;
    const parent = def("parent", async () => {
      calls++;
      return ok("fleet");
    });
    const childA = def(
      "a",
      async (ctx) => ok(`a:${(ctx.dep(sourceKey<string>("parent")) as { value: string }).value}`),
      { deps: ["parent"] },
    );
    const childB = def(
      "b",
      async (ctx) => ok(`b:${(ctx.dep(sourceKey<string>("parent")) as { value: string }).value}`),
      { deps: () => ["parent"] },
    );
    const table: Record<string, SourceDef> = { parent, a: childA, b: childB };
    const ev = await gather(["a", "b"], { ...base, concurrency: 1, load: async (id) => table[id] });
    expect(calls).toBe(1);
    expect(ev.a).toMatchObject({ value: "a:fleet" });
    expect(ev.b).toMatchObject({ value: "b:fleet" });
    expect(ev.parent).toMatchObject({ value: "fleet" });
  });

  it("wakes a startFirst source before the others that share its dependency", async () => {
    const order: string[] = [];
    const parent = def("parent", async () => ok(1));
    const mk = (id: string, first: boolean) =>
      def(
        id,
        async () => {
          order.push(id);
          return ok(id);
        },
        { deps: ["parent"], startFirst: first },
      );
    const table: Record<string, SourceDef> = {
      parent,
      a: mk("a", false),
      b: mk("b", false),
      probe: mk("probe", true),
    };
    await gather(["a", "b", "probe"], { ...base, load: async (id) => table[id] });
    expect(order[0]).toBe("probe");
    expect(order.slice(1).sort()).toEqual(["a", "b"]);
  });

  it("reports an unknown source as unsupported", async () => {
    const ev = await gather(["nope"], { ...base, load: async () => undefined });
    expect(ev.nope).toMatchObject({ ok: false, kind: "unsupported" });
  });
});

describe("evaluateCheck", () => {
  it("renders the message from data and applies overrides", () => {
    const c = numCheck();
    const ev = { [NUM.id]: ok(12) };
    const f = evaluateCheck(c, ev, limitsFor(c, {}), window);
    expect(f).toMatchObject({
      checkId: "host.test-num",
      status: "fail",
      message: "value 12 > 10",
      hints: ["lower it"],
    });
    const g = evaluateCheck(c, ev, limitsFor(c, { "host.test-num.max": 20 }), window);
    expect(g).toMatchObject({ status: "pass", message: "value 12 ≤ 20" });
  });

  it("is error, never pass, when a needed source failed or is missing", () => {
    const c = numCheck();
    const f = evaluateCheck(
      c,
      { [NUM.id]: failed("access-denied", "denied", "cloudwatch:GetMetricData") },
      limitsFor(c, {}),
      window,
    );
    expect(f.status).toBe("error");
    expect(f.message).toContain("denied");
    expect(f.hints.join(" ")).toContain("cloudwatch:GetMetricData");
    expect(evaluateCheck(c, {}, limitsFor(c, {}), window).status).toBe("error");
  });

  it("turns a throwing check into error", () => {
    const c = numCheck({
      evaluate: () => {
        throw new Error("boom");
      },
    });
    const f = evaluateCheck(c, { [NUM.id]: ok(1) }, limitsFor(c, {}), window);
    expect(f).toMatchObject({ status: "error", messageId: "check-crashed" });
    expect(f.message).toContain("boom");
  });

  it("lists each needed source once", () => {
    expect(neededSources([numCheck(), numCheck({ id: "host.other", uses: ["z.opt"] })])).toEqual([
      "test.num",
      "z.opt",
    ]);
  });
});
