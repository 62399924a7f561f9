import { describe, expect, it } from "vitest";
import {
  alb5xxRate,
  albIdleTimeout,
  albP95Latency,
  albTargetHealth,
} from "../../../src/checks/alb/checks.js";
import { backendModel } from "../../../src/checks/alb/backend.js";
import { ev, metrics, run, service, targets } from "../fleet/evidence.js";
import type { Check } from "../../../src/checks/model.js";

const c = (x: unknown) => x as Check;
const zeros = (n: number) => Array<number>(n).fill(0);

describe("alb.target-health", () => {
  // DescribeTargetHealth TargetHealth { State, Reason, Description } as ELBv2 returns them.
  const one = (state: string, reason?: string, description?: string) =>
    targets({
      targets: [
        { id: "i-1", port: 32768, state: "healthy" },
        {
          id: "i-2",
          port: 32769,
          state,
          ...(reason ? { reason } : {}),
          ...(description ? { description } : {}),
        },
      ],
    });
  it("passes all healthy; fails persistent unhealthy with reason hints; fails with no targets", () => {
    expect(run(c(albTargetHealth), ev({ "elb.targets": targets() })).status).toBe("pass");
    const f = run(
      c(albTargetHealth),
      ev({
        "elb.targets": one("unhealthy", "Target.Timeout", "Request timed out"),
        "cloudwatch.metrics": metrics({ "alb.UnHealthyHostCount": [...zeros(50), ...Array(10).fill(1)] }),
      }),
    );
    expect(f).toMatchObject({
      status: "fail",
      data: { bad: 1, total: 2, reasons: "unhealthy Target.Timeout" },
    });
    expect(f.resources!.find((r) => r.id === "i-2:32769")).toMatchObject({ status: "fail" });
    expect(f.hints[0]).toMatch(/timed out/);
    expect(run(c(albTargetHealth), ev({ "elb.targets": targets({ targets: [] }) }))).toMatchObject({
      status: "fail",
      messageId: "none",
    });
  });
  it("treats draining, initial and unused-while-replaced as transitional (warn, never fail)", () => {
    for (const [state, reason] of [
      ["draining", "Target.DeregistrationInProgress"],
      ["initial", "Elb.InitialHealthChecking"],
      ["unused", "Target.NotRegistered"],
      ["unused", "Target.InvalidState"],
    ] as const)
      expect(
        run(c(albTargetHealth), ev({ "elb.targets": one(state, reason) })),
        `${state} ${reason}`,
      ).toMatchObject({ status: "warn", messageId: "transition" });
  });
  it("fails Target.NotInUse (the target's AZ is not enabled on the load balancer)", () => {
    const f = run(
      c(albTargetHealth),
      ev({
        "elb.targets": one(
          "unused",
          "Target.NotInUse",
          "Target group is not configured to receive traffic from the load balancer",
        ),
      }),
    );
    expect(f).toMatchObject({ status: "fail", data: { reasons: "unused Target.NotInUse" } });
    expect(f.hints.join(" ")).toMatch(/Availability Zone is not enabled/);
  });
  it("warns on a target unhealthy for less than 3 minutes, fails without the metric to tell", () => {
    expect(
      run(
        c(albTargetHealth),
        ev({
          "elb.targets": one("unhealthy", "Target.FailedHealthChecks"),
          "cloudwatch.metrics": metrics({ "alb.UnHealthyHostCount": [...zeros(58), 1, 1] }),
        }),
      ),
    ).toMatchObject({
      status: "warn",
      messageId: "just-unhealthy",
    });
    expect(
      run(c(albTargetHealth), ev({ "elb.targets": one("unhealthy", "Target.FailedHealthChecks") })).status,
    ).toBe("fail");
  });
  it("fails when no target is healthy", () => {
    expect(
      run(
        c(albTargetHealth),
        ev({ "elb.targets": targets({ targets: [{ id: "i-1", state: "unhealthy" }] }) }),
        { "alb.target-health.maxUnhealthy": 1 },
      ),
    ).toMatchObject({ status: "fail", messageId: "none-healthy" });
  });
  it("warns with the times when UnHealthyHostCount shows targets that were unhealthy and recovered", () => {
    const m = metrics({ "alb.UnHealthyHostCount": [...zeros(5), 1, 2, 2, 1, ...zeros(30), 1, ...zeros(20)] });
    const f = run(c(albTargetHealth), ev({ "elb.targets": targets(), "cloudwatch.metrics": m }));
    expect(f).toMatchObject({ status: "warn", messageId: "flapping" });
    expect(f.message).toMatch(/11:05–11:08 UTC \(up to 2\), 11:39 UTC \(up to 1\)/);
  });
});

