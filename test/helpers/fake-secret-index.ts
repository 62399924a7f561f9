/**
 * One loopback server playing both ends `pypictl creds` talks to: Secrets Manager's GetSecretValue
 * (awsJson1_1, as botocore's secretsmanager service-2.json defines it: POST /, X-Amz-Target
 * secretsmanager.GetSecretValue, answer {ARN, Name, VersionId, SecretString, CreatedDate}) and a
 * pypiserver index (/simple/ 401 with WWW-Authenticate without credentials, 403 with wrong ones, 200 with
 * the right ones; /health 200). http, or https with a given key and certificate.
 */
import {
  createServer as createHttp,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createHttps } from "node:https";
import type { AddressInfo } from "node:net";

export interface FakeCall {
  kind: "aws" | "index";
  path: string;
  /** The SigV4 credential scope's region (aws calls). */
  region?: string;
  host?: string;
}

export class FakeSecretIndex {
  readonly calls: FakeCall[] = [];
  private server: Server | undefined;
  port = 0;

  constructor(
    private readonly creds: { username: string; password: string },
    private readonly tls?: { key: string; cert: string },
  ) {}

  private handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const target = req.headers["x-amz-target"];
    if (req.method === "POST" && target === "secretsmanager.GetSecretValue") {
      const region = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(String(req.headers.authorization ?? ""))?.[1];
      this.calls.push({
        kind: "aws",
        path: req.url ?? "",
        ...(region ? { region } : {}),
        host: String(req.headers.host),
      });
      const id = (JSON.parse(body) as { SecretId: string }).SecretId;
      res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
      res.end(
        JSON.stringify({
          ARN: `arn:aws:secretsmanager:${region ?? "eu-west-1"}:123456789012:secret:${id}-AbCdEf`,
          Name: id,
          VersionId: "c3e7a1b2-0000-4000-8000-000000000001",
          SecretString: JSON.stringify(this.creds),
          VersionStages: ["AWSCURRENT"],
          CreatedDate: 1764000000.0,
        }),
      );
      return;
    }
    this.calls.push({ kind: "index", path: req.url ?? "", host: String(req.headers.host) });
    if (req.url === "/health") return void res.writeHead(200, { "content-type": "text/plain" }).end("OK");
    if (req.url === "/simple/") {
      const h = String(req.headers.authorization ?? "");
      if (!h.startsWith("Basic "))
        return void res.writeHead(401, { "www-authenticate": 'Basic realm="pypi"' }).end();
      const decoded = Buffer.from(h.slice(6), "base64").toString("utf8");
      const ok = decoded === `${this.creds.username}:${this.creds.password}`;
      return void res
        .writeHead(ok ? 200 : 403, { "content-type": "text/html" })
        .end(ok ? "<html><body></body></html>" : "");
    }
    res.writeHead(404).end();
  }

  async start(): Promise<this> {
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (c: string) => (body += c));
      req.on("end", () => this.handle(req, res, body));
    };
    this.server = this.tls ? createHttps(this.tls, onRequest) : createHttp(onRequest);
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}
