/**
 * What a new user can do without AWS, said where they first need it: in the error for no region or no
 * credentials (issue 22). doctor runs on this host (--local) or replays a recorded incident; creds reads
 * Terraform outputs, and the package ships an example outputs file to try it with.
 */
import { isAbsolute, join, relative } from "node:path";
import { CredentialsError } from "../../errors.js";
import { packageRoot } from "./examples.js";

export type OfflineCommand = "doctor" | "creds";

/** The shipped example outputs file, as the user would type it from `cwd`. */
export function exampleOutputsPath(cwd: string): string {
  const abs = join(packageRoot(), "examples", "terraform", "outputs.json");
  const rel = relative(cwd, abs);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : abs;
}

export function offlinePointers(command: OfflineCommand, cwd: string): string {
  const doctor =
    "`pypictl doctor --local` checks the host you are on, `pypictl doctor --examples` lists recorded incidents " +
    "and `pypictl doctor --replay example:NAME` replays one";
  if (command === "doctor") return `Without AWS: ${doctor}.`;
  return (
    `Without AWS: \`pypictl creds --terraform-outputs ${exampleOutputsPath(cwd)}\` shows the config from ` +
    `example Terraform outputs (or pass your module's \`terraform output -json\`); ${doctor}.`
  );
}

/** A no-region / no-credentials error with the offline pointers added; any other error unchanged. */
export function withOfflinePointers(e: unknown, command: OfflineCommand, cwd: string): unknown {
  if (!(e instanceof CredentialsError)) return e;
  const withPointers = new CredentialsError(`${e.message}\n${offlinePointers(command, cwd)}`, e.subject);
  withPointers.stack = e.stack;
  return withPointers;
}
