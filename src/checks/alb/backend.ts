/**
 * What HTTP server pypiserver really runs, read from the task definition, and how long it keeps an idle
 * connection open. Pure. The facts it models:
 * - `pypi-server run` without `--server` (or `--server auto`) uses bottle's `auto`, which picks waitress
 *   when installed (it is in the pypiserver image); waitress closes idle channels after 120 s
 *   (`channel_timeout`).
 * - `--server gunicorn` runs gunicorn, which reads `./gunicorn.conf.py` from its working directory (/data
 *   in the image) and GUNICORN_CMD_ARGS. The pypiserver 2.x image ships a /data/gunicorn.conf.py with
 *   `worker_class = "gevent"` and no keepalive, so gunicorn's default keepalive of 2 s applies.
 *   A config the command writes itself replaces that file (pypictl's stack writes one with `keepalive`).
 * - gunicorn's `sync` worker (its built-in default when nothing names a worker) ignores keepalive and
 *   closes every connection after the response: the ALB never reuses an idle connection it closed.
 * - The image's entrypoint turns an EMPTY argument list into `run -p $PORT --server gunicorn`
 *   (pypiserver docker/entrypoint.sh, since pypiserver#371 "Gunicorn/gevent docker"; the Dockerfile sets
 *   ENTRYPOINT ["/entrypoint.sh"] and WORKDIR /data). A task definition with no command therefore runs
 *   gunicorn with the image's /data/gunicorn.conf.py (gevent, no keepalive → 2 s): the 502 race, not
 *   waitress. Arguments without `--server` fall back to bottle's auto (waitress is installed for that:
 *   docker/docker-requirements.txt).
 * - gunicorn reads ./gunicorn.conf.py, then GUNICORN_CMD_ARGS on top of it (gunicorn/app/base.py
 *   Application.load_config). A file MOUNTED at /data/gunicorn.conf.py (or a volume over /data) replaces the
 *   image's: its content is not in the task definition, so keep-alive and worker class are unknown unless
 *   GUNICORN_CMD_ARGS sets them. The Terraform module mounts its own (files/gunicorn.conf.py: gevent, no
 *   keepalive).
 */
import type { EcsContainerDef, EcsTaskDefinition } from "../../sources/aws/types.js";

export const GUNICORN_DEFAULT_KEEPALIVE_SECONDS = 2;
export const WAITRESS_CHANNEL_TIMEOUT_SECONDS = 120;

export type BackendModel =
  | { kind: "keepalive"; server: string; keepAliveSeconds: number; how: string }
  | { kind: "no-keepalive"; server: string; how: string }
  /** `mountedConfig`: gunicorn's config file comes from a mount (its container path). */
  | { kind: "unknown"; seen: string; mountedConfig?: string };

/** Where gunicorn finds its config in the image: ./gunicorn.conf.py from WORKDIR /data. */
export const IMAGE_GUNICORN_CONF = "/data/gunicorn.conf.py";

/** The container path of a mount that replaces `file` (the file itself, or a directory above it). */
function mountOver(mountPaths: readonly string[] | undefined, file: string): string | undefined {
  return mountPaths?.find((p) => {
    const dir = p.replace(/\/+$/, "");
    return dir === file || file.startsWith(`${dir}/`);
  });
}

/** The pypiserver container: the one whose image or command is pypiserver's, else the first essential one. */
function mainContainer(td: EcsTaskDefinition): EcsContainerDef | undefined {
  const text = (c: EcsContainerDef) =>
    [c.image ?? "", ...(c.entryPoint ?? []), ...(c.command ?? [])].join(" ");
  return (
    td.containers.find((c) => /pypiserver|pypi-server/.test(text(c))) ??
    td.containers.find((c) => c.essential) ??
    td.containers[0]
  );
}

function setting(text: string, flag: RegExp, conf: RegExp): string | undefined {
  const m = flag.exec(text) ?? conf.exec(text);
  return m?.[1];
}

/** pypiserver/pypiserver at a 2.x tag (or latest): the image whose gunicorn config we know. */
function knownImage(image: string | undefined): boolean {
  if (!image) return false;
  const m = /(?:^|\/)pypiserver\/pypiserver(?::([^@\s]+))?/.exec(image);
  if (!m) return false;
  const tag = m[1] ?? "latest";
  return tag === "latest" || /^v?2(\.|$)/.test(tag);
}

