/**
 * The "Authentication failures" playbook as checks over the index probe (FACTS.md §5): pypiserver answers
 * 401 + `WWW-Authenticate: Basic` without credentials, 403 for wrong ones, 200 for right ones; `/health`
 * never asks. So 401-with-credentials means they never arrived intact, 403 means they are wrong or stale.
 */
import { NON_ASCII_REASON } from "../../creds/latin1.js";
import { defineCheck, limitRef, renderMessage, type Verdict } from "../model.js";
import { read, sourceKey } from "../../sources/model.js";
import type { IndexProbe } from "../../sources/http/index-probe.js";
import { probeFailureKind, type ProbeAnswer } from "../../sources/http/request.js";
import { AUTH_CREDENTIALS_ACCEPTED, AUTH_HEALTH_ENDPOINT, AUTH_INDEX_PROTECTED } from "./thresholds.js";

export const INDEX_PROBE_KEY = sourceKey<IndexProbe>("http.index-probe");

const ERROR_NAMES: Record<string, string> = {
  timeout: "timed out",
  tls: "TLS handshake failed",
  proxy: "the proxy failed",
  refused: "connection refused",
  dns: "host name not found (DNS)",
  reset: "connection reset",
  other: "request failed",
};

/** Hints of the failures every probe check shares: unreachable, too slow, 5xx (FACTS.md §3–4 for the causes). */
const FAILURE_HINTS = {
  tls: "Check the certificate (ACM) covers the host name and the URL uses the name the certificate was issued for.",
  // TLS and proxy failures name the setting that fixes them, as pip reads it (src/sources/net/pip-ca.ts).
  "tls-untrusted":
    "The index's certificate is signed by a CA this machine does not trust (a private CA, or a TLS-intercepting proxy's): set PIP_CERT or REQUESTS_CA_BUNDLE to a PEM file holding that CA (or `cert =` in pip.conf), as pip reads them; NODE_EXTRA_CA_CERTS adds it to node's own trust store instead.",
  "tls-bundle":
    "The CA bundle in use, {{ca}}, does not hold the CA that signed the index's certificate: add that CA to the file.",
  "tls-hostname-proxy": "If a proxy intercepts TLS for the index, exempt its host with NO_PROXY.",
  "tls-expired":
    "The certificate has expired or is not valid yet: renew it (an intercepting proxy's is the proxy's to renew), and check this machine's clock.",
  "proxy-unreachable":
    "The proxy could not be reached: check that HTTPS_PROXY (HTTP_PROXY for an http:// index) names a running proxy, or exempt the index host with NO_PROXY to connect directly.",
  "proxy-auth":
    "The proxy wants credentials (407): put them in HTTPS_PROXY as http://USER:PASSWORD@proxy:port, percent-encoded.",
  "proxy-refused":
    "The proxy refused to open a tunnel to the index: ask for the host and port to be allowed, or exempt the host with NO_PROXY if it is reachable directly.",
  proxy: "The proxy failed: check HTTPS_PROXY (HTTP_PROXY for an http:// index) and NO_PROXY.",
  timeout:
    "Check the ALB's security group allows you, and that targets are healthy: `pypictl doctor --only alb`.",
  unreachable: "Check the URL (`--url`, or the stack output IndexUrl) and that the load balancer exists.",
  "too-slow": "Find why the listing is slow: `pypictl doctor --only slow-listing`.",
  "502":
    "502 from the ALB: the target closed the connection. A documented cause is a back-end keep-alive shorter than the ALB idle timeout (60 s by default; gunicorn's default is 2 s): `pypictl doctor --only alb.idle-timeout`.",
  "502-oom": "Look for OOM-killed tasks: `pypictl doctor --only oom`.",
  "503": "503 from the ALB: no healthy targets: `pypictl doctor --only alb.target-health,ecs.running-tasks`.",
  "504":
    "504 from the ALB: the target did not answer in time (EFS, package count, CPU): `pypictl doctor --only slow-listing`.",
  "5xx":
    "The server failed the request: read the container logs (CloudWatch Logs, the service's log group) around this time.",
};

