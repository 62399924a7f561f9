/**
 * Run cfn-lint (the CloudFormation linter, preinstalled on these machines: `cfn-lint --version` → 1.x) over
 * a batch of templates in ONE invocation (its start-up costs seconds; one run per template would dominate
 * the suite). Returns the findings as cfn-lint's JSON reports them, or `undefined` when cfn-lint is not
 * installed: the caller decides (fail in CI, skip locally).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { delimiter, join } from "node:path";

export interface CfnLintFinding {
  Rule: { Id: string; Description?: string };
  Level: string;
  Message: string;
  Filename: string;
  Location?: { Path?: unknown[] };
}

export function findCfnLint(): string | undefined {
  const candidates = [
    ...(process.env.PATH ?? "")
      .split(delimiter)
      .filter(Boolean)
      .map((d) => join(d, "cfn-lint")),
    join(homedir(), ".pyenv", "shims", "cfn-lint"),
  ];
  return candidates.find((c) => existsSync(c));
}

export function cfnLint(
  templates: ReadonlyMap<string, unknown>,
): { findings: CfnLintFinding[]; version: string } | undefined {
  const bin = findCfnLint();
  if (!bin) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "pypictl-cfn-lint-"));
  try {
    const files = [...templates].map(([name, template], i) => {
      const file = join(dir, `${String(i).padStart(2, "0")}-${name.replace(/[^A-Za-z0-9]+/g, "_")}.json`);
      writeFileSync(file, JSON.stringify(template));
      return file;
    });
    const version = spawnSync(bin, ["--version"], { encoding: "utf8" }).stdout.trim();
    // Exit codes are a bit mask of the levels found (2 error, 4 warning, 8 info); the JSON says which.
    const r = spawnSync(bin, ["--format", "json", "--", ...files], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.error) throw r.error;
    if (r.status !== 0 && !r.stdout.trim().startsWith("["))
      throw new Error(`cfn-lint exited ${r.status}: ${r.stderr}`);
    return { findings: JSON.parse(r.stdout || "[]") as CfnLintFinding[], version };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
