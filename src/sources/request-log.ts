/**
 * Per-source request timings for `--verbose`: the runner gathers each source inside `withRequestLog`,
 * and the AWS clients' middleware records every attempt from the moment it is sent to its answer.
 * A source's time is then its requests' span, not the event loop's (module loading elsewhere in the
 * run does not count against a 20 ms request).
 */
import { AsyncLocalStorage } from "node:async_hooks";

export interface RequestStats {
  /** Attempts sent (retries included). */
  count: number;
  /** Sum of the attempts' times on the wire, ms. */
  wireMs: number;
  /** performance.now() of the first send and of the last answer. */
  firstSent?: number;
  lastDone?: number;
  /** Requests sent and not answered yet, by endpoint: named when the source's deadline passes. */
  inFlight?: Map<string, number>;
}

const store = new AsyncLocalStorage<RequestStats>();

export function withRequestLog<T>(stats: RequestStats, fn: () => Promise<T>): Promise<T> {
  return store.run(stats, fn);
}

/** A request to `endpoint` is on its way (call `done` when it is answered or fails). */
export function requestSent(endpoint: string | undefined): () => void {
  const s = store.getStore();
  if (!s || !endpoint) return () => undefined;
  s.inFlight ??= new Map();
  s.inFlight.set(endpoint, (s.inFlight.get(endpoint) ?? 0) + 1);
  return () => {
    const n = (s.inFlight?.get(endpoint) ?? 1) - 1;
    if (n <= 0) s.inFlight?.delete(endpoint);
    else s.inFlight?.set(endpoint, n);
  };
}

/** The endpoints a source is still waiting on, for its timeout message. */
export function waitingOn(s: RequestStats): string[] {
  return [...(s.inFlight?.keys() ?? [])].sort();
}

export function recordRequest(ms: number, sentAt: number): void {
  const s = store.getStore();
  if (!s) return;
  s.count++;
  s.wireMs += ms;
  if (s.firstSent === undefined || sentAt < s.firstSent) s.firstSent = sentAt;
  const done = sentAt + ms;
  if (s.lastDone === undefined || done > s.lastDone) s.lastDone = done;
}

/** From the first request sent to the last answer, ms (0 when the source sent none). */
export function requestSpan(s: RequestStats): number {
  return s.firstSent === undefined || s.lastDone === undefined ? 0 : Math.round(s.lastDone - s.firstSent);
}