/** 5xx by code, with the likely cause in this stack. */
function serverErrorHints(status: number): string[] {
  if (status === 502) return [FAILURE_HINTS["502"], FAILURE_HINTS["502-oom"]];
  if (status === 503) return [FAILURE_HINTS["503"]];
  if (status === 504) return [FAILURE_HINTS["504"]];
  return [FAILURE_HINTS["5xx"]];
}

/** TLS and proxy failures: the hint that names what to set. */
function networkHints(error: NonNullable<ProbeAnswer["error"]>): string[] {
  switch (probeFailureKind(error)) {
    case "tls-untrusted":
      return [
        error.ca
          ? renderMessage(FAILURE_HINTS["tls-bundle"], { ca: error.ca })
          : FAILURE_HINTS["tls-untrusted"],
      ];
    case "tls-hostname":
      return [FAILURE_HINTS.tls, FAILURE_HINTS["tls-hostname-proxy"]];
    case "tls-expired":
      return [FAILURE_HINTS["tls-expired"]];
    case "tls":
      return [FAILURE_HINTS.tls];
    case "proxy-unreachable":
      return [FAILURE_HINTS["proxy-unreachable"]];
    case "proxy-auth":
      return [FAILURE_HINTS["proxy-auth"]];
    case "proxy-refused":
      return [FAILURE_HINTS["proxy-refused"]];
    case "proxy":
      return [FAILURE_HINTS.proxy];
    default:
      return [];
  }
}

function failureVerdict(
  a: ProbeAnswer,
  what: string,
  limitSeconds: number,
): Verdict<keyof typeof COMMON_MESSAGES, "timeoutSeconds"> | undefined {
  if (a.error) {
    const hints: string[] = [];
    hints.push(...networkHints(a.error));
    if (a.error.kind === "timeout") hints.push(FAILURE_HINTS.timeout);
    if (a.error.kind === "refused" || a.error.kind === "dns") hints.push(FAILURE_HINTS.unreachable);
    return {
      status: "fail",
      messageId: "unreachable",
      data: {
        what,
        path: a.path,
        cause: ERROR_NAMES[a.error.kind] ?? a.error.kind,
        code: a.error.code ?? a.error.kind,
        ms: a.ms,
      },
      observed: { value: a.ms / 1000, unit: "s" },
      hints,
    };
  }
  if (a.ms > limitSeconds * 1000)
    return {
      status: "fail",
      messageId: "too-slow",
      data: { what, path: a.path, seconds: a.ms / 1000, limit: limitSeconds },
      observed: { value: a.ms / 1000, unit: "s" },
      threshold: { name: "timeoutSeconds", value: limitSeconds, unit: "s" },
      hints: [FAILURE_HINTS["too-slow"]],
    };
  if (a.status !== undefined && a.status >= 500)
    return {
      status: "fail",
      messageId: "server-error",
      data: { what, path: a.path, status: a.status },
      hints: serverErrorHints(a.status),
    };
  return undefined;
}

const COMMON_MESSAGES = {
  unreachable: "{{what}}: GET {{path}} failed: {{cause}} ({{code}}) after {{ms}} ms",
  "too-slow": "{{what}}: GET {{path}} took {{seconds}} s (limit {{limit}} s)",
  "server-error": "{{what}}: GET {{path}} answered {{status}} (server error)",
};

const ROLL_HINTS = {
  rewrite:
    "Get the current password from the secret and write it into your client config: `pypictl creds --format pip.conf --write` (or `--format` env, pypirc, netrc, uv).",
  "roll-tasks":
    "If the secret was rotated, the servers may still hold the old password. pypictl stack (tasks read the secret at start): roll the tasks: `aws ecs update-service --cluster {{cluster}} --service {{service}} --force-new-deployment`.",
  "refresh-instances":
    "Terraform module (cloud-init writes /etc/htpasswd at boot, bind-mounted into the container): replace the instances: `aws autoscaling start-instance-refresh --auto-scaling-group-name {{asg}}`.",
};

