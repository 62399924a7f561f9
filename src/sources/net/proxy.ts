/**
 * HTTPS_PROXY / HTTP_PROXY / NO_PROXY, honoured the way curl, pip and the aws CLI do, for both the AWS SDK
 * calls and the index probe — with node's own http/https/net/tls, no proxy library:
 *
 * - `https_proxy`/`HTTPS_PROXY` for https:// URLs, `http_proxy`/`HTTP_PROXY` for http:// URLs (lower case
 *   first, as curl and Python's urllib read them); the proxy URL may be http:// or https:// and may carry
 *   user:password (sent as Proxy-Authorization, never printed).
 * - `no_proxy`/`NO_PROXY`: comma-separated hosts, `.domain` or `domain` (matches subdomains too), `host:port`,
 *   or `*` for everything.
 * - https:// targets go through a CONNECT tunnel and TLS is end to end; plain http:// targets of the index
 *   probe are sent to the proxy with the absolute URL (forward proxying, as curl does). The AWS SDK's
 *   agents tunnel both (its requests carry only a path).
 */
import http from "node:http";
import https from "node:https";
import net from "node:net";
import tls from "node:tls";
import type { Duplex } from "node:stream";

export interface ProxySettings {
  http?: URL;
  https?: URL;
  noProxy: string[];
}

function pick(env: NodeJS.ProcessEnv, names: string[]): string | undefined {
  for (const n of names) {
    const v = env[n];
    if (v !== undefined && v.trim() !== "") return v.trim();
  }
  return undefined;
}

