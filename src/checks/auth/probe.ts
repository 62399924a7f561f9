/**
 * The "Authentication failures" playbook as checks over the index probe (FACTS.md §5): pypiserver answers
 * 401 + `WWW-Authenticate: Basic` without credentials, 403 for wrong ones, 200 for right ones; `/health`
 * never asks. So 401-with-credentials means they never arrived intact, 403 means they are wrong or stale.
 */
import { NON_ASCII_REASON } from "../../creds/latin1.js";
import { defineCheck, type Verdict } from "../model.js";
import { read, sourceKey } from "../../sources/model.js";
import type { IndexProbe } from "../../sources/http/index-probe.js";
import type { ProbeAnswer } from "../../sources/http/request.js";
import { AUTH_CREDENTIALS_ACCEPTED, AUTH_HEALTH_ENDPOINT, AUTH_INDEX_PROTECTED } from "../thresholds/auth.js";

export const INDEX_PROBE_KEY = sourceKey<IndexProbe>("http.index-probe");

const ERROR_NAMES: Record<string, string> = {
  timeout: "timed out",
  tls: "TLS handshake failed",
  refused: "connection refused",
  dns: "host name not found (DNS)",
  reset: "connection reset",
  other: "request failed",
};

/** 5xx by code, with the likely cause in this stack (FACTS.md §3–4). */
function serverErrorHints(status: number): string[] {
  if (status === 502)
    return [
      "502 from the ALB: the target closed the connection. A documented cause is gunicorn's keep-alive (a few seconds) shorter than the ALB idle timeout (60 s): set gunicorn --keep-alive above the idle timeout.",
      "Look for OOM-killed tasks: pypictl doctor --only oom.",
    ];
  if (status === 503) return ["503 from the ALB: no healthy targets. pypictl doctor --only alb shows target health; check the ECS service's running count."];
  if (status === 504) return ["504 from the ALB: the target did not answer in time. pypictl doctor --only slow-listing (EFS, package count, CPU)."];
  return ["The server failed the request: read the container logs (CloudWatch Logs, the service's log group) around this time."];
}

