/**
 * Every evidence source by id, each behind a lazy loader so a run imports only the SDK clients and
 * probes it needs. Areas own their own tables (host, aws, http, client) to keep this file stable.
 */
import type { SourceDef } from "./context.js";
import { HOST_SOURCES } from "./host/index.js";
import { AWS_SOURCES } from "./aws/index.js";
import { HTTP_SOURCES } from "./http/index.js";
import { CLIENT_SOURCES } from "./client/index.js";

export type SourceLoader = () => Promise<SourceDef>;

export const SOURCE_LOADERS: Readonly<Record<string, SourceLoader>> = {
  ...HOST_SOURCES,
  ...AWS_SOURCES,
  ...HTTP_SOURCES,
  ...CLIENT_SOURCES,
};

/** The source with this id, loaded (undefined for an unknown id): the `load` every gather run takes. */
export async function loadSource(id: string): Promise<SourceDef | undefined> {
  const loader = SOURCE_LOADERS[id];
  return loader ? loader() : undefined;
}
