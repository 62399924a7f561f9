/**
 * What the pypiserver container runs. At task start a small shell script (the image's own python, bcrypt
 * and gunicorn) writes the htpasswd from the secret ECS injected, writes the gunicorn config (workers,
 * gevent, keep-alive longer than the ALB idle timeout), drops the password from the environment and hands
 * over to the image's entrypoint. So rotating the password means restarting tasks, not replacing hosts.
 */
import { Duration } from "aws-cdk-lib";
import type * as ecs from "aws-cdk-lib/aws-ecs";
import { CONTAINER_PORT, type ResolvedProps } from "./props.js";

export const HTPASSWD_PATH = "/data/.htpasswd";
export const GUNICORN_CONF_PATH = "/data/gunicorn.conf.py";

/** The pypi-server arguments (after `run`). */
export function pypiServerArgs(p: ResolvedProps): string[] {
  return [
    "-p",
    String(CONTAINER_PORT),
    "--server",
    "gunicorn",
    "--backend",
    p.backend,
    "--hash-algo",
    p.hashAlgo,
    "--authenticate",
    "download,list,update",
    "-P",
    HTPASSWD_PATH,
    "--health-endpoint",
    "/health",
    "--disable-fallback",
    "/data/packages",
  ];
}

/** gunicorn.conf.py: read by gunicorn from the image's working directory (/data). */
export function gunicornConfig(p: ResolvedProps): string {
  return [
    `workers = ${p.gunicornWorkers}`,
    'worker_class = "gevent"',
    `keepalive = ${p.keepAliveSeconds}`,
    "preload_app = True",
    'errorlog = "-"',
    "graceful_timeout = 25",
  ].join("\n");
}

/** The `sh -c` script. Values are ours (validated), never the secret: that arrives in the environment. */
export function containerCommand(p: ResolvedProps): string {
  const hash =
    "import os, bcrypt; " +
    "u = os.environ['PYPI_USERNAME']; " +
    `h = bcrypt.hashpw(os.environ['PYPI_PASSWORD'].encode(), bcrypt.gensalt(rounds=${p.bcryptRounds})).decode(); ` +
    `open('${HTPASSWD_PATH}', 'w').write(u + ':' + h + '\\n')`;
  return [
    "set -eu",
    `cat > ${GUNICORN_CONF_PATH} <<'EOF'\n${gunicornConfig(p)}\nEOF`,
    // umask in a subshell: only the htpasswd is created private; pypiserver's uploads keep the default umask.
    `(umask 077 && python -c "${hash}")`,
    `chgrp pypiserver ${HTPASSWD_PATH} && chmod 640 ${HTPASSWD_PATH}`,
    "unset PYPI_PASSWORD PYPI_USERNAME",
    `exec /entrypoint.sh run ${pypiServerArgs(p).join(" ")}`,
  ].join("\n");
}

/** Container health: /health answers 200 without auth (a broken htpasswd is caught by the doctor's auth probe). */
export function containerHealthCheck(): ecs.HealthCheck {
  return {
    command: [
      "CMD",
      "python",
      "-c",
      `import urllib.request as u; u.urlopen('http://127.0.0.1:${CONTAINER_PORT}/health', timeout=4)`,
    ],
    interval: Duration.seconds(30),
    timeout: Duration.seconds(5),
    retries: 3,
    startPeriod: Duration.seconds(30),
  };
}
