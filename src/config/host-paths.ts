/**
 * --mount-path and --package-dir name directories on the hosts: absolute, not empty, and not a kernel
 * pseudo file system (counting "packages" under /proc reads process tables and passes on nonsense).
 */
import { UsageError } from "../errors.js";

const PSEUDO_FS = ["/proc", "/sys", "/dev"];

export function checkHostPath(value: string | undefined, subject: string): void {
  if (value === undefined) return;
  if (value.trim() === "") throw new UsageError(`${subject}: the path is empty`, subject);
  if (!value.startsWith("/")) throw new UsageError(`${subject}: "${value}" is relative; give the absolute path on the hosts, e.g. /data/packages`, subject);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new UsageError(`${subject}: the path contains a control character`, subject);
  const normal = value.replace(/\/+/g, "/").replace(/\/$/, "") || "/";
  for (const p of PSEUDO_FS)
    if (normal === p || normal.startsWith(`${p}/`)) throw new UsageError(`${subject}: ${value} is inside ${p}, a kernel pseudo file system, not a package volume`, subject);
}
