/** The probe script's options from the gather settings, the same for the local and the SSM runner. */
import type { GatherSettings } from "../context.js";
import type { ProbeOptions } from "./probe-script.js";

/**
 * Without --mount-path the probe discovers the package file system's mounts (and counts packages in the
 * one it judges); with it, it judges exactly that path. --package-dir, when given, is where it counts.
 * `fileSystemId`: the EFS id when known (--file-system-id, stack outputs, the task definition).
 */
export function probeOptionsFrom(settings: GatherSettings, fileSystemId?: string): ProbeOptions {
  const discover = settings.mountPathGiven !== true;
  const opts: ProbeOptions = { samples: settings.samples, mountPath: settings.mountPath, discover };
  if (settings.packageDirGiven === true || !discover) opts.packageDir = settings.packageDir;
  if (fileSystemId && /^fs-[0-9a-f]{8,40}$/.test(fileSystemId)) opts.fileSystemId = fileSystemId;
  return opts;
}
