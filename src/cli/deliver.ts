/**
 * Where doctor's results go: the evidence bundle (--save-evidence), then the report (--output or stdout).
 * A write that fails after gathering does not lose the report: it is printed on stdout instead, the error
 * goes to stderr, and the run exits 2 (issue 9, "fail fast on output problems"; the paths were already
 * checked up front by options/validate-paths.ts, so this is for the disk that fills up meanwhile).
 */
import { type Io, out, err } from "./io.js";
import { UsageError } from "../errors.js";
import { writeAtomic } from "./write-file.js";

export interface Deliverables {
  rendered: string;
  output?: string | undefined;
  evidence?: { path: string; text: () => string } | undefined;
  quiet: boolean;
}

/** True when everything was written where it was asked to go. */
export async function deliver(io: Io, d: Deliverables): Promise<boolean> {
  let ok = true;
  if (d.evidence) {
    try {
      await writeAtomic(d.evidence.path, d.evidence.text(), { flag: "--save-evidence" });
      if (!d.quiet) err(io, `evidence saved to ${d.evidence.path}\n`);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      err(io, `pypictl: ${e.message}; evidence not saved\n`);
      ok = false;
    }
  }
  if (d.output === undefined) {
    out(io, d.rendered);
    return ok;
  }
  try {
    await writeAtomic(d.output, d.rendered, { flag: "--output" });
    if (!d.quiet) err(io, `report written to ${d.output}\n`);
    return ok;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    err(io, `pypictl: ${e.message}; the report follows on stdout instead\n`);
    out(io, d.rendered);
    return false;
  }
}
