/**
 * gunicorn's own record of workers it lost, from the service's CloudWatch Logs group (the awslogs log
 * driver's `awslogs-group` in the task definition). A memory cgroup at its limit OOM-kills one worker, not
 * the task (cgroup-v2.rst: the whole cgroup only with memory.oom.group = 1); gunicorn's arbiter then logs
 * "Worker (pid:N) was sent SIGKILL! Perhaps out of memory?" and forks another, and a worker that missed its
 * heartbeat for `timeout` seconds is killed after "WORKER TIMEOUT (pid:N)" (gunicorn/arbiter.py). ECS
 * records no stop for either: these lines are the only trace besides the cgroup's oom_kill counter.
 *
 * One call path: FilterLogEvents over the window with a filter pattern matching both lines, paged up to
 * MAX_PAGES (the API returns at most 10,000 events or 1 MB per page; here `limit` keeps pages small).
 */
import { FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { ok, type SourceResult } from "../model.js";
import type { GatherContext, SourceDef } from "../context.js";
import { AWS_SOURCE_IDS, SERVICE, type GunicornLogLine, type GunicornLogsEvidence } from "./types.js";
import { clientsOf, SourceFailure } from "./shared.js";

/**
 * CloudWatch Logs filter pattern syntax for unstructured events: `?term ?term` matches either, a quoted
 * term is a phrase (FilterAndPatternSyntax docs).
 */
export const GUNICORN_FILTER_PATTERN = '?"Perhaps out of memory" ?"WORKER TIMEOUT"';
/** Events asked for per page, and pages read at most: a bounded search (MAX_LINES events). */
export const PAGE_LIMIT = 500;
export const MAX_PAGES = 4;

const OOM_LINE = /Worker \(pid:(\d+)\) was sent SIGKILL! Perhaps out of memory\?/;
const TIMEOUT_LINE = /WORKER TIMEOUT \(pid:(\d+)\)/;

export function classifyLine(message: string): { kind: GunicornLogLine["kind"]; pid?: number } | undefined {
  const oom = OOM_LINE.exec(message);
  if (oom) return { kind: "oom", pid: Number(oom[1]) };
  const t = TIMEOUT_LINE.exec(message);
  if (t) return { kind: "timeout", pid: Number(t[1]) };
  return undefined;
}

/** The log group of the service's essential container that logs with awslogs (the pypiserver one). */
function logGroupOf(ctx: GatherContext): { group: string; region?: string } {
  const svc = ctx.dep(SERVICE);
  if (!svc.ok)
    throw new SourceFailure(
      svc.kind === "no-identity" ? "no-identity" : "not-found",
      `no log group: ${SERVICE.id} failed (${svc.message})`,
    );
  const cs = svc.value.taskDefinition.containers;
  const c = cs.find((x) => x.essential && x.logGroup) ?? cs.find((x) => x.logGroup);
  if (!c?.logGroup)
    throw new SourceFailure(
      "not-found",
      `task definition ${svc.value.taskDefinition.arn} has no awslogs log configuration (logConfiguration.options["awslogs-group"]): gunicorn's worker lines cannot be read`,
    );
  return { group: c.logGroup, ...(c.logRegion ? { region: c.logRegion } : {}) };
}

export async function gatherGunicornLogs(ctx: GatherContext): Promise<SourceResult<GunicornLogsEvidence>> {
  const { group } = logGroupOf(ctx);
  const logs = await clientsOf(ctx).logs();
  const lines: GunicornLogLine[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const r = await logs.send(
      new FilterLogEventsCommand({
        logGroupName: group,
        startTime: Date.parse(ctx.window.start),
        endTime: Date.parse(ctx.window.end),
        filterPattern: GUNICORN_FILTER_PATTERN,
        limit: PAGE_LIMIT,
        ...(nextToken ? { nextToken } : {}),
      }),
      { abortSignal: ctx.signal },
    );
    pages++;
    for (const e of r.events ?? []) {
      const c = classifyLine(e.message ?? "");
      if (!c || e.timestamp === undefined) continue;
      const line: GunicornLogLine = {
        at: new Date(e.timestamp).toISOString(),
        kind: c.kind,
        stream: e.logStreamName ?? "?",
      };
      if (c.pid !== undefined) line.pid = c.pid;
      lines.push(line);
    }
    nextToken = r.nextToken;
  } while (nextToken && pages < MAX_PAGES);
  lines.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  return ok({ logGroup: group, lines, truncated: nextToken !== undefined });
}

export const gunicornLogsSource: SourceDef<GunicornLogsEvidence> = {
  id: AWS_SOURCE_IDS.gunicornLogs,
  title: "gunicorn worker kills in the service's CloudWatch Logs",
  deps: [AWS_SOURCE_IDS.service],
  gather: gatherGunicornLogs,
};
