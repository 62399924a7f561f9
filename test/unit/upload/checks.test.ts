/** upload.* checks from fixtures. */
import { describe, expect, it } from "vitest";
import { evaluateCheck, limitsFor } from "../../../src/checks/runner.js";
import { uploadDistFiles, uploadFleetSignals } from "../../../src/checks/upload/checks.js";
import { distKind } from "../../../src/sources/client/dist.js";
import type { Check } from "../../../src/checks/model.js";
import { KEEP_ALIVE_MARGIN_SECONDS } from "../../../src/infra/props.js";

const window = { start: "2026-01-01T00:00:00Z", end: "2026-01-01T01:00:00Z", since: "1h" };
const at = "2026-01-01T01:00:00Z";
const MiB = 1024 * 1024;
const dist = (files: Array<[string, number]>) =>
  evaluateCheck(
    uploadDistFiles as unknown as Check,
    {
      "client.dist": {
        ok: true,
        value: { dir: "dist", files: files.map(([name, bytes]) => ({ name, bytes, kind: distKind(name) })) },
        at,
      },
    },
    limitsFor(uploadDistFiles as unknown as Check, {}),
    window,
  );

describe("upload.dist-files", () => {
  it("knows wheel and sdist names", () => {
    expect(distKind("pkg_name-1.0.0-py3-none-any.whl")).toBe("wheel");
    expect(distKind("pkg-1.0.0-1-cp311-cp311-manylinux_2_17_x86_64.whl")).toBe("wheel");
    expect(distKind("pkg-name-1.0.0.tar.gz")).toBe("sdist");
    expect(distKind("pkg-1.0.0.egg")).toBe("other");
  });
  it("passes wheels and sdists, warns above 100 MiB with hints twine can follow, fails other files", () => {
    expect(
      dist([
        ["a-1.0-py3-none-any.whl", 5 * MiB],
        ["a-1.0.tar.gz", MiB],
      ]).status,
    ).toBe("pass");
    const big = dist([["a-1.0-py3-none-any.whl", 150 * MiB]]);
    expect(big.status).toBe("warn");
    expect(big.hints[0]).toMatch(/twine upload --verbose /);
    // twine has no --timeout option (twine/settings.py); the ALB idle timeout is the lever.
    expect(big.hints.join("\n")).not.toMatch(/twine[^\n]*--timeout/);
    expect(big.hints.join("\n")).toMatch(/idle_timeout\.timeout_seconds/);
    expect(dist([["notes.txt", 10]]).status).toBe("fail");
  });
  it("the 504 hint raises the back-end keep-alive with the idle timeout, never the idle timeout alone", () => {
    // An ALB idle timeout above gunicorn's keep-alive (2 s by default, gunicorn/config.py) makes the ALB
    // reuse connections gunicorn closed: 502s. The stack derives keep-alive from the idle timeout.
    const hint = dist([["a-1.0-py3-none-any.whl", 150 * MiB]]).hints.find((h) => /\b504\b/.test(h))!;
    expect(hint).toMatch(/never the idle timeout alone/);
    expect(hint).toMatch(/`pypictl deploy --alb-idle-timeout-seconds 300`[^;]*moves both/);
    // The hand-made path: keep-alive first (idle + the stack's margin), then the idle timeout.
    const keepAlive = 300 + KEEP_ALIVE_MARGIN_SECONDS;
    const raiseKeepAlive = hint.indexOf(`--keep-alive ${keepAlive}`);
    const raiseIdle = hint.indexOf("idle_timeout.timeout_seconds,Value=300");
    expect(raiseKeepAlive).toBeGreaterThan(0);
    expect(raiseIdle).toBeGreaterThan(raiseKeepAlive);
    expect(hint).toMatch(new RegExp(`keepalive = ${keepAlive}`));
  });
  it("skips without --dist", () => {
    const f = evaluateCheck(
      uploadDistFiles as unknown as Check,
      { "client.dist": { ok: true, value: { files: [] }, at } },
      limitsFor(uploadDistFiles as unknown as Check, {}),
      window,
    );
    expect(f.status).toBe("skip");
  });
});

describe("upload.fleet-signals", () => {
  const check = uploadFleetSignals as unknown as Check;
  it("fails on an OOM-killed task, skips without fleet evidence, errors when it failed", () => {
    const oom = {
      tasks: [
        {
          taskArn: "a",
          taskId: "t1",
          stoppedAt: at,
          containers: [
            {
              name: "pypiserver",
              exitCode: 137,
              reason: "OutOfMemoryError: Container killed due to memory usage",
            },
          ],
        },
      ],
      listed: 1,
    };
    expect(
      evaluateCheck(
        check,
        { "ecs.stopped-tasks": { ok: true, value: oom, at } },
        limitsFor(check, {}),
        window,
      ).status,
    ).toBe("fail");
    expect(evaluateCheck(check, {}, limitsFor(check, {}), window).status).toBe("skip");
    expect(
      evaluateCheck(
        check,
        { "ecs.stopped-tasks": { ok: false, kind: "access-denied", message: "no", at } },
        limitsFor(check, {}),
        window,
      ).status,
    ).toBe("error");
  });
});
