/**
 * TLS and proxy failures in words, with the setting that fixes each — for the AWS calls (the aws CLI's
 * variables) and for the index probe (pip's). Node names TLS failures by OpenSSL's verify codes
 * (X509_V_ERR_* without the prefix: `openssl verify` manual, "Diagnostics") and by its own
 * ERR_TLS_CERT_ALTNAME_INVALID for a name the certificate does not cover (tls.checkServerIdentity); proxy
 * failures carry PROXY_CODES (src/sources/net/proxy.ts).
 */
import { PROXY_CODES } from "./proxy.js";

export type NetFailureKind =
  | "tls-untrusted"
  | "tls-hostname"
  | "tls-expired"
  | "tls"
  | "proxy-unreachable"
  | "proxy-auth"
  | "proxy-refused"
  | "proxy";

export interface NetFailure {
  kind: NetFailureKind;
  /** The code as node or the proxy layer gave it (SELF_SIGNED_CERT_IN_CHAIN, EPROXY_AUTH…). */
  code: string;
  /** What happened, in words: "the certificate is signed by a CA this machine does not trust". */
  what: string;
}

/** The certificate chain ends at a CA that is not trusted (a private or intercepting proxy's CA). */
const UNTRUSTED = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_UNTRUSTED",
  "CERT_CHAIN_TOO_LONG",
]);
const EXPIRED = new Set(["CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID"]);
const OTHER_TLS = /^(CERT_|ERR_TLS_|ERR_SSL_|ERR_CERT|UNABLE_TO_|INVALID_CA|HOSTNAME_MISMATCH)/;

/** A TLS or proxy failure named, or undefined for anything else (DNS, refused, timeout…). */
export function netFailure(e: unknown): NetFailure | undefined {
  const err = e as { code?: unknown; reason?: unknown; message?: unknown } | undefined;
  const code = typeof err?.code === "string" ? err.code : "";
  if (!code) return undefined;
  if (UNTRUSTED.has(code))
    return {
      kind: "tls-untrusted",
      code,
      what: "TLS: the certificate is signed by a CA this machine does not trust",
    };
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID" || code === "HOSTNAME_MISMATCH")
    return { kind: "tls-hostname", code, what: "TLS: the certificate is not for this host name" };
  if (EXPIRED.has(code))
    return {
      kind: "tls-expired",
      code,
      what:
        code === "CERT_HAS_EXPIRED"
          ? "TLS: the certificate has expired"
          : "TLS: the certificate is not valid yet (check this machine's clock)",
    };
  if (OTHER_TLS.test(code)) return { kind: "tls", code, what: "TLS handshake failed" };
  if (code === PROXY_CODES.unreachable)
    return {
      kind: "proxy-unreachable",
      code: typeof err?.reason === "string" ? `${code} ${err.reason}` : code,
      what: "the proxy could not be reached",
    };
  if (code === PROXY_CODES.auth)
    return { kind: "proxy-auth", code, what: "the proxy wants credentials (407)" };
  if (code === PROXY_CODES.refused)
    return { kind: "proxy-refused", code, what: "the proxy refused to open the tunnel (CONNECT)" };
  if (code === PROXY_CODES.other) return { kind: "proxy", code, what: "the proxy failed" };
  return undefined;
}

/** Who is calling: the settings that fix a failure differ (the aws CLI's variables, pip's). */
export type NetClient = "aws" | "index";

/** The CA settings each client reads, in the order they win (src/sources/net/aws-ca.ts, pip-ca.ts). */
export const CA_SETTINGS: Record<NetClient, string> = {
  aws: "AWS_CA_BUNDLE (or ca_bundle in the AWS profile, as the aws CLI reads them)",
  index: "PIP_CERT or REQUESTS_CA_BUNDLE (or cert = in pip.conf, as pip reads them)",
};

/**
 * What to set, for a named failure. `caInUse`: the bundle this run used, if any ("AWS_CA_BUNDLE
 * (/etc/corp-ca.pem)") — then the fix is that file, not a new variable.
 */
export function netFailureFix(f: NetFailure, client: NetClient, caInUse?: string): string {
  const host = client === "aws" ? "the AWS endpoint" : "the index";
  const proxyVar = client === "aws" ? "HTTPS_PROXY" : "HTTPS_PROXY (HTTP_PROXY for an http:// index)";
  switch (f.kind) {
    case "tls-untrusted":
      return caInUse
        ? `the CA bundle in use, ${caInUse}, does not hold the CA that signed ${host}'s certificate (a TLS-intercepting proxy signs with its own): add that CA to the file`
        : `set ${CA_SETTINGS[client]} to a PEM file holding the CA that signed ${host}'s certificate (a TLS-intercepting proxy signs with its own), or NODE_EXTRA_CA_CERTS to add it to node's trust store`;
    case "tls-hostname":
      return client === "aws"
        ? "use the endpoint's own host name (AWS_ENDPOINT_URL*); if a proxy intercepts TLS for it, exempt the host with NO_PROXY"
        : "use the host name the certificate was issued for in the URL (--url, or the stack output IndexUrl); if a proxy intercepts TLS for it, exempt the host with NO_PROXY";
    case "tls-expired":
      return `renew ${host}'s certificate (or the intercepting proxy's), and check this machine's clock`;
    case "tls":
      return `check that ${host} speaks TLS on that port (an http:// URL for a plain-HTTP server), and ${CA_SETTINGS[client]}`;
    case "proxy-unreachable":
      return `check ${proxyVar} (host and port of a running proxy), or exempt the host with NO_PROXY to connect directly`;
    case "proxy-auth":
      return `put the proxy's user and password in ${proxyVar}: http://USER:PASSWORD@proxy:port (percent-encode special characters)`;
    case "proxy-refused":
      return `the proxy does not allow this host or port: ask for it to be allowed, or exempt the host with NO_PROXY if it is reachable directly`;
    case "proxy":
      return `check ${proxyVar} and NO_PROXY`;
  }
}

/** "TLS: … (SELF_SIGNED_CERT_IN_CHAIN): set AWS_CA_BUNDLE …" — one line for a message. */
export function describeNetFailure(f: NetFailure, client: NetClient, caInUse?: string): string {
  return `${f.what} (${f.code}): ${netFailureFix(f, client, caInUse)}`;
}