function parseProxyUrl(value: string | undefined, variable: string): URL | undefined {
  if (!value) return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new ProxyConfigError(`${variable}: not a proxy URL (expected http://host:port)`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    throw new ProxyConfigError(
      `${variable}: only http:// and https:// proxies are supported (got ${u.protocol})`,
    );
  return u;
}

export class ProxyConfigError extends Error {
  override name = "ProxyConfigError";
}

/** Read the proxy variables; undefined when none is set (the common case costs nothing). */
export function proxySettings(env: NodeJS.ProcessEnv = process.env): ProxySettings | undefined {
  const httpsValue = pick(env, ["https_proxy", "HTTPS_PROXY"]);
  const httpValue = pick(env, ["http_proxy", "HTTP_PROXY"]);
  if (!httpsValue && !httpValue) return undefined;
  const s: ProxySettings = {
    noProxy: (pick(env, ["no_proxy", "NO_PROXY"]) ?? "")
      .split(",")
      .map((x) => x.trim().toLowerCase())
      .filter(Boolean),
  };
  const h = parseProxyUrl(httpsValue, env.https_proxy ? "https_proxy" : "HTTPS_PROXY");
  if (h) s.https = h;
  const p = parseProxyUrl(httpValue, env.http_proxy ? "http_proxy" : "HTTP_PROXY");
  if (p) s.http = p;
  return s;
}

function stripBrackets(host: string): string {
  return host.replace(/^\[|\]$/g, "").toLowerCase();
}

/** Whether NO_PROXY exempts host:port. */
export function bypassesProxy(host: string, port: number, noProxy: readonly string[]): boolean {
  const h = stripBrackets(host);
  for (const entry of noProxy) {
    if (entry === "*") return true;
    let name = entry;
    let entryPort: number | undefined;
    const m = /^(.*):(\d+)$/.exec(entry);
    if (m && !entry.includes("]") && (m[1]!.match(/:/g)?.length ?? 0) === 0) {
      name = m[1]!;
      entryPort = Number(m[2]);
    } else if (/^\[.*\]:\d+$/.test(entry)) {
      const i = entry.lastIndexOf(":");
      name = entry.slice(0, i);
      entryPort = Number(entry.slice(i + 1));
    }
    if (entryPort !== undefined && entryPort !== port) continue;
    name = stripBrackets(name).replace(/^\*?\./, "");
    if (h === name || h.endsWith(`.${name}`)) return true;
  }
  return false;
}

/** The proxy for a URL, or undefined to connect directly. */
export function proxyFor(target: URL, settings: ProxySettings | undefined): URL | undefined {
  if (!settings) return undefined;
  const proxy = target.protocol === "https:" ? settings.https : settings.http;
  if (!proxy) return undefined;
  const port = Number(target.port) || (target.protocol === "https:" ? 443 : 80);
  return bypassesProxy(target.hostname, port, settings.noProxy) ? undefined : proxy;
}

/** Proxy-Authorization for a proxy URL with user:password, percent-decoded as curl does. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username && !proxy.password) return undefined;
  const user = decodeURIComponent(proxy.username);
  const pass = decodeURIComponent(proxy.password);
  return `Basic ${Buffer.from(`${user}:${pass}`, "utf8").toString("base64")}`;
}

/** The proxy as printed in messages: scheme, host and port only (its password stays out). */
export function describeProxy(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}

function proxyPort(proxy: URL): number {
  return Number(proxy.port) || (proxy.protocol === "https:" ? 443 : 80);
}

/**
 * How long a connection may take to be up (TCP, and through a proxy the CONNECT answer too). Without a
 * bound a proxy that accepts TCP and never answers holds the socket — and the process — forever: the
 * http.Agent has no socket yet, so neither the SDK's connectionTimeout (armed on the request's "socket"
 * event, @smithy/node-http-handler) nor an abort of the request reaches it.
 */
export interface ConnectBounds {
  /** Longest time from dialling to a usable connection. */
  timeoutMs: number;
  /** The run's deadline (Date.now() ms): the connection gives up then even if timeoutMs is longer. */
  deadlineAt?: number;
  /** Gives up when aborted (the request it was for is gone). */
  signal?: AbortSignal;
}

/** The default bound of a connection when the caller names none (as the SDK's connectionTimeout). */
export const CONNECT_BOUND_MS = 3_000;
/** How long after the run's deadline a connection still being made is cut (see boundTimer). */
export const DEADLINE_GRACE_MS = 25;

/**
 * A timer that cuts a connection being made at its bound. Cut by the connect bound: ETIMEDOUT, retried as
 * a connect timeout is. Cut by the run's deadline: a moment after it, so the run's own abort is what the
 * caller sees, and under a code no retry strategy treats as transient — a retry would only sleep its
 * back-off and keep the process alive past the deadline.
 */
function boundTimer(bounds: ConnectBounds, what: string, cut: (e: Error) => void): () => void {
  const leftMs =
    bounds.deadlineAt !== undefined ? bounds.deadlineAt - Date.now() + DEADLINE_GRACE_MS : Infinity;
  const byDeadline = leftMs <= bounds.timeoutMs;
  const waitMs = Math.max(0, Math.min(bounds.timeoutMs, leftMs));
  const timer = setTimeout(() => {
    const message = byDeadline ? `${what} before the run's deadline` : `${what} within ${waitMs} ms`;
    cut(Object.assign(new Error(message), { code: byDeadline ? "ECONNDEADLINE" : "ETIMEDOUT" }));
  }, waitMs);
  return () => clearTimeout(timer);
}

/** A direct connection, cut at its bound unless up by then; the timer goes with the socket. */
function boundedDirect(socket: net.Socket, secure: boolean, bounds: ConnectBounds, target: string) {
  const clear = boundTimer(bounds, `no connection to ${target}`, (e) => socket.destroy(e));
  socket.once(secure ? "secureConnect" : "connect", clear);
  socket.once("close", clear);
  return socket;
}

/**
 * The codes a proxy failure carries, so it is named as one (src/sources/net/failures.ts) and not retried
 * as a transient network error would be (none of them is in the SDK's transient lists): the proxy could
 * not be reached (`reason`: the errno), it wants credentials (407), or it refused the CONNECT (403, 502…).
 */
export const PROXY_CODES = {
  unreachable: "EPROXY_UNREACHABLE",
  auth: "EPROXY_AUTH",
  refused: "EPROXY_REFUSED",
  other: "EPROXY",
} as const;

/** Open a CONNECT tunnel to host:port through the proxy; calls back with the raw socket. */
export function connectTunnel(
  proxy: URL,
  host: string,
  port: number,
  cb: (err: Error | null, socket?: Duplex) => void,
  bounds: ConnectBounds = { timeoutMs: CONNECT_BOUND_MS },
): void {
  const socket: net.Socket =
    proxy.protocol === "https:"
      ? tls.connect({ host: proxy.hostname, port: proxyPort(proxy), servername: proxy.hostname })
      : net.connect(proxyPort(proxy), proxy.hostname);
  const target = host.includes(":") && !host.startsWith("[") ? `[${host}]:${port}` : `${host}:${port}`;
  let buffered = Buffer.alloc(0);
  let done = false;
  const settle = () => {
    done = true;
    clearTimer();
    bounds.signal?.removeEventListener("abort", onAbort);
  };
  const fail = (e: Error) => {
    if (done) return;
    settle();
    socket.destroy();
    cb(Object.assign(e, { code: (e as NodeJS.ErrnoException).code ?? PROXY_CODES.other }));
  };
  const clearTimer = boundTimer(
    bounds,
    `proxy ${describeProxy(proxy)}: no answer to CONNECT ${target}`,
    fail,
  );
  const onAbort = () =>
    fail(
      Object.assign(new Error(`proxy ${describeProxy(proxy)}: CONNECT ${target} aborted`), {
        code: "ABORT_ERR",
      }),
    );
  if (bounds.signal?.aborted) return onAbort();
  bounds.signal?.addEventListener("abort", onAbort, { once: true });
  socket.once("error", (e) =>
    fail(
      Object.assign(new Error(`proxy ${describeProxy(proxy)}: ${e.message}`, { cause: e }), {
        code: PROXY_CODES.unreachable,
        reason: (e as NodeJS.ErrnoException).code,
      }),
    ),
  );
  socket.once(proxy.protocol === "https:" ? "secureConnect" : "connect", () => {
    const auth = proxyAuthorization(proxy);
    socket.write(
      `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ""}\r\n`,
    );
  });
  const onData = (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    const end = buffered.indexOf("\r\n\r\n");
    if (end < 0) {
      if (buffered.length > 16 * 1024)
        fail(new Error(`proxy ${describeProxy(proxy)}: no end of the CONNECT answer`));
      return;
    }
    socket.off("data", onData);
    const statusLine = buffered.subarray(0, buffered.indexOf("\r\n")).toString("latin1");
    const status = Number(/^HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(statusLine)?.[1]);
    if (status !== 200) {
      fail(
        Object.assign(
          new Error(`proxy ${describeProxy(proxy)} refused CONNECT ${target}: ${statusLine || "no answer"}`),
          { code: status === 407 ? PROXY_CODES.auth : PROXY_CODES.refused },
        ),
      );
      return;
    }
    const rest = buffered.subarray(end + 4);
    if (rest.length) socket.unshift(rest);
    settle();
    socket.removeAllListeners("error");
    cb(null, socket);
  };
  socket.on("data", onData);
}

type CreateConnection = (
  options: Record<string, unknown>,
  cb: (err: Error | null, socket?: Duplex) => void,
) => Duplex | undefined;

/**
 * Make an agent's connections bounded, and tunnel them through the proxy (CONNECT) unless NO_PROXY exempts
 * the host. The http and https agents differ only in the default port, the direct connection and, for
 * https, TLS over the tunnel (end to end: the proxy sees only the encrypted stream).
 */
function bounded<A extends http.Agent>(
  agent: A,
  scheme: "http" | "https",
  settings: ProxySettings | undefined,
  bounds: ConnectBounds,
  trust?: () => tls.SecureContext,
): A {
  const secure = scheme === "https";
  const createConnection: CreateConnection = (given, cb) => {
    // A CA bundle's context, made on the first TLS connection (not when the agent is made): a client that
    // never connects (a mocked one, a replay) never pays for parsing the bundle.
    const options = secure && trust ? { ...given, secureContext: trust() } : given;
    const host = String(options.host ?? options.hostname ?? "localhost");
    const port = Number(options.port) || (secure ? 443 : 80);
    const proxy = proxyFor(
      new URL(`${scheme}://${host.includes(":") ? `[${host}]` : host}:${port}/`),
      settings,
    );
    if (!proxy)
      return boundedDirect(
        secure
          ? tls.connect(options as tls.ConnectionOptions)
          : net.createConnection(options as unknown as net.NetConnectOpts),
        secure,
        bounds,
        `${host}:${port}`,
      );
    connectTunnel(
      proxy,
      host,
      port,
      (err, raw) => {
        if (err || !raw) return cb(err ?? new Error("no tunnel"));
        if (!secure) return cb(null, raw);
        const servername = (options.servername as string | undefined) ?? (net.isIP(host) ? undefined : host);
        cb(
          null,
          tls.connect({
            ...(options as tls.ConnectionOptions),
            socket: raw as net.Socket,
            servername,
          } as tls.ConnectionOptions),
        );
      },
      bounds,
    );
    return undefined;
  };
  (agent as unknown as { createConnection: CreateConnection }).createConnection = createConnection;
  return agent;
}

/**
 * Agents for clients that send paths, not absolute URLs (the AWS SDK): every connection bounded by `bounds`
 * (the run's deadline among them) with a timer that goes with its socket, through the proxy when one is set.
 * `trust`: the TLS context of a CA bundle (AWS_CA_BUNDLE…) for every https connection, direct or tunnelled.
 */
export function connectionAgents(
  env: NodeJS.ProcessEnv = process.env,
  opts: https.AgentOptions = { keepAlive: true, maxSockets: 50 },
  bounds: ConnectBounds = { timeoutMs: CONNECT_BOUND_MS },
  trust?: () => tls.SecureContext,
): { httpAgent: http.Agent; httpsAgent: https.Agent } {
  const settings = proxySettings(env);
  return {
    httpAgent: bounded(new http.Agent(opts), "http", settings, bounds),
    httpsAgent: bounded(new https.Agent(opts), "https", settings, bounds, trust),
  };
}
