/**
 * --mount-path and --package-dir name directories on the hosts: absolute, not empty, and not a kernel
 * pseudo file system (counting "packages" under /proc reads process tables and passes on nonsense).
 */
import { statSync } from "node:fs";
import { UsageError } from "../errors.js";

const PSEUDO_FS = ["/proc", "/sys", "/dev"];

export function checkHostPath(value: string | undefined, subject: string): void {
  if (value === undefined) return;
  if (value.trim() === "") throw new UsageError(`${subject}: the path is empty`, subject);
  if (!value.startsWith("/"))
    throw new UsageError(
      `${subject}: "${value}" is relative; give the absolute path on the hosts, e.g. /data/packages`,
      subject,
    );
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value))
    throw new UsageError(`${subject}: the path contains a control character`, subject);
  const normal = value.replace(/\/+/g, "/").replace(/\/$/, "") || "/";
  for (const p of PSEUDO_FS)
    if (normal === p || normal.startsWith(`${p}/`))
      throw new UsageError(
        `${subject}: ${value} is inside ${p}, a kernel pseudo file system, not a package volume`,
        subject,
      );
}

/**
 * With --local the path is on this machine: one that exists but is not a directory (a regular file, a
 * device) is a bad flag, said before anything runs. An absent path is left to the probe (the host checks
 * say what is missing).
 */
export function checkLocalHostPath(value: string | undefined, subject: string): void {
  if (value === undefined) return;
  const st = statSync(value, { throwIfNoEntry: false });
  if (st && !st.isDirectory())
    throw new UsageError(
      `${subject}: ${value} is not a directory (it is a ${st.isFile() ? "regular file" : "special file"}); give the package directory or its mount point`,
      subject,
    );
}
