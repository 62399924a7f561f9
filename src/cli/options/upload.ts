/** `--dist DIR` for doctor: the files the upload playbook (upload.dist-files) checks before `twine upload`. */
import type { Command } from "commander";
import type { GatherSettings } from "../../sources/context.js";

export interface UploadFlags {
  dist?: string;
}

export function addUploadOptions(cmd: Command): Command {
  return cmd.option(
    "--dist <dir>",
    "upload playbook: check the files in this directory before twine upload (wheel/sdist names, sizes)",
  );
}

/** Settings the client.dist source reads. */
export function uploadSettingsFrom(flags: UploadFlags): Partial<GatherSettings> {
  return flags.dist ? { distDir: flags.dist } : {};
}