export function backendModel(td: EcsTaskDefinition): BackendModel {
  const c = mainContainer(td);
  if (!c) return { kind: "unknown", seen: "no container in the task definition" };
  const cmd = [...(c.entryPoint ?? []), ...(c.command ?? [])].join(" ");
  const all = `${cmd}\n${c.gunicornCmdArgs ?? ""}`;
  const seen = `image ${c.image ?? "?"}, command ${JSON.stringify(cmd.length > 160 ? `${cmd.slice(0, 160)}…` : cmd)}`;
  // No command and no entry point of its own: the image's entrypoint adds `--server gunicorn`.
  const imageDefault = cmd.trim() === "" && knownImage(c.image);
  const runsPypiServer = /\b(?:pypi-server|entrypoint\.sh)\b|(?:^|\s)run(?:\s|$)/.test(cmd) || imageDefault;
  const server = imageDefault ? "gunicorn" : setting(cmd, /--server(?:=|\s+)(\w+)/, /$^/);
  if (!runsPypiServer && c.keepAliveSeconds === undefined) return { kind: "unknown", seen };
  if (runsPypiServer && (server === undefined || server === "auto" || server === "waitress")) {
    if (server !== "waitress" && !knownImage(c.image))
      return {
        kind: "unknown",
        seen: `${seen} (bottle's auto picks the first server installed in the image)`,
      };
    return {
      kind: "keepalive",
      server: "waitress",
      keepAliveSeconds: WAITRESS_CHANNEL_TIMEOUT_SECONDS,
      how: `waitress closes idle connections after its ${WAITRESS_CHANNEL_TIMEOUT_SECONDS} s channel_timeout`,
    };
  }
  if (server !== undefined && server !== "gunicorn")
    return { kind: "unknown", seen: `${seen} (server ${server})` };
  // gunicorn (named, implied by the image's entrypoint, or by a keep-alive setting).
  const writesConfig = /gunicorn\.conf\.py/.test(cmd);
  const mounted = writesConfig ? undefined : mountOver(c.mountPaths, IMAGE_GUNICORN_CONF);
  if (mounted && c.keepAliveSeconds === undefined)
    return {
      kind: "unknown",
      mountedConfig: mounted,
      seen: `${seen}; gunicorn reads ${IMAGE_GUNICORN_CONF} from a mount at ${mounted}`,
    };
  const entry = imageDefault
    ? "no command, so the image's entrypoint runs `run -p $PORT --server gunicorn`; "
    : "";
  const worker = setting(
    all,
    /(?:-k|--worker-class)(?:=|\s+)["']?([\w.]+)/,
    /\bworker_class\s*=\s*["']([\w.]+)["']/,
  );
  const threads = Number(setting(all, /--threads(?:=|\s+)(\d+)/, /\bthreads\s*=\s*(\d+)/) ?? "1");
  const keepAlive = c.keepAliveSeconds;
  let effectiveWorker = worker;
  let how = worker ? `worker ${worker} set in the task definition` : "";
  if (!effectiveWorker && writesConfig) {
    effectiveWorker = "sync";
    how =
      "the command writes its own gunicorn.conf.py without a worker_class, so gunicorn's sync default applies";
  } else if (!effectiveWorker && !mounted && knownImage(c.image)) {
    effectiveWorker = "gevent";
    how = "the image's /data/gunicorn.conf.py sets worker_class gevent";
  }
  how = `${entry}${how}`;
  if (effectiveWorker === "sync" && threads <= 1)
    return {
      kind: "no-keepalive",
      server: "gunicorn (sync worker)",
      how: `${how}; the sync worker closes every connection after its response`,
    };
  if (keepAlive !== undefined)
    return {
      kind: "keepalive",
      server: `gunicorn${effectiveWorker ? ` (${effectiveWorker} worker)` : ""}`,
      keepAliveSeconds: keepAlive,
      how: `keepalive ${keepAlive} s set in the task definition`,
    };
  if (!effectiveWorker)
    return { kind: "unknown", seen: `${seen} (gunicorn's worker class and config are not visible)` };
  return {
    kind: "keepalive",
    server: `gunicorn (${effectiveWorker} worker)`,
    keepAliveSeconds: GUNICORN_DEFAULT_KEEPALIVE_SECONDS,
    how: `${how} and no keepalive, so gunicorn's default of ${GUNICORN_DEFAULT_KEEPALIVE_SECONDS} s applies`,
  };
}
