/**
 * The Examples section of every command's --help, as gh prints them: a comment saying what it does, then the
 * command line exactly as typed. Kept as data so a test can run each example's flags through the parser.
 */
export interface Example {
  what: string;
  argv: string[];
}

export const EXAMPLES: Record<string, Example[]> = {
  pypictl: [
    { what: "diagnose this machine (no AWS account needed)", argv: ["doctor", "--local"] },
    {
      what: "diagnose the fleet deployed by pypictl deploy",
      argv: ["doctor", "--stack", "pypiserver", "--since", "2h"],
    },
    { what: "pip config with the fleet's credentials", argv: ["creds", "--format", "pip.conf", "--write"] },
    { what: "shell completion", argv: ["completion", "bash"] },
  ],
  doctor: [
    { what: "this host: memory, swap, iowait, EFS mount, package count", argv: ["doctor", "--local"] },
    {
      what: "a fleet deployed by pypictl deploy, last two hours",
      argv: ["doctor", "--stack", "pypiserver", "--since", "2h"],
    },
    { what: "a fleet deployed by the Terraform module", argv: ["doctor", "--terraform-outputs", "tf.json"] },
    {
      what: "only two playbooks, as JSON for CI",
      argv: ["doctor", "--only", "slow-listing,oom", "--format", "json", "--output", "report.json"],
    },
    {
      what: "save the evidence, replay it offline later",
      argv: ["doctor", "--save-evidence", "evidence.json"],
    },
    {
      what: "replay a recorded incident that ships with pypictl",
      argv: ["doctor", "--replay", "example:fleet-oom-kills"],
    },
    { what: "the catalogue of checks, as JSON", argv: ["doctor", "--list", "--format", "json"] },
    { what: "what one check reads and why", argv: ["doctor", "--explain", "host.iowait"] },
  ],
  creds: [
    { what: "export PIP_INDEX_URL and TWINE_* into this shell", argv: ["creds", "--format", "env"] },
    {
      what: "merge into pip.conf (0600, backup kept), showing the change first",
      argv: ["creds", "--format", "pip.conf", "--write", "--dry-run"],
    },
    {
      what: "credentials from the Terraform module's outputs, as .netrc",
      argv: ["creds", "--terraform-outputs", "tf.json", "--format", "netrc"],
    },
    { what: "probe the index with these credentials", argv: ["creds", "--check", "--stack", "pypiserver"] },
  ],
  size: [
    { what: "is the default stack the right size for the last 14 days' load?", argv: ["size"] },
    {
      what: "a month of a Terraform module fleet, as JSON for a capacity review",
      argv: ["size", "--terraform-outputs", "tf.json", "--since", "30d", "--format", "json"],
    },
    {
      what: "a page with the load shape against each profile",
      argv: ["size", "--format", "html", "--output", "size.html"],
    },
    {
      what: "replay a recorded fleet that ships with pypictl",
      argv: ["size", "--replay", "example:efs-bound"],
    },
  ],
  synth: [
    { what: "the CloudFormation template, offline", argv: ["synth", "--output", "template.json"] },
    { what: "a bigger size preset", argv: ["synth", "--size", "heavy"] },
  ],
  diff: [{ what: "what deploy would change", argv: ["diff", "--size", "medium"] }],
  deploy: [
    {
      what: "deploy with a certificate, asking before security changes",
      argv: [
        "deploy",
        "--size",
        "medium",
        "--certificate-arn",
        "arn:aws:acm:eu-west-1:123456789012:certificate/abc",
      ],
    },
    { what: "non-interactive (CI)", argv: ["deploy", "--yes"] },
  ],
  destroy: [{ what: "delete the stack; EFS and its backups are kept", argv: ["destroy"] }],
  bootstrap: [{ what: "once per account and region", argv: ["bootstrap", "--region", "eu-west-1"] }],
  completion: [
    { what: "bash: load now, or install for every shell", argv: ["completion", "bash"] },
    { what: "zsh", argv: ["completion", "zsh"] },
    { what: "fish", argv: ["completion", "fish"] },
  ],
};

/** Shell words quoted only where needed. */
function shellWord(w: string): string {
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, "'\\''")}'`;
}

export function examplesHelp(command: string): string {
  const list = EXAMPLES[command];
  if (!list?.length) return "";
  const lines = ["", "Examples:"];
  for (const e of list) lines.push(`  # ${e.what}`, `  $ pypictl ${e.argv.map(shellWord).join(" ")}`, "");
  return lines.join("\n").replace(/\n$/, "");
}
