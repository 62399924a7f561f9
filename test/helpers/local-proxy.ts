/**
 * A tiny HTTP proxy on 127.0.0.1 for tests: CONNECT tunnels and forward (absolute-URI) requests, as squid
 * or a corporate proxy answers them. Host names under `.pypictl.test` are mapped to 127.0.0.1 by the proxy
 * (they resolve nowhere else), so a request that reaches its server proves it went through the proxy.
 * Optional Basic proxy auth (407 without it). Logs what it was asked, never credentials.
 */
import { createServer, request, type IncomingMessage, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";

export interface ProxyLog {
  method: string;
  /** CONNECT host:port, or the absolute URL of a forwarded request. */
  target: string;
  authorized: boolean;
}

export class LocalProxy {
  readonly log: ProxyLog[] = [];
  private server: Server | undefined;
  private sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly auth?: { user: string; password: string }) {}

  get url(): string {
    return this.auth
      ? `http://${encodeURIComponent(this.auth.user)}:${encodeURIComponent(this.auth.password)}@127.0.0.1:${this.port}`
      : `http://127.0.0.1:${this.port}`;
  }

  private authorized(req: IncomingMessage): boolean {
    if (!this.auth) return true;
    const h = req.headers["proxy-authorization"];
    return h === `Basic ${Buffer.from(`${this.auth.user}:${this.auth.password}`).toString("base64")}`;
  }

  private static mapHost(host: string): string {
    return host.endsWith(".pypictl.test") ? "127.0.0.1" : host;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const ok = this.authorized(req);
      this.log.push({ method: req.method ?? "", target: req.url ?? "", authorized: ok });
      if (!ok) {
        res.writeHead(407, { "proxy-authenticate": 'Basic realm="test"' }).end();
        return;
      }
      let u: URL;
      try {
        u = new URL(req.url ?? "");
      } catch {
        res.writeHead(400).end("absolute URI required");
        return;
      }
      const headers = { ...req.headers };
      delete headers["proxy-authorization"];
      const up = request(
        {
          hostname: LocalProxy.mapHost(u.hostname),
          port: u.port || 80,
          path: `${u.pathname}${u.search}`,
          method: req.method,
          headers,
        },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on("error", () => res.writeHead(502).end());
      req.pipe(up);
    });
    this.server.on("connection", (s) => {
      this.sockets.add(s);
      s.on("close", () => this.sockets.delete(s));
    });
    this.server.on("connect", (req, client: Socket, head: Buffer) => {
      const ok = this.authorized(req);
      this.log.push({ method: "CONNECT", target: req.url ?? "", authorized: ok });
      if (!ok) {
        client.end(
          'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n',
        );
        return;
      }
      const [host, port] = [
        (req.url ?? "").replace(/:\d+$/, ""),
        Number(/:(\d+)$/.exec(req.url ?? "")?.[1] ?? 443),
      ];
      const upstream = connect(port, LocalProxy.mapHost(host), () => {
        client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
        if (head.length) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      this.sockets.add(upstream);
      upstream.on("close", () => this.sockets.delete(upstream));
      upstream.on("error", () => client.destroy());
      client.on("error", () => upstream.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
