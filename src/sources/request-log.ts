/**
 * Per-source request timings for `--verbose`: the runner gives each source its own stats (in its gather
 * context), and the AWS clients that source gets (`clientsOf(ctx)`) record every attempt on them from the
 * moment it is sent to its answer. A source's time is then its requests' span, not the event loop's
 * (module loading elsewhere in the run does not count against a 20 ms request).
 *
 * The stats travel by hand, not in an AsyncLocalStorage: on Node 20 that turns on promise hooks for every
 * promise of the run, which cost a fleet run ~40 ms of its start-up budget (issue 12).
 */

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

/** A request to `endpoint` is on its way (call `done` when it is answered or fails). */
export function requestSent(s: RequestStats, endpoint: string | undefined): () => void {
  if (!endpoint) return () => undefined;
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

export function recordRequest(s: RequestStats, ms: number, sentAt: number): void {
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
