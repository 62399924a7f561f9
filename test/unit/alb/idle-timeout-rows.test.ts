/**
 * Issue 19 row "pypiserver image with no command": alb.idle-timeout end to end, the task definition as
 * DescribeTaskDefinition answers it (botocore ecs ContainerDefinition: image, command, environment,
 * mountPoints[].containerPath) through the real ecs.service gatherer.
 *
 * Facts relied on:
 * - pypiserver docker/entrypoint.sh: `if [[ "$*" == "" ]]; then CMD=("run" "-p" "${PYPISERVER_PORT:-$PORT}"
 *   "--server" "gunicorn")` (pypiserver#371, "Gunicorn/gevent docker"); the Dockerfile's ENTRYPOINT is
 *   /entrypoint.sh and WORKDIR /data, where docker/gunicorn.conf.py (`worker_class = "gevent"`, no keepalive)
 *   is copied.
 * - gunicorn's keepalive defaults to 2 s (gunicorn/config.py Keepalive); it reads ./gunicorn.conf.py, then
 *   GUNICORN_CMD_ARGS over it (gunicorn/app/base.py Application.load_config).
 * - The ALB idle timeout defaults to 60 s; a back end that closes idle connections sooner makes the ALB send
 *   requests on closed connections: 502s (elasticloadbalancing/application "Connection idle timeout").
 * - The Terraform module bind-mounts its own /data/gunicorn.conf.py from the host (infrahouse/
 *   terraform-aws-pypiserver main.tf task_local_volumes "gunicorn_config"; files/gunicorn.conf.py: gevent,
 *   no keepalive).
 */
import { afterEach, describe, expect, it } from "vitest";
import { installFleet, scenario, type Fleet, type Scenario } from "../../fixtures/aws/sim.mjs";
import { gatherFleet, NOW } from "../fleet/harness.js";
import { run } from "../fleet/evidence.js";
import type { Check } from "../../../src/checks/model.js";
import { albIdleTimeout } from "../../../src/checks/alb/checks.js";
import { backendModel } from "../../../src/checks/alb/backend.js";
import type { EcsServiceEvidence } from "../../../src/sources/aws/types.js";

let fleet: Fleet | undefined;
afterEach(() => fleet?.restore());

const c = (x: unknown) => x as Check;

async function idle(over: Partial<Scenario>) {
  fleet = installFleet(scenario(over), NOW);
  const ev = await gatherFleet(["ecs.service", "elb.targets"]);
  return { ev, f: run(c(albIdleTimeout), ev) };
}

describe("alb.idle-timeout reads what the container really runs", () => {
  it("the pypiserver image with no command runs gunicorn (2 s keep-alive): warns, never 'waitress 120 s'", async () => {
    const { f } = await idle({ command: null, keepAlive: undefined });
    expect(f).toMatchObject({ status: "warn", messageId: "short", data: { idle: 60, keepAlive: 2 } });
    expect(f.message).toMatch(/gunicorn \(gevent worker\) keeps idle connections 2 s/);
    expect(f.message).toMatch(/no command, so the image's entrypoint runs `run -p \$PORT --server gunicorn`/);
    expect(f.message).not.toMatch(/waitress/);
    expect(f.hints[0]).toMatch(/keepalive = 75|--keep-alive 75/);
  });

  it("a gunicorn config mounted over /data/gunicorn.conf.py (the Terraform module): keep-alive unknown, said in words", async () => {
    const { ev, f } = await idle({ module: true });
    const svc = (ev["ecs.service"] as { ok: true; value: EcsServiceEvidence }).value;
    expect(svc.taskDefinition.containers[0]!.mountPaths).toContain("/data/gunicorn.conf.py");
    expect(f).toMatchObject({
      status: "skip",
      messageId: "config-mounted",
      data: { path: "/data/gunicorn.conf.py" },
    });
    expect(f.message).toMatch(
      /keep-alive is unknown: it reads \/data\/gunicorn\.conf\.py, mounted from a volume/,
    );
    expect(f.hints[0]).toMatch(/cat \/data\/gunicorn\.conf\.py/);
    expect(f.hints[1]).toMatch(/GUNICORN_CMD_ARGS="--keep-alive 75"/);
  });

  it("a volume over all of /data hides the image's config too; /data/packages does not", () => {
    const td = (mountPaths: string[]) => ({
      arn: "td",
      fileSystemIds: [],
      containers: [
        { name: "pypiserver", essential: true, image: "pypiserver/pypiserver:v2.4.1", mountPaths },
      ],
    });
    expect(backendModel(td(["/data/"]))).toMatchObject({ kind: "unknown", mountedConfig: "/data/" });
    expect(backendModel(td(["/data/packages"]))).toMatchObject({ kind: "keepalive", keepAliveSeconds: 2 });
  });

  it("GUNICORN_CMD_ARGS with --keep-alive overrides the mounted file: judged (75 s over 60 s passes)", async () => {
    const { f } = await idle({ module: true, gunicornCmdArgs: "--keep-alive 75" });
    expect(f).toMatchObject({ status: "pass", messageId: "ok", data: { keepAlive: 75 } });
  });

  it("pypictl's stack (its command writes gunicorn.conf.py with keepalive 75; only /data/packages mounted): passes", async () => {
    const { f } = await idle({});
    expect(f).toMatchObject({ status: "pass", data: { keepAlive: 75 } });
  });
});
