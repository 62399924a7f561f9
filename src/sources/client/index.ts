/** Lazy loaders for the client sources, by source id. */
import type { SourceLoader } from "../registry.js";

export const CLIENT_SOURCES: Record<string, SourceLoader> = {
  "client.config": async () => (await import("./config.js")).clientConfigSource,
  "client.dist": async () => (await import("./dist.js")).distSource,
};