describe("alb.5xx-rate", () => {
  it("(ELB + target 5xx) ÷ RequestCount; absent 5xx series count as zero", () => {
    const p = run(c(alb5xxRate), ev({ "cloudwatch.metrics": metrics() }));
    expect(p).toMatchObject({ status: "pass", data: { rate: 0, elb: 0, target: 0, requests: 72000 } });
    const f = run(
      c(alb5xxRate),
      ev({
        "cloudwatch.metrics": metrics({
          "alb.RequestCount": [1000, 1000],
          "alb.HTTPCode_ELB_5XX_Count": [20],
          "alb.HTTPCode_ELB_502_Count": [20],
          "alb.HTTPCode_Target_5XX_Count": [0, 10],
        }),
      }),
    );
    expect(f).toMatchObject({
      status: "fail",
      data: { rate: 1.5, elb: 20, target: 10, e502: 20 },
      threshold: { name: "maxPercent", value: 1 },
    });
    expect(f.hints[0]).toMatch(
      /502s: the back end closed a connection the ALB reused.*`pypictl doctor --only alb.idle-timeout,ecs.oom-kills`/,
    );
    expect(f.hints.join(" ")).not.toMatch(/stickiness|FACTS/i);
    expect(f.observed!.series![0]).toEqual(["2026-11-20T11:00:00.000Z", 2]);
  });
  it("fails 503s with no RequestCount at all: no registered targets", () => {
    // CloudWatch as the ALB publishes it with an empty target group: ELB 5xx/503 Sums, no RequestCount datapoints.
    const m = metrics({
      "alb.RequestCount": [],
      "alb.TargetResponseTime.p95": [],
      "alb.HTTPCode_ELB_5XX_Count": [14, 9, 22],
      "alb.HTTPCode_ELB_503_Count": [14, 9, 22],
    });
    const f = run(c(alb5xxRate), ev({ "cloudwatch.metrics": m }));
    expect(f).toMatchObject({ status: "fail", messageId: "no-targets", data: { elb: 45, e503: 45 } });
    expect(f.hints.join(" ")).toMatch(/alb.target-health/);
  });
  it("fails one minute at 10 % errors inside a quiet hour, although the hour is under 1 %", () => {
    const req = Array(60).fill(100);
    const e5 = [...zeros(30), 10, ...zeros(29)];
    const f = run(
      c(alb5xxRate),
      ev({ "cloudwatch.metrics": metrics({ "alb.RequestCount": req, "alb.HTTPCode_Target_5XX_Count": e5 }) }),
    );
    expect(f).toMatchObject({
      status: "fail",
      messageId: "bad-minute",
      data: { worstPct: 10, worstUnit: "minute from 11:30 UTC" },
      threshold: { name: "maxMinutePercent", value: 5 },
    });
    expect(f.data.rate).toBeLessThan(1);
    // One error among 3 requests at night is not judged alone.
    expect(
      run(
        c(alb5xxRate),
        ev({
          "cloudwatch.metrics": metrics({
            "alb.RequestCount": [...Array(59).fill(100), 3],
            "alb.HTTPCode_Target_5XX_Count": [...zeros(59), 1],
          }),
        }),
      ).status,
    ).toBe("pass");
  });
  it("skips without traffic; errors when no load balancer is known", () => {
    expect(
      run(c(alb5xxRate), ev({ "cloudwatch.metrics": metrics({ "alb.RequestCount": [] }) })),
    ).toMatchObject({ status: "skip", messageId: "no-traffic" });
    expect(
      run(
        c(alb5xxRate),
        ev({
          "cloudwatch.metrics": metrics(
            {},
            {
              context: { loadBalancer: undefined },
              unavailable: { alb: "no load balancer: elb.targets failed" },
            },
          ),
        }),
      ),
    ).toMatchObject({ status: "error" });
    expect(
      run(
        c(alb5xxRate),
        ev({ "cloudwatch.metrics": metrics({}, { status: { "alb.RequestCount": "Forbidden" } }) }),
      ).status,
    ).toBe("error");
  });
});

describe("alb.p95-latency", () => {
  it("pass / warn on a spike / fail when above pip's 15 s timeout for 3 minutes / skip without traffic", () => {
    expect(run(c(albP95Latency), ev({ "cloudwatch.metrics": metrics() })).status).toBe("pass");
    expect(
      run(c(albP95Latency), ev({ "cloudwatch.metrics": metrics({ "alb.TargetResponseTime.p95": [2, 14] }) }))
        .status,
    ).toBe("warn");
    expect(
      run(
        c(albP95Latency),
        ev({ "cloudwatch.metrics": metrics({ "alb.TargetResponseTime.p95": [2, 25, 3] }) }),
      ).status,
    ).toBe("warn");
    const f = run(
      c(albP95Latency),
      ev({ "cloudwatch.metrics": metrics({ "alb.TargetResponseTime.p95": [2, 16, 17.5, 16.2, 4] }) }),
    );
    expect(f).toMatchObject({
      status: "fail",
      messageId: "sustained",
      threshold: { name: "failSeconds", value: 15 },
      data: { minutes: 3 },
    });
    expect(f.message).toMatch(/pip clients time out/);
    expect(
      run(c(albP95Latency), ev({ "cloudwatch.metrics": metrics({ "alb.TargetResponseTime.p95": [] }) }))
        .status,
    ).toBe("skip");
  });
});

