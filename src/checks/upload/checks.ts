/**
 * The "Package upload fails" playbook: the files about to be uploaded (`--dist DIR`) and the fleet signals
 * the guide names for failed uploads (OOM-killed containers, 5xx in the window), read from the fleet
 * evidence when it was gathered.
 */
import { defineCheck, limitRef, renderMessage, type ResourceResult } from "../model.js";
import { read, sourceKey } from "../../sources/model.js";
import type { DistListing } from "../../sources/client/dist.js";
import { GUNICORN_LOGS, METRICS, SERVICE, STOPPED_TASKS } from "../../sources/aws/types.js";
import { workerOomSignals } from "../ecs/worker-oom.js";
import { seriesOf, sumOf, values } from "../series.js";
import { MEMORY_HINTS, classifyStop, memoryHints } from "../ecs/checks.js";
import { fleetInstanceType } from "../capacity-targets.js";
import { UPLOAD_DIST_SIZE, UPLOAD_FLEET_SIGNALS } from "./thresholds.js";

export const DIST_KEY = sourceKey<DistListing>("client.dist");

const MiB = 1024 * 1024;

// twine has no timeout option and its uploads carry none: what cuts a large upload off is a proxy's body
// limit (413) or the ALB idle timeout while the server writes the file (504).
const distHints = {
  build: "Build first: `python3 -m build` (writes dist/).",
  "only-dists":
    "Upload only the distributions: `twine upload {{dir}}/*.whl {{dir}}/*.tar.gz`, or remove the other files.",
  names:
    "Wheels are named name-version(-build)?-python-abi-platform.whl (PEP 427); sdists name-version.tar.gz.",
  "one-at-a-time":
    "Upload large files one at a time and watch the status: `twine upload --verbose {{dir}}/<file>`.",
  // Never the idle timeout alone: an ALB idle timeout above the back end's keep-alive makes the ALB reuse
  // connections gunicorn already closed (502s; gunicorn's keepalive defaults to 2 s, gunicorn/config.py). The
  // stack sets keep-alive = idle timeout + KEEP_ALIVE_MARGIN_SECONDS from one prop, so its deploy moves both.
  "504":
    "A 504 after the body was sent is the ALB idle timeout (60 s by default) running out while the file is written to EFS. Raise the back end's keep-alive together with it, never the idle timeout alone (an idle timeout above the keep-alive turns 504s into 502s): on pypictl's stack `pypictl deploy --alb-idle-timeout-seconds 300` (plus your usual deploy flags) moves both (keep-alive = idle timeout + 15 s); on the Terraform module first set gunicorn's keep-alive to 315 s (`GUNICORN_CMD_ARGS=\"--keep-alive 315\"` in the task environment, or `keepalive = 315` in its gunicorn.conf.py) and roll the tasks, then `aws elbv2 modify-load-balancer-attributes --load-balancer-arn <alb-arn> --attributes Key=idle_timeout.timeout_seconds,Value=300`.",
  "413":
    "A 413 comes from a proxy in front (pypiserver has no size limit): raise that proxy's body-size limit, or split the package.",
};

