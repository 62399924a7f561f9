/**
 * A private CA made with `openssl` at test time, and HTTPS servers on 127.0.0.1 whose certificates it
 * signed — as a corporate CA or a TLS-intercepting proxy's would be: trusted by nothing until a setting
 * (AWS_CA_BUNDLE, PIP_CERT…) names the CA's file. Certificates: `good` for localhost, 127.0.0.1 and
 * *.pypictl.test (the LocalProxy's names), `wrongName` for another host only, `expired` (valid in 2020).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCa {
  dir: string;
  /** The CA certificate (PEM file): what a user puts in AWS_CA_BUNDLE / PIP_CERT. */
  caFile: string;
  /** Another CA's certificate: a bundle that does not hold the right CA. */
  otherCaFile: string;
  certs: Record<"good" | "wrongName" | "expired", { key: string; cert: string }>;
}

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

function makeCa(dir: string, name: string): void {
  openssl(
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.pem`,
      "-days",
      "2",
      "-subj",
      `/CN=pypictl test ${name}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ],
    dir,
  );
}

/** A leaf for `names` signed by the CA; `dates` (openssl ca's YYMMDDHHMMSSZ) for one outside now. */
function makeLeaf(dir: string, name: string, san: string, dates?: { start: string; end: string }): void {
  openssl(
    [
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.csr`,
      "-subj",
      `/CN=${name}`,
    ],
    dir,
  );
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\nbasicConstraints=CA:FALSE\n`);
  if (!dates) {
    openssl(
      [
        "x509",
        "-req",
        "-in",
        `${name}.csr`,
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        `${name}.pem`,
        "-days",
        "2",
        "-extfile",
        `${name}.ext`,
      ],
      dir,
    );
    return;
  }
  // `openssl x509` (3.0) cannot set dates in the past; `openssl ca` can.
  writeFileSync(join(dir, "index.txt"), "");
  writeFileSync(join(dir, "serial"), "1000\n");
  writeFileSync(
    join(dir, "ca.cnf"),
    [
      "[ca]",
      "default_ca = test",
      "[test]",
      `dir = ${dir}`,
      "database = $dir/index.txt",
      "new_certs_dir = $dir",
      "serial = $dir/serial",
      "default_md = sha256",
      "policy = any",
      "unique_subject = no",
      "[any]",
      "commonName = supplied",
      "",
    ].join("\n"),
  );
  openssl(
    [
      "ca",
      "-batch",
      "-config",
      "ca.cnf",
      "-cert",
      "ca.pem",
      "-keyfile",
      "ca.key",
      "-in",
      `${name}.csr`,
      "-out",
      `${name}.pem`,
      "-startdate",
      dates.start,
      "-enddate",
      dates.end,
      "-extfile",
      `${name}.ext`,
      "-notext",
    ],
    dir,
  );
}

export function makeTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), "pypictl-ca-"));
  makeCa(dir, "ca");
  makeCa(dir, "other");
  makeLeaf(dir, "good", "DNS:localhost,IP:127.0.0.1,DNS:*.pypictl.test");
  makeLeaf(dir, "wrongName", "DNS:elsewhere.example");
  makeLeaf(dir, "expired", "DNS:localhost,IP:127.0.0.1", { start: "200101000000Z", end: "200201000000Z" });
  const pair = (n: string) => ({
    key: readFileSync(join(dir, `${n}.key`), "utf8"),
    cert: readFileSync(join(dir, `${n}.pem`), "utf8"),
  });
  return {
    dir,
    caFile: join(dir, "ca.pem"),
    otherCaFile: join(dir, "other.pem"),
    certs: { good: pair("good"), wrongName: pair("wrongName"), expired: pair("expired") },
  };
}

/** An HTTPS server on 127.0.0.1 with one of the CA's certificates; `port` once listening. */
export async function tlsServer(
  cert: { key: string; cert: string },
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer({ key: cert.key, cert: cert.cert }, handler);
  server.on("tlsClientError", () => {});
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