describe("alb.idle-timeout", () => {
  const td = (command: string[] | undefined, extra: Record<string, unknown> = {}) =>
    service(
      {},
      {
        containers: [
          {
            name: "pypiserver",
            essential: true,
            memoryMiB: 512,
            image: "pypiserver/pypiserver:latest",
            ...(command ? { command } : {}),
            ...extra,
          },
        ],
      },
    );
  // The Terraform module's container command (FACTS §1): the image's /data/gunicorn.conf.py is gevent, no keepalive.
  const MODULE = [
    "run",
    "-p",
    "8080",
    "--server",
    "gunicorn",
    "--backend",
    "simple-dir",
    "--authenticate",
    "download,list,update",
    "-P",
    "/data/.htpasswd",
  ];
  it("warns for the module's gunicorn: the image config's gevent worker with the default 2 s keep-alive", () => {
    const w = run(c(albIdleTimeout), ev({ "elb.targets": targets(), "ecs.service": td(MODULE) }));
    expect(w).toMatchObject({ status: "warn", data: { idle: 60, keepAlive: 2 } });
    expect(w.message).toMatch(/gevent.*default of 2 s/);
    expect(w.hints[0]).toMatch(/keepalive = 75|--keep-alive 75/);
    expect(w.hints.join(" ")).not.toMatch(/stickiness/i);
  });
  it("passes pypictl's stack: its gunicorn.conf.py sets gevent and keepalive 75", () => {
    const cmd = [
      "sh",
      "-c",
      "cat > /data/gunicorn.conf.py <<'EOF'\nworkers = 2\nworker_class = \"gevent\"\nkeepalive = 75\nEOF\nexec /entrypoint.sh run -p 8080 --server gunicorn /data/packages",
    ];
    expect(
      run(
        c(albIdleTimeout),
        ev({ "elb.targets": targets(), "ecs.service": td(cmd, { keepAliveSeconds: 75 }) }),
      ),
    ).toMatchObject({ status: "pass", messageId: "ok", data: { keepAlive: 75 } });
  });
  it("passes gunicorn's sync worker: no keep-alive at all", () => {
    const cmd = [
      "sh",
      "-c",
      "cat > /data/gunicorn.conf.py <<'EOF'\nworkers = 2\nEOF\nexec /entrypoint.sh run -p 8080 --server gunicorn",
    ];
    expect(run(c(albIdleTimeout), ev({ "elb.targets": targets(), "ecs.service": td(cmd) }))).toMatchObject({
      status: "pass",
      messageId: "no-keepalive",
    });
    expect(
      backendModel(td(["run", "--server", "gunicorn"], { gunicornCmdArgs: "-k sync" }).taskDefinition),
    ).toMatchObject({ kind: "no-keepalive" });
  });
  it("passes `run` without --server: bottle's auto picks waitress (120 s channel_timeout); warns for an ALB idle timeout of 120 s+", () => {
    expect(
      run(
        c(albIdleTimeout),
        ev({ "elb.targets": targets(), "ecs.service": td(["run", "-p", "8080", "-P", "/data/.htpasswd"]) }),
      ),
    ).toMatchObject({ status: "pass", data: { keepAlive: 120, server: "waitress" } });
    expect(
      run(
        c(albIdleTimeout),
        ev({ "elb.targets": targets({ idleTimeoutSeconds: 300 }), "ecs.service": td(["run", "-p", "8080"]) }),
      ).status,
    ).toBe("warn");
  });
  it("skips, saying what it saw, when the server cannot be known (custom image or entrypoint)", () => {
    const s = run(
      c(albIdleTimeout),
      ev({
        "elb.targets": targets(),
        "ecs.service": service(
          {},
          {
            containers: [
              { name: "app", essential: true, image: "example.com/my-index:3", command: ["/start.sh"] },
            ],
          },
        ),
      }),
    );
    expect(s).toMatchObject({ status: "skip", messageId: "unknown" });
    expect(s.message).toMatch(/example\.com\/my-index:3/);
    expect(run(c(albIdleTimeout), ev({ "elb.targets": targets() })).status).toBe("skip");
  });
});
