/**
 * Read what is deployed: the recorded props (a DescribeStacks output), or for a stack deployed before pypictl
 * recorded them the props read back from its template (GetTemplate), plus the template itself for the
 * stateful-replacement guard. A stack that does not exist (or never finished creating) is a first deploy.
 * Any other failure stops the command: starting from defaults because a read failed is exactly the silent
 * reset this module exists to prevent. Light: only the CloudFormation client (passed in).
 */
import {
  DescribeStacksCommand,
  GetTemplateCommand,
  type CloudFormationClient,
} from "@aws-sdk/client-cloudformation";
import { CredentialsError, IncompleteError } from "../errors.js";
import { classifyError } from "../sources/classify.js";
import { CREDENTIALS_HELP, InfraError } from "./errors.js";
import type { PypiServerStackProps } from "./props.js";
import { RECORDED_PROPS_OUTPUT, decodeRecordedProps } from "./recorded-props.js";
import type { TemplateJson } from "./stateful.js";
import { propsFromTemplate } from "./template-props.js";
import { deleteFailedResources, type Leftover } from "./failed-create.js";

/** Failure kinds that mean AWS was not reached, rather than that it said no. */
const UNREACHED: ReadonlySet<string> = new Set(["unreachable", "timeout", "throttled"]);

export type DeployedStack =
  | {
      readonly exists: false;
      /**
       * A failed first create whose rollback could not delete everything (ROLLBACK_FAILED): nothing is
       * deployed (the toolkit deletes it before creating again), but what it could not delete outlives it.
       */
      readonly failedCreate?: { readonly status: string; readonly leftovers: Leftover[] | undefined };
    }
  | {
      readonly exists: true;
      readonly props: PypiServerStackProps;
      /** "recorded": the stack's PypictlProps output; "template": read back from an older stack's template. */
      readonly origin: "recorded" | "template";
      /** Recorded keys this version ignored (unknown or invalid). */
      readonly ignored: readonly string[];
      /** The deployed template (when asked for, or needed to read the props). */
      readonly template?: TemplateJson;
      readonly status: string;
    };

/**
 * Stack states with nothing deployed: CDK's change-set flow leaves REVIEW_IN_PROGRESS behind a never-executed
 * create, and a failed first create ends in ROLLBACK_COMPLETE (CDK deletes it before creating again), or in
 * ROLLBACK_FAILED when its rollback could not delete a resource (see failed-create.ts).
 */
const NOT_DEPLOYED = new Set(["REVIEW_IN_PROGRESS", "ROLLBACK_COMPLETE", "DELETE_COMPLETE"]);

const READ_ACTIONS = "cloudformation:DescribeStacks and cloudformation:GetTemplate";

function isMissingStack(e: unknown): boolean {
  const err = e as { name?: string; message?: string };
  // CloudFormation answers a missing stack with ValidationError "Stack with id X does not exist".
  return err?.name === "ValidationError" && /does not exist/.test(err.message ?? "");
}

function fail(stackName: string, e: unknown, call: string): never {
  const err = e as { name?: string; message?: string };
  const name = err?.name ?? "Error";
  const message = (err?.message ?? String(e)).split("\n")[0];
  // pypictl starts from the deployed props, so even `diff` and `synth --stack` need to read the stack.
  if (
    /CredentialsProviderError|NoCredentials|ExpiredToken|InvalidClientTokenId|UnrecognizedClient/.test(name)
  )
    throw new CredentialsError(
      `no usable AWS credentials to read the deployed stack ${stackName} (${call}): ${name}: ${message}\n${CREDENTIALS_HELP}`,
      "--profile",
    );
  if (/Region is missing/i.test(message ?? ""))
    throw new CredentialsError(
      `no usable AWS credentials and region to read the deployed stack ${stackName}: no region.\n${CREDENTIALS_HELP}`,
      "--region",
    );
  // AWS not reached (network, DNS, TLS, proxy, no answer in time, throttling): exit 3, as doctor says it.
  const c = classifyError(e, call);
  if (!c.ok && UNREACHED.has(c.kind))
    throw new IncompleteError(
      `cannot read the deployed stack ${stackName} (${call}): ${c.message}. pypictl starts a deploy from the deployed props and does not guess them: check the network, --region and AWS_ENDPOINT_URL*, then run again.`,
    );
  const denied = /AccessDenied|not authorized/i.test(`${name} ${message}`);
  throw new InfraError(
    `cannot read the deployed stack ${stackName} (${call}): ${name}: ${message}. pypictl starts a deploy from the deployed props and does not guess them${denied ? `; grant ${READ_ACTIONS}` : ""}.`,
  );
}

export async function readDeployedStack(
  cfn: CloudFormationClient,
  stackName: string,
  o: { template?: boolean } = {},
): Promise<DeployedStack> {
  let stack;
  try {
    const res = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    stack = res.Stacks?.[0];
  } catch (e) {
    if (isMissingStack(e)) return { exists: false };
    fail(stackName, e, "DescribeStacks");
  }
  if (!stack || NOT_DEPLOYED.has(stack.StackStatus ?? "")) return { exists: false };
  if (stack.StackStatus === "ROLLBACK_FAILED")
    return {
      exists: false,
      failedCreate: { status: stack.StackStatus, leftovers: await deleteFailedResources(cfn, stackName) },
    };
  const status = stack.StackStatus ?? "UNKNOWN";
  const recorded = stack.Outputs?.find((x) => x.OutputKey === RECORDED_PROPS_OUTPUT)?.OutputValue;
  const decoded = recorded ? decodeRecordedProps(recorded) : undefined;
  let template: TemplateJson | undefined;
  if (o.template || !decoded) {
    let body: string | undefined;
    try {
      body = (await cfn.send(new GetTemplateCommand({ StackName: stackName, TemplateStage: "Original" })))
        .TemplateBody;
    } catch (e) {
      fail(stackName, e, "GetTemplate");
    }
    try {
      template = JSON.parse(body ?? "") as TemplateJson;
    } catch {
      throw new InfraError(
        `the deployed template of stack ${stackName} is not JSON (was it deployed by pypictl?): pypictl cannot read its props.`,
      );
    }
  }
  if (decoded)
    return {
      exists: true,
      props: decoded.props,
      origin: "recorded",
      ignored: decoded.ignored,
      template,
      status,
    };
  return {
    exists: true,
    props: propsFromTemplate(template!),
    origin: "template",
    ignored: [],
    template,
    status,
  };
}
