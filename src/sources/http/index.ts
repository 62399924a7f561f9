/** Lazy loaders for the http sources, by source id. */
import type { SourceLoader } from "../registry.js";

export const HTTP_SOURCES: Record<string, SourceLoader> = {
  "http.index-probe": async () => (await import("./index-probe.js")).indexProbeSource,
  "http.package-count": async () => (await import("./package-count.js")).packageCountSource,
};