function failureVerdict(a: ProbeAnswer, what: string, limitSeconds: number): Verdict | undefined {
  if (a.error) {
    const hints: string[] = [];
    if (a.error.kind === "tls") hints.push("Check the certificate (ACM) covers the host name and the URL uses the name the certificate was issued for.");
    if (a.error.kind === "timeout") hints.push("Check the ALB's security group allows you, and that targets are healthy: pypictl doctor --only alb.");
    if (a.error.kind === "refused" || a.error.kind === "dns") hints.push("Check the URL (--url or the stack output IndexUrl) and that the load balancer exists.");
    return {
      status: "fail",
      messageId: "unreachable",
      data: { what, path: a.path, cause: ERROR_NAMES[a.error.kind] ?? a.error.kind, code: a.error.code ?? a.error.kind, ms: a.ms },
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
      hints: ["pypictl doctor --only slow-listing looks at why the listing is slow."],
    };
  if (a.status !== undefined && a.status >= 500)
    return { status: "fail", messageId: "server-error", data: { what, path: a.path, status: a.status }, hints: serverErrorHints(a.status) };
  return undefined;
}

const COMMON_MESSAGES = {
  unreachable: "{{what}}: GET {{path}} failed: {{cause}} ({{code}}) after {{ms}} ms",
  "too-slow": "{{what}}: GET {{path}} took {{seconds}} s (limit {{limit}} s)",
  "server-error": "{{what}}: GET {{path}} answered {{status}} (server error)",
};

function rollHints(p: IndexProbe): string[] {
  const cluster = p.fleet.cluster ?? "<cluster>";
  const service = p.fleet.service ?? "<service>";
  const asg = p.fleet.autoScalingGroup ?? "<asg_name>";
  return [
    "Get the current password from the secret and write it into your client config: pypictl creds --format pip.conf --write (or env, pypirc, netrc, uv).",
    `If the secret was rotated, the servers may still hold the old password. pypictl stack (tasks read the secret at start): roll the tasks — aws ecs update-service --cluster ${cluster} --service ${service} --force-new-deployment.`,
    `Terraform module (cloud-init writes /etc/htpasswd at boot, bind-mounted into the container): replace the instances — aws autoscaling start-instance-refresh --auto-scaling-group-name ${asg}.`,
  ];
}

export const authIndexProtected = defineCheck({
  id: "auth.index-protected",
  title: "Index asks for credentials",
  description:
    "GET <url>/simple/ without credentials must be 401 with `WWW-Authenticate: Basic` (pypiserver --authenticate download,list,update). A 200 means anyone can list and download the packages.",
  playbooks: ["auth"],
  needs: [INDEX_PROBE_KEY.id],
  scope: "fleet",
  thresholds: AUTH_INDEX_PROTECTED,
  messages: {
    ...COMMON_MESSAGES,
    protected: "GET /simple/ without credentials: 401 with {{challenge}} in {{ms}} ms",
    open: "GET /simple/ without credentials answered 200: the index is open to anyone",
    "no-challenge": "GET /simple/ without credentials: 401 but no WWW-Authenticate: Basic header, so clients relying on a challenge (netrc, keyring) never send credentials",
    forbidden: "GET /simple/ without credentials answered 403, not 401: something in front of pypiserver (WAF, proxy) refuses before pypiserver can challenge",
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
        return { status: "pass", messageId: "protected", data: { challenge: a.wwwAuthenticate, ms: a.ms }, observed };
      return {
        status: "warn",
        messageId: "no-challenge",
        data: { ms: a.ms },
        observed,
        hints: ["Put the credentials in the URL (pypictl creds --format env) so pip sends them without waiting for a challenge."],
      };
    }
    if (a.status === 200)
      return {
        status: "fail",
        messageId: "open",
        data: { ms: a.ms },
        observed,
        hints: [
          "Run pypiserver with --authenticate download,list,update and -P <htpasswd> (both the pypictl stack and the Terraform module do by default: check the task definition's command).",
          "Anyone who can reach the load balancer can read every package until then: restrict the ALB security group.",
        ],
      };
    if (a.status === 403)
      return { status: "warn", messageId: "forbidden", data: {}, observed, hints: ["Check WAF rules or proxies in front of the ALB."] };
    if (a.status !== undefined && a.status >= 300 && a.status < 400)
      return {
        status: "warn",
        messageId: "redirect",
        data: { status: a.status, location: a.location ?? "(no Location)" },
        observed,
        hints: ["Use the final URL (often https://) with --url and in client config: pip does not resend credentials across a redirect to another host."],
      };
    return { status: "warn", messageId: "unexpected", data: { status: a.status ?? 0 }, observed };
  },
});

/** Where the tried credentials came from, in words ("settings" is the CLI's name, not the user's). */
function credentialsFrom(from: string): string {
  return from === "secret" ? "the credentials from the fleet's secret" : "these credentials";
}

