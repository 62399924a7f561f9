/**
 * Hints are check metadata (issue 8/10): what a finding shows must be one of its check's declared templates,
 * so docs/checks.md and `--explain` list every hint a user can get; and nothing a user reads — hints,
 * messages, descriptions, help, docs, the README, the packaged examples, reports — points at a file they do
 * not have (the project's FACTS.md, the Terraform module's TROUBLESHOOTING.md, a session's working notes).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHECKS } from "../../../src/checks/registry.js";
import { SOURCE_FAILURE_HINTS } from "../../../src/checks/runner.js";
import { runCli } from "../../../src/cli/main.js";
import { captureIo } from "../../helpers/io.js";

const root = join(import.meta.dirname, "..", "..", "..");
const examples = readdirSync(join(root, "examples"))
  .filter((f) => f.endsWith(".json"))
  .sort();
const docFiles = readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md"));

/** A template as a pattern: `{{name}}` matches any text (including none: some fill-ins are optional). */
function templatePattern(template: string): RegExp {
  const parts = template.split(/\{\{\s*[\w.-]+\s*\}\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join("[\\s\\S]*?")}$`);
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIo();
  const code = await runCli(args, io);
  return { code, out: io.stdout.text, err: io.stderr.text };
}

interface ReportFinding {
  checkId: string;
  hints: string[];
}

/** Every packaged example replayed into a JSON report (the same findings every format renders). */
async function replayAll(): Promise<Array<{ file: string; report: string; findings: ReportFinding[] }>> {
  const out = [];
  for (const file of examples) {
    const r = await cli(["doctor", "--replay", `example:${file.replace(/\.json$/, "")}`, "--format", "json"]);
    out.push({
      file,
      report: r.out,
      findings: (JSON.parse(r.out) as { findings: ReportFinding[] }).findings,
    });
  }
  return out;
}

/** References a user cannot follow: the project's own notes, the module's guide, a path on this machine. */
const INTERNAL = [
  /\bFACTS(?:\.md)?\b/,
  /\bTROUBLESHOOTING\b/,
  /troubleshooting\.md/i,
  /\bSIZING\.md\b/,
  /\bDESIGN\.md\b/,
  /\bseed\//,
  /\/work\//,
  /\.\.\/shared\b/,
  /§\s*\d/,
];
const shippedMarkdown = new Set(["README.md", ...docFiles]);

function internalReferences(label: string, text: string): string[] {
  const found = INTERNAL.filter((re) => re.test(text)).map(
    (re) => `${label}: ${re} in …${text.slice(Math.max(0, text.search(re) - 40), text.search(re) + 40)}…`,
  );
  for (const m of text.matchAll(/[\w./-]+\.md\b/g)) {
    const name = m[0].split("/").pop()!;
    if (!shippedMarkdown.has(name)) found.push(`${label}: names ${m[0]}, which pypictl does not ship`);
  }
  return found;
}

describe("hints are check metadata", () => {
  it("every check that can give a hint declares it, and the templates are distinct per check", () => {
    for (const c of CHECKS) {
      const hints = Object.values(c.hints ?? {});
      expect(hints.length, `${c.id} declares no hints`).toBeGreaterThan(0);
      for (const h of hints) expect(h.trim().length, c.id).toBeGreaterThan(15);
    }
  });

  it("every hint in every replayed example is one of its check's declared templates", async () => {
    const failureTemplates = Object.values(SOURCE_FAILURE_HINTS);
    const undeclared: string[] = [];
    let seen = 0;
    for (const { file, findings } of await replayAll())
      for (const f of findings) {
        const templates = [
          ...Object.values(CHECKS.find((c) => c.id === f.checkId)?.hints ?? {}),
          ...failureTemplates,
        ];
        for (const h of f.hints) {
          seen++;
          if (!templates.some((t) => templatePattern(t).test(h)))
            undeclared.push(`${file} ${f.checkId}: ${h}`);
        }
      }
    expect(seen).toBeGreaterThan(30);
    expect(undeclared).toEqual([]);
  });

  it("the matcher is strict: a hint not in the metadata does not pass", () => {
    expect(
      templatePattern("Raise it from {{now}} to {{next}} MiB.").test("Raise it from 512 to 1024 MiB."),
    ).toBe(true);
    expect(
      templatePattern("Raise it from {{now}} to {{next}} MiB.").test("Lower it from 512 to 256 MiB."),
    ).toBe(false);
    expect(templatePattern("Size it.{{hostMemory}}").test("Size it.")).toBe(true);
  });
});

describe("nothing a user reads points at a file they do not have", () => {
  it("check metadata: titles, descriptions, messages, hints, threshold meanings", () => {
    const found = CHECKS.flatMap((c) => [
      ...internalReferences(`${c.id} title`, c.title),
      ...internalReferences(`${c.id} description`, c.description),
      ...Object.entries(c.messages).flatMap(([id, t]) => internalReferences(`${c.id} message ${id}`, t)),
      ...Object.entries(c.hints ?? {}).flatMap(([id, t]) => internalReferences(`${c.id} hint ${id}`, t)),
      ...Object.entries(c.thresholds).flatMap(([n, t]) => internalReferences(`${c.id}.${n}`, t.description)),
    ]);
    found.push(
      ...Object.entries(SOURCE_FAILURE_HINTS).flatMap(([id, t]) =>
        internalReferences(`source-failure hint ${id}`, t),
      ),
    );
    expect(found).toEqual([]);
  });

  it("docs, README and the packaged examples", () => {
    const found = [
      ...internalReferences("README.md", readFileSync(join(root, "README.md"), "utf8")),
      ...docFiles.flatMap((f) =>
        internalReferences(`docs/${f}`, readFileSync(join(root, "docs", f), "utf8")),
      ),
      ...examples.flatMap((f) =>
        internalReferences(`examples/${f}`, readFileSync(join(root, "examples", f), "utf8")),
      ),
    ];
    expect(found).toEqual([]);
  });

  it("what the CLI prints: --help of every command, --explain of every check, --list, --examples, reports", async () => {
    const texts: Array<[string, string]> = [];
    for (const args of [
      ["--help"],
      ...["doctor", "creds", "synth", "diff", "deploy", "destroy", "bootstrap", "completion"].map((c) => [
        c,
        "--help",
      ]),
      ["doctor", "--list"],
      ["doctor", "--examples"],
    ]) {
      const r = await cli(args);
      texts.push([args.join(" "), r.out + r.err]);
    }
    for (const c of CHECKS) {
      const r = await cli(["doctor", "--explain", c.id]);
      expect(r.out, c.id).toContain("Remediation hints");
      texts.push([`--explain ${c.id}`, r.out]);
    }
    for (const { file, report } of await replayAll()) texts.push([`report of ${file}`, report]);
    expect(texts.flatMap(([label, t]) => internalReferences(label, t))).toEqual([]);
  });

  it("catches the references it is for", () => {
    expect(internalReferences("x", "see FACTS.md §2")).toHaveLength(3);
    expect(internalReferences("x", "as the troubleshooting guide (TROUBLESHOOTING.md) says")).toHaveLength(3);
    expect(internalReferences("x", "docs/checks.md lists them; README.md too")).toEqual([]);
  });
});
