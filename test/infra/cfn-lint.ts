/**
 * Run cfn-lint (the CloudFormation linter, preinstalled on these machines: `cfn-lint --version` → 1.x) over
 * a batch of templates in one invocation per core (its start-up costs seconds; one run per template would
 * dominate the suite). Returns the findings as cfn-lint's JSON reports them, or `undefined` when cfn-lint is not
 * installed: the caller decides (fail in CI, skip locally).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, homedir, tmpdir } from "node:os";
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

/** One cfn-lint process over some files: its findings (JSON), or an error with its stderr. */
function lintBatch(bin: string, files: string[]): Promise<CfnLintFinding[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ["--format", "json", "--", ...files], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    child.on("error", reject);
    // Exit codes are a bit mask of the levels found (2 error, 4 warning, 8 info); the JSON says which.
    child.on("close", (status) => {
      if (status !== 0 && !out.trim().startsWith("[")) reject(new Error(`cfn-lint exited ${status}: ${err}`));
      else resolve(JSON.parse(out || "[]") as CfnLintFinding[]);
    });
  });
}

/**
 * Lint the templates in one cfn-lint process per core (its start-up is ~1.5 s and each template ~2 s of
 * CPU, so a batch per core halves the wall time on the 2-core CI machine).
 */
export async function cfnLint(
  templates: ReadonlyMap<string, unknown>,
): Promise<{ findings: CfnLintFinding[]; version: string } | undefined> {
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
    const n = Math.max(1, Math.min(availableParallelism(), files.length));
    const batches = Array.from({ length: n }, (_, k) => files.filter((_, i) => i % n === k));
    const findings = (await Promise.all(batches.map((b) => lintBatch(bin, b)))).flat();
    return { findings, version };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
