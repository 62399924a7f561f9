/** Lazy loaders for the host sources, by source id. */
import type { SourceLoader } from "../registry.js";

export const HOST_SOURCES: Record<string, SourceLoader> = {
  "host.probe": async () => (await import("./source.js")).hostProbeSource,
};
