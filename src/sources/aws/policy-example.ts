/**
 * The README's example of `doctor --print-iam-policy --stack pypiserver`: the policy for a stack fleet with
 * example ids, and the table of what each statement is for. Generated (`npm run docs`) and pinned by a test,
 * so the README cannot drift from the grants the sources declare (a probe-version bump renames the document,
 * a new source adds a statement).
 */
import { doctorIamPolicy, STATEMENT_PURPOSE, type PolicyFleet } from "./iam-policy.js";
import { probeDocumentNamePrefix } from "../host/probe-document.js";

/** A stack named pypiserver in eu-west-1, with the names the stack's outputs would give. */
export const EXAMPLE_STACK_FLEET: PolicyFleet = {
  known: true,
  partition: "aws",
  region: "eu-west-1",
  account: "123456789012",
  stack: "pypiserver",
  cluster: "pypiserver",
  service: "pypiserver",
  fileSystemId: "fs-0123456789abcdef0",
  logGroup: "pypiserver-Logs0B6081B1-AbCdEf123456",
  autoScalingGroup: "pypiserver-asg",
  probeDocument: `${probeDocumentNamePrefix()}0a1b2c3d-0000-4000-8000-000000000000`,
  secret: { arn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:pypiserver-AbCdEf" },
};

export const README_POLICY_START = "<!-- generated: iam-policy-example (npm run docs) -->";
export const README_POLICY_END = "<!-- end: iam-policy-example -->";

/** The markdown between the README's markers: the example policy, then every statement's purpose. */
export function renderPolicyExample(): string {
  const policy = doctorIamPolicy(undefined, EXAMPLE_STACK_FLEET);
  const rows = Object.entries(STATEMENT_PURPOSE).map(
    ([sid, purpose]) => `| \`${sid}\` | ${purpose.replace(/\|/g, "\\|")} |`,
  );
  return [
    `For a stack fleet in ${EXAMPLE_STACK_FLEET.region} (account ${EXAMPLE_STACK_FLEET.account}):`,
    "",
    "```json",
    JSON.stringify(policy, null, 2),
    "```",
    "",
    "Statements that appear only for some fleets: `PypictlDecryptIndexCredentials` when the secret has a",
    "customer KMS key; `PypictlRunAnyShellCommandAsRootOnFleetInstances` (instead of `PypictlSendProbeDocument`)",
    "for fleets without the probe document (the Terraform module).",
    "",
    "| Sid | what it is for |",
    "|---|---|",
    ...rows,
  ].join("\n");
}

/** The README with its generated section replaced (throws when a marker is missing). */
export function withPolicyExample(readme: string): string {
  const a = readme.indexOf(README_POLICY_START);
  const b = readme.indexOf(README_POLICY_END);
  if (a < 0 || b < a)
    throw new Error(`README.md: the markers ${README_POLICY_START} … ${README_POLICY_END} are missing`);
  return `${readme.slice(0, a + README_POLICY_START.length)}\n${renderPolicyExample()}\n${readme.slice(b)}`;
}
