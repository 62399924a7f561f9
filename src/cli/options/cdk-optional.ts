/**
 * The AWS CDK packages (aws-cdk-lib, @aws-cdk/toolkit-lib, cdk-nag, constructs) are optionalDependencies:
 * a default install has them, so synth/diff/deploy/destroy/bootstrap work; `npm install --omit=optional`
 * leaves them out for machines that only run doctor and creds (about a third of the install, see the
 * README). When they are missing, the deploy commands say so and how to add them, instead of a stack trace.
 */
import { readFileSync } from "node:fs";
import { UsageError } from "../../errors.js";

export const CDK_PACKAGES = ["aws-cdk-lib", "@aws-cdk/toolkit-lib", "cdk-nag", "constructs"] as const;

/** The package that could not be found, when `e` is a module-not-found error for one of the CDK packages. */
export function missingCdkPackage(e: unknown): string | undefined {
  const err = e as { code?: string; message?: string } | undefined;
  if (err?.code !== "ERR_MODULE_NOT_FOUND" && err?.code !== "MODULE_NOT_FOUND") return undefined;
  const m = /Cannot find (?:package|module) '([^']+)'/.exec(err.message ?? "");
  const spec = m?.[1] ?? "";
  return CDK_PACKAGES.find(
    (p) => spec === p || spec.startsWith(`${p}/`) || spec.includes(`/node_modules/${p}/`),
  );
}

/** `name@range` for each CDK package, from pypictl's own package.json (so the advice matches this release). */
function packageSpecs(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as Record<
      string,
      Record<string, string> | undefined
    >;
    const ranges = { ...pkg.dependencies, ...pkg.optionalDependencies };
    return CDK_PACKAGES.map((p) => (ranges[p] ? `${p}@${ranges[p]}` : p)).join(" ");
  } catch {
    return CDK_PACKAGES.join(" ");
  }
}

export function cdkMissingError(pkg: string): UsageError {
  return new UsageError(
    `synth, diff, deploy, destroy and bootstrap need the AWS CDK, and this install has no ${pkg} (installed with --omit=optional?). ` +
      `Reinstall pypictl without --omit=optional, or add the CDK packages where pypictl is installed (-g for a global install): npm install ${packageSpecs()
        .split(" ")
        .map((s) => `'${s}'`)
        .join(" ")}`,
    pkg,
  );
}

/** Import a module that needs the CDK; a missing CDK package becomes a usage error (exit 2) saying what to install. */
export async function importWithCdk<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    const pkg = missingCdkPackage(e);
    if (pkg) throw cdkMissingError(pkg);
    throw e;
  }
}