function rollHints(p: IndexProbe): string[] {
  const data = {
    cluster: p.fleet.cluster ?? "<cluster>",
    service: p.fleet.service ?? "<service>",
    asg: p.fleet.autoScalingGroup ?? "<asg_name>",
  };
  return [
    ROLL_HINTS.rewrite,
    renderMessage(ROLL_HINTS["roll-tasks"], data),
    renderMessage(ROLL_HINTS["refresh-instances"], data),
  ];
}

const protectedHints = {
  ...FAILURE_HINTS,
  "in-url":
    "Put the credentials in the URL so pip sends them without waiting for a challenge: `pypictl creds --format env`.",
  authenticate:
    "Run pypiserver with `--authenticate download,list,update` and `-P <htpasswd>` (both the pypictl stack and the Terraform module do by default: check the task definition's command).",
  "restrict-alb":
    "Anyone who can reach the load balancer can read every package until then: restrict the ALB security group.",
  waf: "Check WAF rules or proxies in front of the ALB.",
  redirect:
    "Use the final URL (often https://) with `--url` and in client config: pip does not resend credentials across a redirect to another host.",
};

export const authIndexProtected = defineCheck({
  id: "auth.index-protected",
  title: "Index asks for credentials",
  description:
    "GET <url>/simple/ without credentials must be 401 with `WWW-Authenticate: Basic` (pypiserver --authenticate download,list,update). A 200 means anyone can list and download the packages.",
  playbooks: ["auth"],
  needs: [INDEX_PROBE_KEY.id],
  scope: "fleet",
  thresholds: AUTH_INDEX_PROTECTED,
  hints: protectedHints,
  messages: {
    ...COMMON_MESSAGES,
    protected: "GET /simple/ without credentials: 401 with {{challenge}} in {{ms}} ms",
    open: "GET /simple/ without credentials answered 200: the index is open to anyone",
    "no-challenge":
      "GET /simple/ without credentials: 401 but no WWW-Authenticate: Basic header, so clients relying on a challenge (netrc, keyring) never send credentials",
    forbidden:
      "GET /simple/ without credentials answered 403, not 401: something in front of pypiserver (WAF, proxy) refuses before pypiserver can challenge",
    redirect: "GET /simple/ without credentials answered {{status}} to {{location}}",
    unexpected: "GET /simple/ without credentials answered {{status}}",
  },
  evaluate({ evidence, limits }) {
    const p = read(evidence, INDEX_PROBE_KEY);
    if (!p?.ok) return { status: "error", messageId: "source-missing", data: { source: INDEX_PROBE_KEY.id } };
    const a = p.value.anonymous;
    const bad = failureVerdict(a, "anonymous", limits.timeoutSeconds);
    if (bad) return bad;
    const observed = { value: a.ms, unit: "ms" };
    if (a.status === 401) {
      if (a.wwwAuthenticate && /^\s*basic\b/i.test(a.wwwAuthenticate))
        return {
          status: "pass",
          messageId: "protected",
          data: { challenge: a.wwwAuthenticate, ms: a.ms },
          observed,
        };
      return {
        status: "warn",
        messageId: "no-challenge",
        data: { ms: a.ms },
        observed,
        hints: [protectedHints["in-url"]],
      };
    }
    if (a.status === 200)
      return {
        status: "fail",
        messageId: "open",
        data: { ms: a.ms },
        observed,
        hints: [protectedHints.authenticate, protectedHints["restrict-alb"]],
      };
    if (a.status === 403)
      return { status: "warn", messageId: "forbidden", data: {}, observed, hints: [protectedHints.waf] };
    if (a.status !== undefined && a.status >= 300 && a.status < 400)
      return {
        status: "warn",
        messageId: "redirect",
        data: { status: a.status, location: a.location ?? "(no Location)" },
        observed,
        hints: [protectedHints.redirect],
      };
    return { status: "warn", messageId: "unexpected", data: { status: a.status ?? 0 }, observed };
  },
});