export const authCredentialsAccepted = defineCheck({
  id: "auth.credentials-accepted",
  title: "Fleet credentials are accepted",
  description:
    "GET <url>/simple/ with the credentials from the fleet's secret must be 200. 401 means they did not arrive (not sent, or mangled — unencoded characters); 403 means they are wrong or stale (rotated secret, htpasswd not refreshed on the hosts).",
  playbooks: ["auth"],
  needs: [INDEX_PROBE_KEY.id],
  scope: "fleet",
  thresholds: AUTH_CREDENTIALS_ACCEPTED,
  messages: {
    ...COMMON_MESSAGES,
    accepted: "GET /simple/ with {{credentialsFrom}}: 200 in {{ms}} ms",
    slow: "GET /simple/ with credentials: 200 but took {{seconds}} s (above {{limit}} s)",
    "no-credentials": "No credentials to try: {{reason}}",
    "non-ascii": "GET /simple/ with {{credentialsFrom}}: 200 for pypictl's UTF-8 request, but the password has non-ASCII characters: {{reason}}",
    "credentials-unreadable": "Could not read the fleet's credentials: {{reason}}",
    "not-sent": "GET /simple/ with credentials answered 401: the credentials did not arrive (not sent, or mangled on the way)",
    rejected: "GET /simple/ with {{credentialsFrom}} answered 403: wrong user or password for the running servers",
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
          hints: ["Grant secretsmanager:GetSecretValue on the secret (and kms:Decrypt on its key), or check --username-key/--password-key."],
        };
      return { status: "skip", messageId: "no-credentials", data: { reason: v.credentials.reason ?? "none given" } };
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
          threshold: { name: "slowSeconds", value: limits.slowSeconds, unit: "s" },
          hints: [
            "Each protected request verifies the bcrypt hash (cost 12 ≈ 175 ms): write the htpasswd with a lower cost (htpasswd -B -C 5).",
            "pypictl doctor --only slow-listing looks at the package count and EFS.",
          ],
        };
      if (v.credentials.nonAscii)
        return {
          status: "fail",
          messageId: "non-ascii",
          data: { credentialsFrom: credentialsFrom(v.credentials.from), reason: NON_ASCII_REASON },
          observed,
          hints: [
            "Put an ASCII-only password in the fleet's secret (aws secretsmanager put-secret-value), then roll the tasks so the htpasswd is rebuilt (aws ecs update-service --force-new-deployment).",
            "Then rewrite client config: pypictl creds --format pip.conf --write (and pypirc).",
          ],
        };
      return { status: "pass", messageId: "accepted", data: { from: v.credentials.from, credentialsFrom: credentialsFrom(v.credentials.from), ms: a.ms }, observed };
    }
    if (a.status === 401)
      return {
        status: "fail",
        messageId: "not-sent",
        data: {},
        observed,
        hints: [
          "In URLs (pip, uv, PIP_INDEX_URL, pip.conf) the password must be percent-encoded: pypictl creds --format env prints it encoded.",
          "A proxy or redirect may drop the Authorization header: use the final https:// URL.",
        ],
      };
    if (a.status === 403)
      return { status: "fail", messageId: "rejected", data: { from: v.credentials.from, credentialsFrom: credentialsFrom(v.credentials.from) }, observed, hints: rollHints(v) };
    return { status: "warn", messageId: "unexpected", data: { status: a.status ?? 0 }, observed };
  },
});

export const authHealthEndpoint = defineCheck({
  id: "auth.health-endpoint",
  title: "/health answers without credentials",
  description:
    "pypiserver's /health never asks for credentials; load balancer and container health checks depend on that. 401/403 there means something in front adds auth.",
  playbooks: ["auth"],
  needs: [INDEX_PROBE_KEY.id],
  scope: "fleet",
  thresholds: AUTH_HEALTH_ENDPOINT,
  messages: {
    ...COMMON_MESSAGES,
    healthy: "GET /health: {{status}} in {{ms}} ms",
    "needs-auth": "GET /health answered {{status}}: health checks without credentials will fail",
    missing: "GET /health answered 404: this server has no health endpoint at /health (--health-endpoint changed?)",
    unexpected: "GET /health answered {{status}}",
  },
  evaluate({ evidence, limits }) {
    const p = read(evidence, INDEX_PROBE_KEY);
    if (!p?.ok) return { status: "error", messageId: "source-missing", data: { source: INDEX_PROBE_KEY.id } };
    const a = p.value.health;
    const bad = failureVerdict(a, "health", limits.timeoutSeconds);
    if (bad) return bad;
    const observed = { value: a.ms, unit: "ms" };
    if (a.status === 200) return { status: "pass", messageId: "healthy", data: { status: a.status, ms: a.ms }, observed };
    if (a.status === 401 || a.status === 403)
      return {
        status: "warn",
        messageId: "needs-auth",
        data: { status: a.status },
        observed,
        hints: ["Keep /health outside --authenticate and any proxy auth; the Terraform module's container check accepts 401, which hides a broken htpasswd."],
      };
    if (a.status === 404) return { status: "warn", messageId: "missing", data: {}, observed, hints: ["Point the ALB health check at the path pypiserver serves (--health-endpoint)."] };
    return { status: "warn", messageId: "unexpected", data: { status: a.status ?? 0 }, observed };
  },
});
