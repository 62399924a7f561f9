/**
 * Offline synthesis without the toolkit: build the app and synthesize it in-process. This is what
 * toolkit-lib's assembly builder does too, minus loading toolkit-lib and the AWS SDK (over a second of
 * `pypictl synth` cold start). Used when no lookup is needed (no vpcId); everything else goes through
 * toolkit-lib. The assembly goes to a temporary directory that is always removed.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import { buildApp } from "./app.js";
import { InfraError } from "./errors.js";
import { regionOnlyEnv, type PypiServerStackProps } from "./props.js";

export async function synthLocal(o: {
  stackName: string;
  props: PypiServerStackProps;
  nag?: boolean;
  validate?: boolean;
  context?: Record<string, unknown>;
  /** The region (--region, AWS_REGION): binds the stack to it when a prop needs one (ALB access logs). */
  region?: string;
}): Promise<{ template: Record<string, unknown>; warnings: string[] }> {
  const outdir = await mkdtemp(join(tmpdir(), "pypictl-synth-"));
  try {
    const { app } = buildApp({
      stackName: o.stackName,
      props: o.props,
      outdir,
      nag: o.nag,
      builtinValidation: o.validate,
      context: { "aws:cdk:version-reporting": false, ...o.context },
      ...regionOnlyEnv(o.props, o.region),
    });
    let assembly;
    try {
      assembly = app.synth();
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new InfraError(`synthesis failed: ${(e as Error).message}`);
    }
    const stack = assembly.getStackByName(o.stackName);
    // Construct warnings (the toolkit would print these): "path: message".
    const warnings = stack.messages
      .filter((m) => m.level !== "info")
      .map((m) => `${m.id}: ${String(m.entry.data)}`);
    return { template: stack.template as Record<string, unknown>, warnings };
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}
