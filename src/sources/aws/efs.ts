/** EFS evidence: the file system's performance and throughput modes, provisioned MiB/s and size. */
import { DescribeFileSystemsCommand } from "@aws-sdk/client-efs";
import { ok, type SourceResult } from "../model.js";
import type { GatherContext, SourceDef } from "../context.js";
import { AWS_SOURCE_IDS, SERVICE, type FileSystemEvidence } from "./types.js";
import { clientsOf, fleetOf, SourceFailure } from "./shared.js";
import type { Target } from "../target/model.js";

/** Given (--file-system-id, stack outputs) or the task definition's EFS volume (FACTS §1). */
export function fileSystemIdOf(ctx: GatherContext): string {
  const t = fleetOf(ctx);
  if (t.fileSystemId) return t.fileSystemId;
  const svc = ctx.dep(SERVICE);
  if (!svc.ok && svc.kind === "no-identity")
    throw new SourceFailure(
      "no-identity",
      "no EFS file system identified: pass --file-system-id, --cluster/--service or --stack",
    );
  if (!svc.ok)
    throw new SourceFailure(
      "not-found",
      `no file system: --file-system-id not given and ${SERVICE.id} failed (${svc.message})`,
    );
  const id = svc.value.taskDefinition.fileSystemIds[0];
  if (!id)
    throw new SourceFailure(
      "not-found",
      `task definition ${svc.value.taskDefinition.arn} mounts no EFS volume: pass --file-system-id`,
    );
  return id;
}

export async function gatherFileSystem(ctx: GatherContext): Promise<SourceResult<FileSystemEvidence>> {
  const FileSystemId = fileSystemIdOf(ctx);
  const efs = await clientsOf(ctx).efs();
  const r = await efs.send(new DescribeFileSystemsCommand({ FileSystemId }), { abortSignal: ctx.signal });
  const fs = r.FileSystems?.[0];
  if (!fs) throw new SourceFailure("not-found", `EFS file system ${FileSystemId} not found`);
  const out: FileSystemEvidence = { fileSystemId: fs.FileSystemId ?? FileSystemId };
  if (fs.Name) out.name = fs.Name;
  if (fs.PerformanceMode) out.performanceMode = fs.PerformanceMode;
  if (fs.ThroughputMode) out.throughputMode = fs.ThroughputMode;
  if (fs.ProvisionedThroughputInMibps !== undefined)
    out.provisionedThroughputMiBps = fs.ProvisionedThroughputInMibps;
  if (fs.SizeInBytes?.Value !== undefined) out.sizeBytes = fs.SizeInBytes.Value;
  if (fs.LifeCycleState) out.lifeCycleState = fs.LifeCycleState;
  return ok(out);
}

export const fileSystemSource: SourceDef<FileSystemEvidence> = {
  id: AWS_SOURCE_IDS.fileSystem,
  title: "EFS file system",
  deps: (target: Target) => (target.kind === "fleet" && target.fileSystemId ? [] : [AWS_SOURCE_IDS.service]),
  gather: gatherFileSystem,
};