/** Where the tried credentials came from, in words ("settings" is the CLI's name, not the user's). */
function credentialsFrom(from: string): string {
  return from === "secret" ? "the credentials from the fleet's secret" : "these credentials";
}

const acceptedHints = {
  ...FAILURE_HINTS,
  ...ROLL_HINTS,
  "read-secret":
    "Grant secretsmanager:GetSecretValue on the secret (and kms:Decrypt on its key), or name the secret's JSON keys: `pypictl creds --check --username-key <key> --password-key <key>`.",
  bcrypt:
    "Each protected request verifies the bcrypt hash (cost 12 ≈ 175 ms, cost 5 ≈ 2 ms): write the htpasswd entry with cost 5 (`htpasswd -B -C 5 <htpasswd-file> <user>`; pypictl's stack: `bcryptRounds`, `--bcrypt-rounds`, default 5).",
  "slow-listing":
    "Find what else slows the listing (package count, EFS): `pypictl doctor --only slow-listing`.",
  "ascii-secret":
    "Put an ASCII-only password in the fleet's secret (`aws secretsmanager put-secret-value --secret-id <secret-arn> --secret-string <json>`), then roll the tasks so the htpasswd is rebuilt (`aws ecs update-service --cluster <cluster> --service <service> --force-new-deployment`).",
  "ascii-rewrite":
    "Then rewrite client config: `pypictl creds --format pip.conf --write` (and `--format pypirc`).",
  encode:
    "In URLs (pip, uv, PIP_INDEX_URL, pip.conf) the password must be percent-encoded: `pypictl creds --format env` prints it encoded.",
  "final-url": "A proxy or redirect may drop the Authorization header: use the final https:// URL.",
};

export const authCredentialsAccepted = defineCheck({
  id: "auth.credentials-accepted",
  title: "Fleet credentials are accepted",
  description:
    "GET <url>/simple/ with the credentials from the fleet's secret must be 200. 401 means they did not arrive (not sent, or mangled — unencoded characters); 403 means they are wrong or stale (rotated secret, htpasswd not refreshed on the hosts).",
  playbooks: ["auth"],
  needs: [INDEX_PROBE_KEY.id],
  scope: "fleet",
  thresholds: AUTH_CREDENTIALS_ACCEPTED,
  hints: acceptedHints,
  messages: {
    ...COMMON_MESSAGES,
    accepted: "GET /simple/ with {{credentialsFrom}}: 200 in {{ms}} ms",
    slow: "GET /simple/ with credentials: 200 but took {{seconds}} s (above {{limit}} s)",
    "no-credentials": "No credentials to try: {{reason}}",
    "non-ascii":
      "GET /simple/ with {{credentialsFrom}}: 200 for pypictl's UTF-8 request, but the password has non-ASCII characters: {{reason}}",
    "credentials-unreadable": "Could not read the fleet's credentials: {{reason}}",
    "not-sent":
      "GET /simple/ with credentials answered 401: the credentials did not arrive (not sent, or mangled on the way)",
    rejected:
      "GET /simple/ with {{credentialsFrom}} answered 403: wrong user or password for the running servers",
    unexpected: "GET /simple/ with credentials answered {{status}}",
  },
  evaluate({ evidence, limits }) {
    const p = read(evidence, INDEX_PROBE_KEY);
    if (!p?.ok) return { status: "error", messageId: "source-missing", data: { source: INDEX_PROBE_KEY.id } };
    const v = p.value;
    const a = v.authenticated;
    if (!a) {
      if (v.credentials.from === "secret")
        return {
          status: "error",
          messageId: "credentials-unreadable",
          data: { reason: v.credentials.reason ?? "unknown" },
          hints: [acceptedHints["read-secret"]],
        };
      return {
        status: "skip",
        messageId: "no-credentials",
        data: { reason: v.credentials.reason ?? "none given" },
      };
    }
    const bad = failureVerdict(a, "with credentials", limits.timeoutSeconds);
    if (bad) return bad;
    const observed = { value: a.ms, unit: "ms" };
    if (a.status === 200) {
      if (a.ms > limits.slowSeconds * 1000)
        return {
          status: "warn",
          messageId: "slow",
          data: { seconds: a.ms / 1000, limit: limits.slowSeconds },
          observed: { value: a.ms / 1000, unit: "s" },
          threshold: limitRef(limits, "slowSeconds", "s"),
          hints: [acceptedHints.bcrypt, acceptedHints["slow-listing"]],
        };
      if (v.credentials.nonAscii)
        return {
          status: "fail",
          messageId: "non-ascii",
          data: { credentialsFrom: credentialsFrom(v.credentials.from), reason: NON_ASCII_REASON },
          observed,
          hints: [acceptedHints["ascii-secret"], acceptedHints["ascii-rewrite"]],
        };
      return {
        status: "pass",
        messageId: "accepted",
        data: { from: v.credentials.from, credentialsFrom: credentialsFrom(v.credentials.from), ms: a.ms },
        observed,
      };
    }
    if (a.status === 401)
      return {
        status: "fail",
        messageId: "not-sent",
        data: {},
        observed,
        hints: [acceptedHints.encode, acceptedHints["final-url"]],
      };
    if (a.status === 403)
      return {
        status: "fail",
        messageId: "rejected",
        data: { from: v.credentials.from, credentialsFrom: credentialsFrom(v.credentials.from) },
        observed,
        hints: rollHints(v),
      };
    return { status: "warn", messageId: "unexpected", data: { status: a.status ?? 0 }, observed };
  },
});

