/**
 * The user's own client configuration compared with the fleet's credentials (the comparison happens in the
 * client.config source; the evidence holds only verdicts): stale password, unencoded reserved characters,
 * `%%` in pip.conf, a password encoded where the client wants it raw, twine pointed at /simple/ (405).
 */
import { defineCheck, renderMessage, worst, type ResourceResult, type Status } from "../model.js";
import { read, sourceKey } from "../../sources/model.js";
import type { ClientConfig, ClientEntry, ClientProblem } from "../../sources/client/config.js";
import { AUTH_CLIENT_CONFIG } from "./thresholds.js";
import { NON_ASCII_REASON } from "../../creds/latin1.js";

export const CLIENT_CONFIG_KEY = sourceKey<ClientConfig>("client.config");

const FORMAT_FOR: Record<ClientEntry["client"], string> = {
  pip: "pip.conf",
  twine: "pypirc",
  uv: "uv",
  netrc: "netrc",
};

export const PROBLEM_TEXT: Record<ClientProblem, string> = {
  "unencoded-reserved":
    "reserved characters (@ : / # ? %) left unencoded in the URL's password: pip fails before sending anything ('Port could not be cast to integer value') or sends a different password",
  "invalid-percent": "a '%' in the URL's password is not followed by two hex digits: it must be written %25",
  "double-percent":
    "'%%' in the URL: pip reads pip.conf without interpolation, so %% stays %% and the server answers 403; write % once",
  "upload-url-simple":
    "the upload URL ends in /simple/: pypiserver answers 405; twine and uv publish want the server root",
  "encoded-password":
    "the password is percent-encoded where the client takes it raw (.pypirc, TWINE_PASSWORD, .netrc): the server answers 403",
  "stale-password":
    "the password differs from the fleet's current secret (stale or rotated): the server answers 403",
  "wrong-username": "the username differs from the fleet's secret",
  "non-ascii-password": `the password has non-ASCII characters: ${NON_ASCII_REASON}`,
  unparseable: "the file could not be parsed",
};

/** Fixes by problem; `{{format}}` is the creds format for the client, `{{where}}` the setting's place. */
const FIXES = {
  "non-ascii":
    "use an ASCII-only password: put a new value in the fleet's secret, roll the tasks (`aws ecs update-service --cluster <cluster> --service <service> --force-new-deployment`), then rewrite this setting with `pypictl creds --format {{format}}`",
  "upload-url": "set the repository URL to the server root: `pypictl creds --format {{format}}`",
  "re-export": 're-export it: `eval "$(pypictl creds --format {{format}})"`',
  rewrite:
    "rewrite it: `pypictl creds --format {{format}} --write --path <that-file>` (keeps the rest of the file, makes a backup)",
};

function fixFor(e: ClientEntry, problems: readonly ClientProblem[]): string {
  const format = FORMAT_FOR[e.client];
  if (problems.includes("non-ascii-password")) return renderMessage(FIXES["non-ascii"], { format });
  if (problems.includes("upload-url-simple") && problems.length === 1)
    return renderMessage(FIXES["upload-url"], { format });
  if (e.where.startsWith("env "))
    return renderMessage(FIXES["re-export"], { format: e.client === "uv" ? "uv-env" : "env" });
  return renderMessage(FIXES.rewrite, { format });
}

const clientConfigHints = {
  "write-config":
    "Write working config for this fleet: `pypictl creds --format pip.conf --write` (or `--format` env, pypirc, netrc, uv).",
  ...Object.fromEntries(Object.entries(FIXES).map(([id, fix]) => [id, `{{where}}: ${fix}`])),
  "servers-too":
    "If the secret is newer than the servers' htpasswd, the servers need it too: see auth.credentials-accepted's hints.",
};

export const authClientConfig = defineCheck({
  id: "auth.client-config",
  title: "Your client config matches the fleet",
  description:
    "Reads PIP_INDEX_URL, pip.conf (PIP_CONFIG_FILE, user, global, site), .pypirc and TWINE_*, .netrc and uv settings, and compares what points at the index with the fleet's credentials without printing either: stale password, unencoded reserved characters, %% in pip.conf, encoded password where a client wants it raw, twine URL ending in /simple/.",
  playbooks: ["auth", "upload"],
  needs: [CLIENT_CONFIG_KEY.id],
  scope: "client",
  thresholds: AUTH_CLIENT_CONFIG,
  hints: clientConfigHints,
  messages: {
    none: "No pip, twine, netrc or uv setting points at {{host}}",
    "none-local": "No pip, twine, netrc or uv setting with credentials found",
    ok: "{{count}} client setting(s) for {{host}} look right{{compared}}",
    problems: "{{bad}} of {{count}} client setting(s) for {{host}} will fail: {{summary}}",
  },
  evaluate({ evidence }) {
    const r = read(evidence, CLIENT_CONFIG_KEY);
    if (!r?.ok)
      return { status: "error", messageId: "source-missing", data: { source: CLIENT_CONFIG_KEY.id } };
    const c = r.value;
    const host = c.fleetHost ?? "any index";
    const relevant = c.entries.filter((e) =>
      c.fleetHost ? e.forFleet === true : e.hasCredentials || e.problems.length > 0,
    );
    if (relevant.length === 0)
      return {
        status: "skip",
        messageId: c.fleetHost ? "none" : "none-local",
        data: { host },
        hints: c.fleetHost ? [clientConfigHints["write-config"]!] : [],
      };
    const resources: ResourceResult[] = relevant.map((e) => {
      const status: Status =
        e.problems.length === 0 ? "pass" : e.role === "install" && e.effective === false ? "warn" : "fail";
      const what = e.problems.map((p) => PROBLEM_TEXT[p]).join("; ");
      const note =
        e.role === "install" && e.effective === false
          ? " (shadowed: pip uses a setting of higher precedence)"
          : "";
      return {
        id: e.where,
        status,
        message: e.problems.length
          ? `${what}${note} — fix: ${fixFor(e, e.problems)}`
          : `ok${e.passwordMatches ? " (matches the fleet's credentials)" : ""}`,
      };
    });
    const bad = resources.filter((x) => x.status !== "pass");
    const compared =
      c.fleetCredentials === "found"
        ? ", compared with the fleet's secret"
        : c.fleetCredentials === "unreadable"
          ? " (the fleet's secret could not be read: passwords not compared)"
          : "";
    if (bad.length === 0)
      return { status: "pass", messageId: "ok", data: { count: relevant.length, host, compared }, resources };
    const problems = [...new Set(relevant.flatMap((e) => e.problems))];
    const hints = [
      ...new Set(
        relevant.filter((e) => e.problems.length).map((e) => `${e.where}: ${fixFor(e, e.problems)}`),
      ),
    ];
    if (problems.includes("stale-password")) hints.push(clientConfigHints["servers-too"]!);
    return {
      status: worst(resources.map((x) => x.status)),
      messageId: "problems",
      data: { bad: bad.length, count: relevant.length, host, summary: problems.join(", "), problems },
      hints,
      resources,
    };
  },
});
