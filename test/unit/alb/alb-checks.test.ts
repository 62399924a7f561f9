import { describe, expect, it } from "vitest";
import { alb5xxRate, albIdleTimeout, albP95Latency, albTargetHealth } from "../../../src/checks/alb/checks.js";
import { ev, metrics, run, service, targets } from "../fleet/evidence.js";
import type { Check } from "../../../src/checks/model.js";

const c = (x: unknown) => x as Check;

describe("alb.target-health", () => {
  it("pass / fail with reason codes / warn in transition / fail with no targets", () => {
    expect(run(c(albTargetHealth), ev({ "elb.targets": targets() })).status).toBe("pass");
    const f = run(
      c(albTargetHealth),
      ev({ "elb.targets": targets({ targets: [{ id: "i-1", port: 1, state: "healthy" }, { id: "i-2", port: 2, state: "unhealthy", reason: "Target.Timeout", description: "Request timed out" }] }) }),
    );
    expect(f).toMatchObject({ status: "fail", data: { bad: 1, total: 2, reasons: "unhealthy Target.Timeout" } });
    expect(f.resources!.find((r) => r.id === "i-2:2")).toMatchObject({ status: "fail" });
    expect(f.hints[0]).toMatch(/timed out/);
    expect(run(c(albTargetHealth), ev({ "elb.targets": targets({ targets: [{ id: "i-1", state: "healthy" }, { id: "i-2", state: "draining", reason: "Target.DeregistrationInProgress" }] }) })).status).toBe("warn");
    expect(run(c(albTargetHealth), ev({ "elb.targets": targets({ targets: [] }) }))).toMatchObject({ status: "fail", messageId: "none" });
    expect(run(c(albTargetHealth), ev({ "elb.targets": targets({ targets: [{ id: "i-1", state: "unhealthy" }] }) }), { "alb.target-health.maxUnhealthy": 1 }).status).toBe("pass");
  });
});

describe("alb.5xx-rate", () => {
  it("(ELB + target 5xx) ÷ RequestCount; absent 5xx series count as zero", () => {
    const p = run(c(alb5xxRate), ev({ "cloudwatch.metrics": metrics() }));
    expect(p).toMatchObject({ status: "pass", data: { rate: 0, elb: 0, target: 0, requests: 72000 } });
    const f = run(
      c(alb5xxRate),
      ev({ "cloudwatch.metrics": metrics({ "alb.RequestCount": [1000, 1000], "alb.HTTPCode_ELB_5XX_Count": [20], "alb.HTTPCode_ELB_502_Count": [20], "alb.HTTPCode_Target_5XX_Count": [0, 10] }) }),
    );
    expect(f).toMatchObject({ status: "fail", data: { rate: 1.5, elb: 20, target: 10, e502: 20 }, threshold: { name: "maxPercent", value: 1 } });
    expect(f.hints[0]).toMatch(/502s: make the back end's keep-alive longer/);
    expect(f.hints.join(" ")).not.toMatch(/stickiness/i);
    expect(f.observed!.series![0]).toEqual(["2026-11-20T11:00:00.000Z", 2]);
  });
  it("skips without traffic; errors when no load balancer is known", () => {
    expect(run(c(alb5xxRate), ev({ "cloudwatch.metrics": metrics({ "alb.RequestCount": [] }) }))).toMatchObject({ status: "skip", messageId: "no-traffic" });
    expect(run(c(alb5xxRate), ev({ "cloudwatch.metrics": metrics({}, { context: { loadBalancer: undefined }, unavailable: { alb: "no load balancer: elb.targets failed" } }) }))).toMatchObject({ status: "error" });
    expect(run(c(alb5xxRate), ev({ "cloudwatch.metrics": metrics({}, { status: { "alb.RequestCount": "Forbidden" } }) })).status).toBe("error");
  });
});

describe("alb.p95-latency", () => {
  it("pass / warn 10–20 s / fail > 20 s / skip without traffic", () => {
    expect(run(c(albP95Latency), ev({ "cloudwatch.metrics": metrics() })).status).toBe("pass");
    expect(run(c(albP95Latency), ev({ "cloudwatch.metrics": metrics({ "alb.TargetResponseTime.p95": [2, 14] }) })).status).toBe("warn");
    expect(run(c(albP95Latency), ev({ "cloudwatch.metrics": metrics({ "alb.TargetResponseTime.p95": [2, 25] }) }))).toMatchObject({ status: "fail", threshold: { name: "failSeconds", value: 20 } });
    expect(run(c(albP95Latency), ev({ "cloudwatch.metrics": metrics({ "alb.TargetResponseTime.p95": [] }) })).status).toBe("skip");
  });
});

describe("alb.idle-timeout", () => {
  it("warns when the back-end keep-alive is not longer than the idle timeout (gunicorn default assumed)", () => {
    const svc = service({}, { containers: [{ name: "pypiserver", essential: true, memoryMiB: 512 }] });
    const w = run(c(albIdleTimeout), ev({ "elb.targets": targets(), "ecs.service": svc }));
    expect(w).toMatchObject({ status: "warn", data: { idle: 60, keepAlive: 2 } });
    expect(w.message).toMatch(/gunicorn's default/);
    expect(w.hints[0]).toMatch(/--keep-alive 75/);
    expect(w.hints.join(" ")).not.toMatch(/stickiness/i);
    expect(run(c(albIdleTimeout), ev({ "elb.targets": targets(), "ecs.service": service() })).status).toBe("pass");
    expect(run(c(albIdleTimeout), ev({ "elb.targets": targets() })).status).toBe("skip");
  });
});
