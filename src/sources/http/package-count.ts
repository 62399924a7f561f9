/**
 * `http.package-count`: how many package files the index serves, read from pypiserver's own front page.
 *
 * pypiserver answers `GET /` without credentials (no `@auth` on the route; the fleets' `--authenticate
 * download,list,update` leaves it open) with its welcome page, "This is a PyPI compatible package index
 * serving N packages.", where N = `len(list(config.iter_packages()))`: every package *file* it would walk
 * for a listing (pypiserver `_app.py` `root()`, `welcome.html`). That is the number a listing's cost grows
 * with: simple-dir walks every file on each /simple/ and /packages/ request.
 *
 * Both fleets have the URL (stack output IndexUrl, Terraform `pypi_server_urls`), no credential is sent
 * and nothing but the count is kept. A page without the sentence (a custom `--welcome` file) is "not read",
 * never zero.
 */
import type { SourceDef } from "../context.js";
import { failed, ok, type FailureKind } from "../model.js";
import { rootUrl } from "../../creds/encode.js";
import { credsSettings } from "./credentials.js";
import { fetchText } from "./request.js";
import { DEFAULT_HTTP_TIMEOUT_MS } from "./index-probe.js";

export const PACKAGE_COUNT_SOURCE = "http.package-count";

export interface IndexPackageCount {
  /** Index root, no credentials. */
  url: string;
  /** Package files the index serves, as its `/` page states them. */
  files: number;
  /** Milliseconds the `/` request took (pypiserver walked every file to answer it). */
  ms: number;
}

/** The welcome page's sentence (pypiserver `welcome.html`): the first number before "packages". */
const SERVING = /serving\s+(?:<[^>]*>\s*)*([\d][\d,]*)\s*(?:<[^>]*>\s*)*packages/i;

/** The count from the `/` page's text, or undefined when the page does not state one. */
export function parsePackageCount(html: string): number | undefined {
  const m = SERVING.exec(html);
  if (!m) return undefined;
  const n = Number(m[1]!.replace(/,/g, ""));
  return Number.isSafeInteger(n) ? n : undefined;
}

/** The welcome page is under 1 KiB; a custom one is cut here (the sentence, if any, comes early). */
const MAX_PAGE_BYTES = 64 * 1024;

export const packageCountSource: SourceDef<IndexPackageCount> = {
  id: PACKAGE_COUNT_SOURCE,
  title: "Index package count (pypiserver's / page, no credentials)",
  deadlineMs: 30_000,
  async gather(ctx) {
    const t = ctx.target;
    if (t.kind !== "fleet" || !t.url)
      return failed(
        "no-identity",
        "no index URL known: pass --url, or --stack (stack output IndexUrl) or --terraform-outputs (pypi_server_urls)",
      );
    const root = rootUrl(t.url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1"));
    const timeoutMs = credsSettings(ctx.settings).httpTimeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
    const { answer, body } = await fetchText(
      // "" resolves to the root itself, so an index under a path prefix is read at its own front page.
      { root, path: "", timeoutMs, signal: ctx.signal },
      MAX_PAGE_BYTES,
    );
    const at = `GET ${root}/`;
    if (answer.error) {
      const kind: FailureKind = answer.error.kind === "timeout" ? "timeout" : "unreachable";
      return failed(kind, `${at}: ${answer.error.kind} (${answer.error.message})`);
    }
    const status = answer.status ?? 0;
    if (status === 401 || status === 403)
      return failed(
        "access-denied",
        `${at} answered ${status}: pypiserver's front page needs no credentials, so something in front of it asks for them`,
      );
    if (status >= 500) return failed("server-error", `${at} answered ${status}`);
    if (status !== 200)
      return failed(
        "malformed",
        `${at} answered ${status}${answer.location ? ` (to ${answer.location})` : ""}, not pypiserver's front page`,
      );
    const files = parsePackageCount(body);
    if (files === undefined)
      return failed(
        "no-data",
        `${at} answered 200 but does not say "serving N packages" (a custom welcome page, pypiserver --welcome, or not pypiserver)`,
      );
    return ok({ url: root, files, ms: answer.ms });
  },
};
