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

/** Open a CONNECT tunnel to host:port through the proxy; calls back with the raw socket. */
export function connectTunnel(
  proxy: URL,
  host: string,
  port: number,
  cb: (err: Error | null, socket?: Duplex) => void,
): void {
  const socket: net.Socket =
    proxy.protocol === "https:"
      ? tls.connect({ host: proxy.hostname, port: proxyPort(proxy), servername: proxy.hostname })
      : net.connect(proxyPort(proxy), proxy.hostname);
  const target = host.includes(":") && !host.startsWith("[") ? `[${host}]:${port}` : `${host}:${port}`;
  let buffered = Buffer.alloc(0);
  let done = false;
  const fail = (e: Error) => {
    if (done) return;
    done = true;
    socket.destroy();
    cb(Object.assign(e, { code: (e as NodeJS.ErrnoException).code ?? "EPROXY" }));
  };
  socket.once("error", (e) => fail(new Error(`proxy ${describeProxy(proxy)}: ${e.message}`, { cause: e })));
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
        new Error(`proxy ${describeProxy(proxy)} refused CONNECT ${target}: ${statusLine || "no answer"}`),
      );
      return;
    }
    const rest = buffered.subarray(end + 4);
    if (rest.length) socket.unshift(rest);
    done = true;
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
 * Make an agent tunnel through the proxy (CONNECT) unless NO_PROXY exempts the host. The http and https
 * agents differ only in the default port, the direct connection and, for https, TLS over the tunnel
 * (end to end: the proxy sees only the encrypted stream).
 */
function tunnelling<A extends http.Agent>(agent: A, scheme: "http" | "https", settings: ProxySettings): A {
  const secure = scheme === "https";
  const createConnection: CreateConnection = (options, cb) => {
    const host = String(options.host ?? options.hostname ?? "localhost");
    const port = Number(options.port) || (secure ? 443 : 80);
    const proxy = proxyFor(
      new URL(`${scheme}://${host.includes(":") ? `[${host}]` : host}:${port}/`),
      settings,
    );
    if (!proxy)
      return secure
        ? tls.connect(options as tls.ConnectionOptions)
        : net.createConnection(options as unknown as net.NetConnectOpts);
    connectTunnel(proxy, host, port, (err, raw) => {
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
    });
    return undefined;
  };
  (agent as unknown as { createConnection: CreateConnection }).createConnection = createConnection;
  return agent;
}

/** Agents for clients that send paths, not absolute URLs (the AWS SDK); undefined when no proxy is set. */
export function proxyAgents(
  env: NodeJS.ProcessEnv = process.env,
  opts: http.AgentOptions = { keepAlive: true, maxSockets: 50 },
): { httpAgent: http.Agent; httpsAgent: https.Agent } | undefined {
  const settings = proxySettings(env);
  if (!settings) return undefined;
  return {
    httpAgent: tunnelling(new http.Agent(opts), "http", settings),
    httpsAgent: tunnelling(new https.Agent(opts), "https", settings),
  };
}
