/**
 * A small HTTP server on 127.0.0.1 that answers like pypiserver 2.4.1 run with
 * `--authenticate download,list,update` (FACTS.md §5):
 * - no credentials → 401 with `WWW-Authenticate: Basic realm="pypi"`; wrong ones → 403 without it;
 * - `/health` and `/` never ask for auth;
 * - PEP 503 `/simple/` and `/simple/<project>/` pages with sha256 fragments, files under `/packages/`;
 * - twine's multipart upload POSTed to the root (`:action=file_upload`); re-upload → 400; POST to /simple/ → 405.
 * Modes let tests play an open index, a 5xx, a slow answer.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createHash } from "node:crypto";
import type { AddressInfo } from "node:net";

export interface RequestLog {
  method: string;
  path: string;
  status: number;
  /** "none" | "ok" | "wrong": whether Basic credentials came and matched. Never the credentials. */
  auth: "none" | "ok" | "wrong";
}

export interface FakeOptions {
  username: string;
  password: string;
  /** Serve without auth (an index open to anyone). */
  open?: boolean;
  /** Answer every /simple/ request with this status (e.g. 502, 503). */
  simpleStatus?: number;
  /** Delay every /simple/ answer by this many ms. */
  delayMs?: number;
  /** /health asks for auth too (a misconfigured proxy). */
  healthNeedsAuth?: boolean;
}

export function normalizeName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

/** `demo_pkg-0.1.0-py3-none-any.whl` / `demo-pkg-0.1.0.tar.gz` → "demo-pkg". */
function projectOf(filename: string): string {
  const wheel = /^([^-]+)-[^-]+(-\d[^-]*)?-[^-]+-[^-]+-[^-]+\.whl$/.exec(filename);
  if (wheel) return normalizeName(wheel[1]!);
  const sdist = /^(.+)-[^-]+\.(?:tar\.gz|zip)$/.exec(filename);
  return normalizeName(sdist ? sdist[1]! : filename);
}

function parseMultipart(
  body: Buffer,
  contentType: string,
): Map<string, { value: Buffer; filename?: string }> {
  const m = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const fields = new Map<string, { value: Buffer; filename?: string }>();
  if (!m) return fields;
  const boundary = Buffer.from(`--${m[1] ?? m[2]}`);
  let pos = body.indexOf(boundary);
  while (pos >= 0) {
    const start = pos + boundary.length;
    if (body.subarray(start, start + 2).toString() === "--") break;
    const headerEnd = body.indexOf("\r\n\r\n", start);
    if (headerEnd < 0) break;
    const headers = body.subarray(start + 2, headerEnd).toString("utf8");
    const next = body.indexOf(boundary, headerEnd + 4);
    if (next < 0) break;
    const value = body.subarray(headerEnd + 4, next - 2);
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
    if (name !== undefined) fields.set(name, filename === undefined ? { value } : { value, filename });
    pos = next;
  }
  return fields;
}

export class FakePypiServer {
  readonly log: RequestLog[] = [];
  readonly files = new Map<string, Buffer>();
  private server: Server | undefined;
  port = 0;

  constructor(public opts: FakeOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  addFile(filename: string, content: Buffer): void {
    this.files.set(filename, content);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        void this.handle(req, res, Buffer.concat(chunks));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }

  private authOf(req: IncomingMessage): RequestLog["auth"] {
    const h = req.headers.authorization;
    if (!h || !/^Basic /i.test(h)) return "none";
    const decoded = Buffer.from(h.slice(6).trim(), "base64").toString("utf8");
    const i = decoded.indexOf(":");
    const user = i < 0 ? decoded : decoded.slice(0, i);
    const pass = i < 0 ? "" : decoded.slice(i + 1);
    return user === this.opts.username && pass === this.opts.password ? "ok" : "wrong";
  }

  private async handle(req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> {
    const path = decodeURIComponent((req.url ?? "/").split("?")[0]!);
    const method = req.method ?? "GET";
    const auth = this.authOf(req);
    const send = (status: number, text: string | Buffer, headers: Record<string, string> = {}) => {
      this.log.push({ method, path, status, auth });
      res.writeHead(status, { "content-type": "text/html; charset=utf-8", ...headers });
      res.end(text);
    };
    const protectedRoute =
      !(path === "/health" || (path === "/" && method === "GET")) ||
      (path === "/health" && this.opts.healthNeedsAuth === true);
    if (protectedRoute && !this.opts.open) {
      if (auth === "none") return send(401, "Unauthorized", { "www-authenticate": 'Basic realm="pypi"' });
      if (auth === "wrong") return send(403, "Forbidden");
    }
    if (path === "/health") return send(200, "Ok");
    if (path.startsWith("/simple")) {
      if (this.opts.delayMs) await new Promise((r) => setTimeout(r, this.opts.delayMs));
      if (this.opts.simpleStatus) return send(this.opts.simpleStatus, "Bad Gateway");
    }
    if (method === "POST") {
      if (path !== "/") return send(405, "Method Not Allowed");
      const fields = parseMultipart(body, req.headers["content-type"] ?? "");
      const action = fields.get(":action")?.value.toString();
      const content = fields.get("content");
      if (action !== "file_upload" || !content?.filename) return send(400, "Bad Request: not a file upload");
      if (this.files.has(content.filename)) return send(400, "Bad Request: file already exists");
      const digest = fields.get("sha256_digest")?.value.toString();
      if (digest && digest !== createHash("sha256").update(content.value).digest("hex"))
        return send(400, "Bad Request: digest mismatch");
      this.files.set(content.filename, content.value);
      return send(200, "");
    }
    if (path === "/")
      return send(
        200,
        `<html><body><h1>pypiserver</h1><p>This instance is serving ${this.files.size} packages.</p></body></html>`,
      );
    if (path === "/simple/" || path === "/simple") {
      const projects = [...new Set([...this.files.keys()].map(projectOf))].sort();
      return send(
        200,
        `<!DOCTYPE html><html><head><title>Simple Index</title></head><body>\n${projects.map((p) => `<a href="${p}/">${p}</a><br>`).join("\n")}\n</body></html>`,
      );
    }
    const proj = /^\/simple\/([^/]+)\/?$/.exec(path);
    if (proj) {
      const name = normalizeName(proj[1]!);
      const files = [...this.files.entries()].filter(([f]) => projectOf(f) === name);
      if (files.length === 0) return send(404, "Not Found");
      const links = files.map(
        ([f, c]) =>
          `<a href="../../packages/${f}#sha256=${createHash("sha256").update(c).digest("hex")}">${f}</a><br>`,
      );
      return send(
        200,
        `<!DOCTYPE html><html><head><title>Links for ${name}</title></head><body><h1>Links for ${name}</h1>\n${links.join("\n")}\n</body></html>`,
      );
    }
    const file = /^\/packages\/([^/]+)$/.exec(path);
    if (file && this.files.has(file[1]!))
      return send(200, this.files.get(file[1]!)!, { "content-type": "application/octet-stream" });
    return send(404, "Not Found");
  }
}
