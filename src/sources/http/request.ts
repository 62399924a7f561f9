/**
 * One HTTP request with the facts a check needs and nothing secret: status, time, the WWW-Authenticate and
 * Location headers (Location without userinfo), or the failure named (timeout, TLS, refused, DNS).
 * The Authorization header is sent but never recorded.
 */
import { request as httpRequest } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import type { RequestOptions } from "node:http";
import {
  connectionAgents,
  describeProxy,
  PROXY_CODES,
  proxyAuthorization,
  proxyFor,
  proxySettings,
} from "../net/proxy.js";
import { caSecureContext, type CaBundle } from "../net/ca-bundle.js";
import { netFailure, type NetFailureKind } from "../net/failures.js";

export type ProbeErrorKind = "timeout" | "tls" | "proxy" | "refused" | "dns" | "reset" | "other";

export interface ProbeAnswer {
  /** The path requested, e.g. "/simple/". */
  path: string;
  status?: number;
  /** Milliseconds from sending to the end of the body (or to the failure). */
  ms: number;
  wwwAuthenticate?: string;
  /** For 3xx: where to, with any userinfo removed. */
  location?: string;
  error?: {
    kind: ProbeErrorKind;
    code?: string;
    message: string;
    /** For a TLS failure: the CA bundle trusted instead of the default ("PIP_CERT (/etc/corp.pem)"). */
    ca?: string;
  };
}

const TLS_CODES =
  /^(CERT_|ERR_TLS|ERR_SSL|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|HOSTNAME_MISMATCH|ERR_CERT)/;

export function classifyNetError(e: unknown): { kind: ProbeErrorKind; code?: string } {
  const named = netFailure(e);
  if (named) return { kind: named.kind.startsWith("proxy") ? "proxy" : "tls", code: named.code };
  const code = (e as { code?: string }).code;
  const msg = (e as Error)?.message ?? "";
  if (code === "ETIMEDOUT" || code === "ESOCKETTIMEDOUT" || /timed? ?out/i.test(msg))
    return { kind: "timeout", ...(code ? { code } : {}) };
  if ((code && TLS_CODES.test(code)) || /certificate|ssl|tls/i.test(msg))
    return { kind: "tls", ...(code ? { code } : {}) };
  if (code === "ECONNREFUSED") return { kind: "refused", code };
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return { kind: "dns", code };
  if (code === "ECONNRESET" || code === "EPIPE") return { kind: "reset", code };
  return { kind: "other", ...(code ? { code } : {}) };
}

/** Which TLS or proxy failure a probe error is (untrusted CA, host name, expired, 407…), if it is one. */
export function probeFailureKind(error: NonNullable<ProbeAnswer["error"]>): NetFailureKind | undefined {
  if (error.kind !== "tls" && error.kind !== "proxy") return undefined;
  return netFailure({ code: error.code?.split(" ")[0] ?? "" })?.kind ?? error.kind;
}

function stripUserinfo(u: string): string {
  return u.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1");
}

export interface ProbeRequest {
  /** Root URL without credentials, e.g. https://pypi.example.com */
  root: string;
  path: string;
  auth?: { username: string; password: string };
  timeoutMs: number;
  signal?: AbortSignal;
  now?: () => number;
  /** Where HTTPS_PROXY/HTTP_PROXY/NO_PROXY are read (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** The CA bundle pip would trust (src/sources/net/pip-ca.ts); default: node's trust store. */
  ca?: CaBundle;
}

/**
 * How to send: directly; https:// through a CONNECT tunnel (TLS end to end); or plain http:// to the proxy
 * with the absolute URL, as curl and pip do.
 */
function viaProxy(
  url: URL,
  headers: Record<string, string>,
  env: NodeJS.ProcessEnv,
  bounds: { timeoutMs: number; signal?: AbortSignal },
  ca: CaBundle | undefined,
) {
  const proxy = proxyFor(url, proxySettings(env));
  const secure = url.protocol === "https:";
  const direct = {
    send: secure ? httpsRequest : httpRequest,
    target: url as URL | string,
    // A CA of its own: an agent of its own, so no pooled connection verified against another trust store
    // is reused (an agent tells pools apart by `ca`, not by `secureContext`).
    options: (secure && ca
      ? { agent: new HttpsAgent({ keepAlive: false, secureContext: caSecureContext(ca) }) }
      : {}) as RequestOptions,
    forwardProxy: undefined as URL | undefined,
  };
  if (!proxy) return direct;
  if (secure) {
    // The tunnel is bounded as the whole request is: a silent proxy is a timeout, and its socket goes.
    // The CA applies to the TLS inside the tunnel (end to end with the index), as for pip.
    const agents = connectionAgents(
      env,
      { keepAlive: false },
      bounds,
      ca ? () => caSecureContext(ca) : undefined,
    );
    return { ...direct, options: { agent: agents.httpsAgent } };
  }
  const auth = proxyAuthorization(proxy);
  if (auth) headers["proxy-authorization"] = auth;
  headers.host = url.host;
  const send = proxy.protocol === "https:" ? httpsRequest : httpRequest;
  return {
    send,
    target: url.href,
    options: {
      protocol: proxy.protocol,
      hostname: proxy.hostname,
      host: proxy.hostname,
      port: Number(proxy.port) || (proxy.protocol === "https:" ? 443 : 80),
      path: url.href,
    } as RequestOptions,
    forwardProxy: proxy,
  };
}

