/** Lazy loaders for the aws sources, by source id. */
import type { SourceLoader } from "../registry.js";

export const AWS_SOURCES: Record<string, SourceLoader> = {};
