/**
 * The CDK app pypictl synthesizes in-process: current recommended feature flags (no cdk.json here, so
 * without them an in-process App gets legacy defaults, FACTS.md §7), cdk-nag's AwsSolutions pack as a
 * validation plugin, and one {@link PypiServerStack}.
 */
import { App, Validations } from "aws-cdk-lib";
import { CURRENTLY_RECOMMENDED_FLAGS } from "aws-cdk-lib/cx-api";
import { AwsSolutionsChecks } from "cdk-nag";
import { PypiServerStack } from "./stack.js";
import type { PypiServerStackProps } from "./props.js";

export interface BuildAppOptions {
  readonly stackName: string;
  readonly props?: PypiServerStackProps;
  /** Where the assembly goes (toolkit-lib passes its own). */
  readonly outdir?: string;
  /** Extra context (toolkit-lib passes lookups and its settings). */
  readonly context?: Record<string, unknown>;
  /** Run cdk-nag's AwsSolutions checks during synthesis. @default true */
  readonly nag?: boolean;
  /**
   * aws-cdk-lib's built-in CloudFormation schema validation (a WebAssembly validator; most of synth's time).
   * @default false
   */
  readonly builtinValidation?: boolean;
  /** An explicit environment (needed for VPC lookups with vpcId). @default environment-agnostic */
  readonly env?: { account?: string; region?: string };
}

export function buildApp(o: BuildAppOptions): { app: App; stack: PypiServerStack } {
  const app = new App({
    outdir: o.outdir,
    // toolkit-lib sets CDK_OUTDIR while the builder runs, which turns on the App's auto-synth: a second
    // synth on the process's beforeExit, into an assembly directory the toolkit has already deleted (an
    // uncaught ENOENT in any long-lived process, such as a test worker). We synthesize explicitly.
    autoSynth: false,
    builtinCloudFormationValidation: o.builtinValidation ?? false,
    context: { ...CURRENTLY_RECOMMENDED_FLAGS, ...o.context },
  });
  if (o.nag ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new PypiServerStack(app, o.stackName, {
    stackName: o.stackName,
    pypi: o.props,
    ...(o.env ? { env: o.env } : {}),
  });
  return { app, stack };
}