export function probe(req: ProbeRequest): Promise<ProbeAnswer> {
  return send(req, 0).then((r) => r.answer);
}

/**
 * A probe that keeps the start of the body (at most `maxBodyBytes`, the rest is read and dropped): for a
 * page whose text is the fact, such as pypiserver's `/` with its package count. The body is the caller's
 * to parse, never part of the answer recorded in evidence.
 */
export function fetchText(
  req: ProbeRequest,
  maxBodyBytes: number,
): Promise<{ answer: ProbeAnswer; body: string }> {
  return send(req, maxBodyBytes);
}

function send(req: ProbeRequest, maxBodyBytes: number): Promise<{ answer: ProbeAnswer; body: string }> {
  const now = req.now ?? (() => performance.now());
  const url = new URL(req.path, `${req.root.replace(/\/+$/, "")}/`);
  const started = now();
  const headers: Record<string, string> = { "user-agent": "pypictl-probe", accept: "text/html" };
  if (req.auth)
    headers.authorization = `Basic ${Buffer.from(`${req.auth.username}:${req.auth.password}`, "utf8").toString("base64")}`;
  const {
    send: sendVia,
    target,
    options,
    forwardProxy,
  } = viaProxy(
    url,
    headers,
    req.env ?? process.env,
    { timeoutMs: req.timeoutMs, ...(req.signal ? { signal: req.signal } : {}) },
    req.ca,
  );
  const caInUse = req.ca ? `${req.ca.from} (${req.ca.path})` : undefined;
  /** A failure named; for a TLS failure, with the CA bundle that was trusted. */
  const failure = (e: Error): NonNullable<ProbeAnswer["error"]> => {
    let c = classifyNetError(e);
    // Forwarding to an http:// index: a connection that fails is the proxy's, not the index's.
    if (forwardProxy && (c.kind === "refused" || c.kind === "dns" || c.kind === "reset"))
      c = { kind: "proxy", code: `${PROXY_CODES.unreachable}${c.code ? ` ${c.code}` : ""}` };
    const message = stripUserinfo(
      forwardProxy && c.kind === "proxy" ? `proxy ${describeProxy(forwardProxy)}: ${e.message}` : e.message,
    );
    return { ...c, message, ...(c.kind === "tls" && caInUse ? { ca: caInUse } : {}) };
  };
  return new Promise((resolve) => {
    let settled = false;
    const chunks: Buffer[] = [];
    let kept = 0;
    const finish = (a: Omit<ProbeAnswer, "path" | "ms">) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({
        answer: { path: req.path, ms: Math.round(now() - started), ...a },
        body: Buffer.concat(chunks).toString("utf8"),
      });
    };
    const r = sendVia(target, { method: "GET", headers, signal: req.signal, ...options }, (res) => {
      res.on("data", (chunk: Buffer) => {
        if (kept >= maxBodyBytes) return;
        const part = chunk.subarray(0, maxBodyBytes - kept);
        chunks.push(part);
        kept += part.length;
      });
      res.on("error", (e) => finish({ error: failure(e) }));
      res.on("end", () => {
        // A forward proxy answering 407 itself: its credentials are missing, the index was never asked.
        if (forwardProxy && res.statusCode === 407)
          return finish({
            error: {
              kind: "proxy",
              code: PROXY_CODES.auth,
              message: `proxy ${describeProxy(forwardProxy)} answered 407 Proxy Authentication Required`,
            },
          });
        const a: Omit<ProbeAnswer, "path" | "ms"> = { status: res.statusCode ?? 0 };
        const www = res.headers["www-authenticate"];
        if (www) a.wwwAuthenticate = Array.isArray(www) ? www.join(", ") : www;
        if (res.headers.location) a.location = stripUserinfo(res.headers.location);
        finish(a);
      });
    });
    const timer = setTimeout(() => {
      r.destroy(Object.assign(new Error(`no answer within ${req.timeoutMs} ms`), { code: "ETIMEDOUT" }));
    }, req.timeoutMs);
    r.on("error", (e) => finish({ error: failure(e) }));
    r.end();
  });
}
