/**
 * An adopted file system's throughput, read from AWS before `diff` and `deploy` (EFS DescribeFileSystems:
 * ThroughputMode, ProvisionedThroughputInMibps, SizeInBytes) and reported in the plan. The stack does not
 * own an adopted file system: its throughput mode is the file system's own, and `efsThroughputMode` only
 * picks the alarms. Bursting on a heavy preset is a warning with the numbers (FACTS.md §4: baseline 50 KiB/s
 * per GiB stored, at least 1 MiB/s, bursts to 100 MiB/s while credits last). A read that fails is reported,
 * never taken for a healthy file system; a file system that does not exist stops a deploy (its mount targets
 * could not be created). The read needs elasticfilesystem:DescribeFileSystems. Light: the client is passed in.
 */
import type { EFSClient } from "@aws-sdk/client-efs";
import type { ResolvedProps } from "./props.js";
import { HEAVY_SIZES, SIZE_PRESETS } from "./sizing.js";

export const ADOPTED_FS_ACTION = "elasticfilesystem:DescribeFileSystems";

export type AdoptedFileSystem =
  | {
      readonly read: true;
      readonly id: string;
      readonly throughputMode: string;
      readonly provisionedMibps?: number;
      readonly sizeBytes?: number;
    }
  | { readonly read: false; readonly id: string; readonly notFound: boolean; readonly problem: string };

export async function readAdoptedFileSystem(
  efs: Pick<EFSClient, "send">,
  id: string,
): Promise<AdoptedFileSystem> {
  const { DescribeFileSystemsCommand } = await import("@aws-sdk/client-efs");
  try {
    const fs = (await efs.send(new DescribeFileSystemsCommand({ FileSystemId: id }))).FileSystems?.[0];
    if (!fs)
      return { read: false, id, notFound: true, problem: "DescribeFileSystems returned no file system" };
    return {
      read: true,
      id,
      // EFS reports bursting for file systems created before the field existed (efs-2015-02-01 model).
      throughputMode: fs.ThroughputMode ?? "bursting",
      ...(fs.ProvisionedThroughputInMibps !== undefined
        ? { provisionedMibps: fs.ProvisionedThroughputInMibps }
        : {}),
      ...(fs.SizeInBytes?.Value !== undefined ? { sizeBytes: fs.SizeInBytes.Value } : {}),
    };
  } catch (e) {
    const err = e as { name?: string; message?: string };
    const name = err?.name ?? "Error";
    const message = (err?.message ?? String(e)).split("\n")[0];
    return { read: false, id, notFound: name === "FileSystemNotFound", problem: `${name}: ${message}` };
  }
}

const GIB = 1024 ** 3;
/** FACTS.md §4: bursting baseline 50 KiB/s per GiB stored, at least 1 MiB/s; bursts to 100 MiB/s. */
export const BURSTING = { kibPerGib: 50, minMibps: 1, burstMibps: 100 } as const;

export function burstingBaselineMibps(sizeBytes: number): number {
  return Math.max(BURSTING.minMibps, ((sizeBytes / GIB) * BURSTING.kibPerGib) / 1024);
}

const fmt = (n: number) => (n >= 10 ? n.toFixed(0) : n.toFixed(1));

export interface AdoptedFindings {
  readonly notes: string[];
  readonly warnings: string[];
}

/** What the plan says about the adopted file system; `fs` undefined: not read (synth --stack). */
export function adoptedFileSystemFindings(
  p: ResolvedProps,
  fs: AdoptedFileSystem | undefined,
): AdoptedFindings {
  const notes: string[] = [];
  const warnings: string[] = [];
  const id = p.fileSystemId;
  if (!id) return { notes, warnings };
  const check = `aws efs describe-file-systems --file-system-id ${id}`;
  if (!fs) {
    notes.push(
      `adopted file system ${id}: its throughput mode is its own (efsThroughputMode ${p.efsThroughputMode} only picks the alarms); \`pypictl diff\` and \`deploy\` read it, or check with \`${check}\`.`,
    );
    return { notes, warnings };
  }
  if (!fs.read) {
    const denied = /AccessDenied|not authorized/i.test(fs.problem);
    warnings.push(
      fs.notFound
        ? `adopted file system ${id} does not exist in this account and region (${fs.problem}): the stack cannot mount it.`
        : `could not read the adopted file system ${id} (${fs.problem}${denied ? `; grant ${ADOPTED_FS_ACTION}` : ""}): its throughput mode is unknown. Check with \`${check}\`.`,
    );
    return { notes, warnings };
  }
  const mode = fs.throughputMode;
  const size = fs.sizeBytes !== undefined ? `${fmt(fs.sizeBytes / GIB)} GiB` : undefined;
  if (mode === "bursting") {
    const base =
      fs.sizeBytes !== undefined
        ? `baseline ${fmt(burstingBaselineMibps(fs.sizeBytes))} MiB/s for its ${size} (${BURSTING.kibPerGib} KiB/s per GiB stored, at least ${BURSTING.minMibps} MiB/s)`
        : `baseline ${BURSTING.kibPerGib} KiB/s per GiB stored (at least ${BURSTING.minMibps} MiB/s)`;
    const text = `adopted file system ${id} uses bursting throughput: ${base}, up to ${BURSTING.burstMibps} MiB/s only while burst credits last.`;
    if (HEAVY_SIZES.includes(p.size))
      warnings.push(
        `${text} The ${p.size} preset is sized for ${SIZE_PRESETS[p.size].profile}, and every listing re-reads the package directory: once the credits run out the index is held to the baseline. Switch it to elastic (\`aws efs update-file-system --file-system-id ${id} --throughput-mode elastic\`)${p.efsThroughputMode === "bursting" ? "" : ", or keep bursting and give --efs-throughput-mode bursting for the burst-credit alarm"}.`,
      );
    else
      notes.push(
        `${text}${p.efsThroughputMode === "bursting" ? "" : " --efs-throughput-mode bursting adds the burst-credit alarm."}`,
      );
  } else if (mode === "provisioned") {
    notes.push(
      `adopted file system ${id} uses provisioned throughput: ${fs.provisionedMibps ?? "?"} MiB/s (billed whether used or not)${size ? `, ${size} stored` : ""}.`,
    );
  } else {
    notes.push(`adopted file system ${id} uses ${mode} throughput${size ? ` (${size} stored)` : ""}.`);
  }
  if (mode !== p.efsThroughputMode && !(mode === "bursting" && p.efsThroughputMode !== "bursting"))
    notes.push(
      `efsThroughputMode ${p.efsThroughputMode} differs from the adopted file system's ${mode}: for an adopted file system the prop only picks the alarms and never changes the file system${p.efsThroughputMode === "bursting" ? " (the burst-credit alarm means nothing outside bursting mode)" : ""}.`,
    );
  return { notes, warnings };
}
