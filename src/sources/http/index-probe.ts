/**
 * `http.index-probe`: what a client sees at the index. `/simple/` without credentials (pypiserver must
 * answer 401 with `WWW-Authenticate: Basic`), `/simple/` with the fleet's credentials (200), and `/health`
 * without credentials. Records status codes, timings and the challenge header; never the Authorization.
 */
import { hasNonAscii } from "../../creds/latin1.js";
import type { SourceDef } from "../context.js";
import { failed, ok } from "../model.js";
import { rootUrl } from "../../creds/encode.js";
import { credsSettings, fleetCredentials } from "./credentials.js";
import { probe, type ProbeAnswer } from "./request.js";
import { pipCaBundle } from "../net/pip-ca.js";
import type { CaBundle } from "../net/ca-bundle.js";

export const INDEX_PROBE = "http.index-probe";

export interface IndexProbe {
  /** Index root, no credentials. */
  url: string;
  /** nonAscii: the password has non-ASCII characters (pip and twine will fail: src/creds/latin1.ts). Never the value. */
  credentials: { found: boolean; from: "settings" | "secret" | "none"; reason?: string; nonAscii?: boolean };
  anonymous: ProbeAnswer;
  authenticated?: ProbeAnswer;
  health: ProbeAnswer;
  /** Names the hints use (roll tasks, refresh instances); empty when unknown. */
  fleet: { cluster?: string; service?: string; autoScalingGroup?: string };
}

export const DEFAULT_HTTP_TIMEOUT_MS = 15_000;

export const indexProbeSource: SourceDef<IndexProbe> = {
  id: INDEX_PROBE,
  title: "index probe (/simple/ with and without credentials, /health)",
  deadlineMs: 60_000,
  async gather(ctx) {
    const t = ctx.target;
    if (t.kind !== "fleet" || !t.url)
      return failed(
        "no-identity",
        "no index URL known: pass --url or --stack (stack output IndexUrl) or --terraform-outputs",
      );
    const root = rootUrl(t.url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1"));
    const timeoutMs = credsSettings(ctx.settings).httpTimeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
    // The CA pip would trust (PIP_CERT, REQUESTS_CA_BUNDLE, pip.conf `cert`): what pip sees is what we see.
    let ca: CaBundle | undefined;
    try {
      if (root.startsWith("https:")) ca = await pipCaBundle();
    } catch (e) {
      // pip fails the same way ("Could not find a suitable TLS CA certificate bundle"): nothing to probe.
      return failed("unreachable", `${(e as Error).message}: pip would fail to verify the index too`);
    }
    const base = { root, timeoutMs, signal: ctx.signal, ...(ca ? { ca } : {}) };
    // An answer that failed because the run's deadline aborted it says nothing about the index: the source
    // then ends as the deadline's timeout (the runner's words), never as the index failing. An answer that
    // failed before (refused, TLS) is evidence, kept when the deadline cuts only the credentials read.
    const answered = async (p: Promise<ProbeAnswer>): Promise<ProbeAnswer> => {
      const a = await p;
      if (a.error && ctx.signal.aborted) throw new Error(`${a.path}: cut by the deadline`);
      return a;
    };
    const [anonymous, health, creds] = await Promise.all([
      answered(probe({ ...base, path: "/simple/" })),
      answered(probe({ ...base, path: "/health" })),
      fleetCredentials(ctx),
    ]);
    const value: IndexProbe = {
      url: root,
      credentials: creds.found
        ? {
            found: true,
            from: creds.from,
            ...(hasNonAscii(creds.credentials.password) ? { nonAscii: true } : {}),
          }
        : { found: false, from: creds.from, reason: creds.reason },
      anonymous,
      health,
      fleet: {
        ...(t.cluster ? { cluster: t.cluster } : {}),
        ...(t.service ? { service: t.service } : {}),
        ...(t.autoScalingGroup ? { autoScalingGroup: t.autoScalingGroup } : {}),
      },
    };
    if (creds.found)
      value.authenticated = await answered(probe({ ...base, path: "/simple/", auth: creds.credentials }));
    return ok(value);
  },
};