const healthHints = {
  ...FAILURE_HINTS,
  "no-auth":
    "Keep /health outside `--authenticate` and any proxy auth; the Terraform module's container check accepts 401, which hides a broken htpasswd.",
  path: "Point the ALB health check at the path pypiserver serves (its `--health-endpoint`, /health by default).",
};

export const authHealthEndpoint = defineCheck({
  id: "auth.health-endpoint",
  title: "/health answers without credentials",
  description:
    "pypiserver's /health never asks for credentials; load balancer and container health checks depend on that. 401/403 there means something in front adds auth.",
  playbooks: ["auth"],
  needs: [INDEX_PROBE_KEY.id],
  scope: "fleet",
  thresholds: AUTH_HEALTH_ENDPOINT,
  hints: healthHints,
  messages: {
    ...COMMON_MESSAGES,
    healthy: "GET /health: {{status}} in {{ms}} ms",
    "needs-auth": "GET /health answered {{status}}: health checks without credentials will fail",
    missing:
      "GET /health answered 404: this server has no health endpoint at /health (--health-endpoint changed?)",
    unexpected: "GET /health answered {{status}}",
  },
  evaluate({ evidence, limits }) {
    const p = read(evidence, INDEX_PROBE_KEY);
    if (!p?.ok) return { status: "error", messageId: "source-missing", data: { source: INDEX_PROBE_KEY.id } };
    const a = p.value.health;
    const bad = failureVerdict(a, "health", limits.timeoutSeconds);
    if (bad) return bad;
    const observed = { value: a.ms, unit: "ms" };
    if (a.status === 200)
      return { status: "pass", messageId: "healthy", data: { status: a.status, ms: a.ms }, observed };
    if (a.status === 401 || a.status === 403)
      return {
        status: "warn",
        messageId: "needs-auth",
        data: { status: a.status },
        observed,
        hints: [healthHints["no-auth"]],
      };
    if (a.status === 404)
      return { status: "warn", messageId: "missing", data: {}, observed, hints: [healthHints.path] };
    return { status: "warn", messageId: "unexpected", data: { status: a.status ?? 0 }, observed };
  },
});
