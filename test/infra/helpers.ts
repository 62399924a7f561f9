/** Synthesize the stack once per props set, with cdk-nag on (synth throws on an unsuppressed nag error). */
import { Template } from "aws-cdk-lib/assertions";
import { buildApp } from "../../src/infra/app.js";
import type { PypiServerStackProps } from "../../src/infra/props.js";
import type { PypiServerStack } from "../../src/infra/stack.js";

export interface Synthesized {
  template: Template;
  json: Record<string, unknown> & {
    Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    Outputs: Record<string, unknown>;
    Rules?: Record<string, unknown>;
  };
  stack: PypiServerStack;
}

export function synth(
  props: PypiServerStackProps,
  o: {
    stackName?: string;
    env?: { account?: string; region: string };
    validate?: boolean;
    context?: Record<string, unknown>;
  } = {},
): Synthesized {
  const stackName = o.stackName ?? "pypiserver";
  const { app, stack } = buildApp({
    stackName,
    props,
    nag: true,
    builtinValidation: o.validate ?? false,
    ...(o.env ? { env: o.env } : {}),
    ...(o.context ? { context: o.context } : {}),
  });
  const json = app.synth().getStackByName(stackName).template as Synthesized["json"];
  return { template: Template.fromJSON(json), json, stack };
}

/** The one resource of a type (fails loudly if there are several). */
export function only(s: Synthesized, type: string): { Type: string; Properties?: Record<string, unknown> } {
  const found = Object.values(s.json.Resources).filter((r) => r.Type === type);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0]!;
}

export function containerDefinition(s: Synthesized): Record<string, unknown> {
  const td = only(s, "AWS::ECS::TaskDefinition");
  return (td.Properties!.ContainerDefinitions as Array<Record<string, unknown>>)[0]!;
}
