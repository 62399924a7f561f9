/** The pull-through cache's repository prefix (light: destroy names the repositories without aws-cdk-lib). */
import { createHash } from "node:crypto";

/**
 * The cache's repository prefix for a stack: `pypictl-<up to 12 characters of the name>-<8 hex of its hash>`
 * (≤ 29 characters, lowercase, ECR's pattern), readable in the console and unique per stack name.
 */
export function cachePrefix(stackName: string): string {
  const slug = stackName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, 12)
    .replace(/^-+|-+$/g, "");
  const hash = createHash("sha256").update(stackName).digest("hex").slice(0, 8);
  return ["pypictl", slug, hash].filter(Boolean).join("-");
}