export const uploadDistFiles = defineCheck({
  id: "upload.dist-files",
  title: "Files to upload are wheels or sdists of a sane size",
  description:
    "With --dist DIR: every file twine would upload must be a wheel (PEP 427 name) or an sdist (name-version.tar.gz); files above the size limit are slow to send and to write to EFS, where a proxy body limit or the ALB idle timeout can cut them off.",
  playbooks: ["upload"],
  needs: [DIST_KEY.id],
  scope: "client",
  thresholds: UPLOAD_DIST_SIZE,
  hints: distHints,
  messages: {
    "no-dist": "No --dist directory given: nothing to check",
    empty: "{{dir}} holds no files to upload",
    ok: "{{count}} file(s) in {{dir}}, largest {{largestMiB}} MiB",
    "not-dist": "{{bad}} file(s) in {{dir}} are not wheels or sdists: {{names}}",
    large:
      "{{large}} file(s) in {{dir}} exceed {{limit}} MiB (largest {{largestMiB}} MiB): the upload may time out",
  },
  evaluate({ evidence, limits }) {
    const r = read(evidence, DIST_KEY);
    if (!r?.ok) return { status: "error", messageId: "source-missing", data: { source: DIST_KEY.id } };
    const { dir, files } = r.value;
    if (!dir) return { status: "skip", messageId: "no-dist", data: {} };
    if (files.length === 0)
      return { status: "warn", messageId: "empty", data: { dir }, hints: [distHints.build] };
    const largest = Math.max(...files.map((f) => f.bytes));
    const largestMiB = Math.round((largest / MiB) * 10) / 10;
    const threshold = limitRef(limits, "maxFileMiB", "MiB");
    const observed = { value: largestMiB, unit: "MiB" };
    const resources: ResourceResult[] = files.map((f) => {
      const mib = Math.round((f.bytes / MiB) * 10) / 10;
      if (f.kind === "other")
        return {
          id: f.name,
          status: "fail",
          message: `not a wheel or sdist (${mib} MiB): twine rejects it as an unknown distribution format`,
        };
      if (f.bytes > limits.maxFileMiB * MiB)
        return {
          id: f.name,
          status: "warn",
          message: `${f.kind}, ${mib} MiB: above ${limits.maxFileMiB} MiB`,
        };
      return { id: f.name, status: "pass", message: `${f.kind}, ${mib} MiB` };
    });
    const bad = files.filter((f) => f.kind === "other");
    const large = files.filter((f) => f.bytes > limits.maxFileMiB * MiB);
    const largeHints = [
      renderMessage(distHints["one-at-a-time"], { dir }),
      distHints["504"],
      distHints["413"],
    ];
    if (bad.length)
      return {
        status: "fail",
        messageId: "not-dist",
        data: { dir, bad: bad.length, names: bad.map((f) => f.name).join(", ") },
        observed,
        threshold,
        hints: [
          renderMessage(distHints["only-dists"], { dir }),
          distHints.names,
          ...(large.length ? largeHints : []),
        ],
        resources,
      };
    if (large.length)
      return {
        status: "warn",
        messageId: "large",
        data: { dir, large: large.length, limit: limits.maxFileMiB, largestMiB },
        observed,
        threshold,
        hints: largeHints,
        resources,
      };
    return {
      status: "pass",
      messageId: "ok",
      data: { dir, count: files.length, largestMiB },
      observed,
      threshold,
      resources,
    };
  },
});

const fleetSignalHints = {
  ...MEMORY_HINTS,
  retry: "Then retry the upload; `pypictl doctor --only ecs.oom-kills` lists the tasks.",
  verbose: "Retry with detail to see which status the upload got: `twine upload --verbose dist/*`.",
  "5xx":
    "See what the 5xx were (502 → keep-alive, 503 → no healthy target, 504 → slow target) and whether EFS throttled the writes: `pypictl doctor --only alb.5xx-rate,efs.percent-io-limit`.",
};

