/**
 * Evidence sources: the only code that touches the network, the shell or the file system to *gather*.
 * A source's result is plain, serialisable data; checks read it and never gather anything themselves.
 */

export type FailureKind =
  | "access-denied"
  | "throttled"
  | "timeout"
  | "not-found"
  | "no-data"
  | "malformed"
  | "unreachable"
  /** The endpoint answered with a server error (HTTP 5xx, an AWS fault code): reachable, but failing. */
  | "server-error"
  | "unsupported"
  /** The target lacks the fields this source needs (no cluster, no URL…): its checks skip, naming the flag. */
  | "no-identity"
  | "internal";

export type SourceResult<V> =
  | { ok: true; value: V; at: string; raw?: string }
  | { ok: false; kind: FailureKind; message: string; action?: string; at: string };

/** A typed handle on a source's value: checks name the sources they need with these. */
export interface SourceKey<V> {
  readonly id: string;
  /** Phantom field: carries V for the type checker only. */
  readonly __value?: V;
}

export function sourceKey<V>(id: string): SourceKey<V> {
  return { id };
}

/** Evidence: every gathered source by id. Serialisable as is (that is the evidence bundle). */
export type Evidence = Record<string, SourceResult<unknown>>;

export function ok<V>(value: V, raw?: string, at: Date = new Date()): SourceResult<V> {
  return raw === undefined
    ? { ok: true, value, at: at.toISOString() }
    : { ok: true, value, at: at.toISOString(), raw };
}

export function failed(
  kind: FailureKind,
  message: string,
  action?: string,
  at: Date = new Date(),
): SourceResult<never> {
  return action === undefined
    ? { ok: false, kind, message, at: at.toISOString() }
    : { ok: false, kind, message, action, at: at.toISOString() };
}

/** Read a typed value out of evidence. Undefined when the source was not gathered. */
export function read<V>(evidence: Evidence, key: SourceKey<V>): SourceResult<V> | undefined {
  return evidence[key.id] as SourceResult<V> | undefined;
}