export const uploadFleetSignals = defineCheck({
  id: "upload.fleet-signals",
  title: "Fleet signals of failed uploads",
  description:
    "What to look at when `twine upload` returns 5xx or times out: containers OOM-killed in the window (ECS stopped tasks), gunicorn workers OOM-killed or killed for WORKER TIMEOUT inside running tasks (the service's CloudWatch Logs), and 5xx answers from the ALB or the targets (CloudWatch) when they are more than a stray share of the requests. Reads the fleet evidence when gathered.",
  playbooks: ["upload"],
  needs: [],
  uses: [STOPPED_TASKS.id, METRICS.id, SERVICE.id, GUNICORN_LOGS.id],
  series: ["alb.HTTPCode_ELB_5XX_Count", "alb.HTTPCode_Target_5XX_Count", "alb.RequestCount"],
  scope: "fleet",
  thresholds: UPLOAD_FLEET_SIGNALS,
  hints: fleetSignalHints,
  messages: {
    "no-evidence": "No fleet evidence to read (stopped tasks and metrics were not gathered): {{cause}}",
    oom: "{{oom}} task(s) OOM-killed in the window: an upload in flight on them failed with 5xx",
    "worker-oom":
      "gunicorn logged {{workerKills}} worker OOM kill(s) in the window (latest {{latest}}): an upload in flight on a killed worker failed with 502",
    "worker-timeout":
      "gunicorn killed {{timeouts}} worker(s) for WORKER TIMEOUT in the window (latest {{latest}}): an upload on a worker that stopped answering failed with 502",
    "5xx":
      "{{errors}} 5xx answers in the window ({{elb}} from the ALB, {{target}} from targets; {{percent}} % of {{requests}} requests): uploads may have failed",
    quiet: "No OOM kills{{fiveXX}} in the window",
  },
  evaluate({ evidence, limits }) {
    const st = read(evidence, STOPPED_TASKS);
    const m = read(evidence, METRICS);
    const svc = read(evidence, SERVICE);
    if (!st && !m)
      return {
        status: "skip",
        messageId: "no-evidence",
        data: { cause: "not gathered (a --local run or a bundle without fleet evidence)" },
      };
    if (!st?.ok && !m?.ok) {
      const cause =
        [
          st && !st.ok ? `stopped tasks: ${st.message}` : undefined,
          m && !m.ok ? `metrics: ${m.message}` : undefined,
        ]
          .filter(Boolean)
          .join("; ") || "not gathered";
      return { status: "error", messageId: "no-evidence", data: { cause } };
    }
    const oomTasks = st?.ok ? st.value.tasks.filter((t) => classifyStop(t) === "oom") : [];
    const workers = workerOomSignals(evidence);
    let elb = 0;
    let target = 0;
    let requests = 0;
    let haveMetrics = false;
    if (m?.ok && m.value.context.loadBalancer) {
      haveMetrics = true;
      elb = sumOf(values(seriesOf(m.value, "alb.HTTPCode_ELB_5XX_Count")));
      target = sumOf(values(seriesOf(m.value, "alb.HTTPCode_Target_5XX_Count")));
      requests = sumOf(values(seriesOf(m.value, "alb.RequestCount")));
    }
    // ELB 503s with no target are not in RequestCount (FACTS §8): the share is of both, at most 100 %.
    const errors = elb + target;
    const percent = errors > 0 ? Math.min(100, (errors / Math.max(requests, errors)) * 100) : 0;
    const resources: ResourceResult[] = oomTasks.map((t) => ({
      id: t.taskId,
      status: "fail",
      message: `OOM-killed ${t.stoppedAt ?? ""}`.trim(),
    }));
    if (oomTasks.length > limits.maxOomKills)
      return {
        status: "fail",
        messageId: "oom",
        data: { oom: oomTasks.length, elb, target },
        observed: { value: oomTasks.length, unit: "count" },
        threshold: limitRef(limits, "maxOomKills", "count"),
        hints: [
          ...memoryHints(svc?.ok ? svc.value.taskDefinition : undefined, fleetInstanceType(evidence)),
          fleetSignalHints.retry,
        ],
        resources,
      };
    if (workers.oomLines.length > limits.maxOomKills)
      return {
        status: "fail",
        messageId: "worker-oom",
        data: { workerKills: workers.oomLines.length, latest: workers.oomLines.at(-1)!.at, elb, target },
        observed: { value: workers.oomLines.length, unit: "count" },
        threshold: limitRef(limits, "maxOomKills", "count"),
        hints: [
          ...memoryHints(svc?.ok ? svc.value.taskDefinition : undefined, fleetInstanceType(evidence)),
          fleetSignalHints.retry,
        ],
      };
    if (workers.timeoutLines.length > 0)
      return {
        status: "warn",
        messageId: "worker-timeout",
        data: { timeouts: workers.timeoutLines.length, latest: workers.timeoutLines.at(-1)!.at },
        observed: { value: workers.timeoutLines.length, unit: "count" },
        hints: [fleetSignalHints["5xx"]],
      };
    const pct = Math.round(percent * 1000) / 1000;
    if (errors > limits.maxTarget5xx && percent > limits.max5xxPercent)
      return {
        status: "warn",
        messageId: "5xx",
        data: { errors, elb, target, requests, percent: pct },
        observed: { value: pct, unit: "%" },
        threshold: limitRef(limits, "max5xxPercent", "%"),
        hints: [fleetSignalHints.verbose, fleetSignalHints["5xx"]],
      };
    return {
      status: "pass",
      messageId: "quiet",
      data: {
        errors,
        percent: pct,
        fiveXX: !haveMetrics
          ? ""
          : errors === 0
            ? " and no 5xx"
            : ` and ${errors} stray 5xx (${pct} % of ${requests} requests, under ${limits.max5xxPercent} %)`,
      },
    };
  },
});
