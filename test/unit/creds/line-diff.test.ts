/**
 * `creds --write --dry-run`'s diff (lineDiff): the same minimal diffs as the LCS table it replaces, in
 * linear-ish time (issue 26: a 30,000-line file ran out of heap).
 */
import { describe, expect, it } from "vitest";
import { MAX_DIFF_EDITS, lineDiff } from "../../../src/creds/merge.js";

/** The edits a diff shows, applied back: the lines of `before` kept and removed, `after`'s added. */
function sides(diff: string): { before: string[]; after: string[]; edits: number } {
  const before: string[] = [];
  const after: string[] = [];
  let edits = 0;
  for (const line of diff.split("\n").slice(2, -1)) {
    const op = line[0];
    const text = line.slice(1);
    if (op !== "+") before.push(text);
    if (op !== "-") after.push(text);
    if (op !== " ") edits++;
  }
  return { before, after, edits };
}

/** The LCS length, the textbook way (quadratic; small inputs only): a minimal diff has n + m − 2·lcs edits. */
function lcsLength(a: string[], b: string[]): number {
  const t = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      t[i]![j] = a[i] === b[j] ? t[i + 1]![j + 1]! + 1 : Math.max(t[i + 1]![j]!, t[i]![j + 1]!);
  return t[0]![0]!;
}

/** A deterministic pseudo-random sequence (mulberry32), so a failure reproduces. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const text = (lines: string[]) => (lines.length ? `${lines.join("\n")}\n` : "");

describe("lineDiff", () => {
  it("keeps its format: 2 lines of context, @@ between hunks, (new file)", () => {
    expect(lineDiff("a\nb\n", "a\nc\n", "f")).toBe("--- f\n+++ f\n a\n-b\n+c\n");
    expect(lineDiff("", "x\n", "f")).toBe("--- f (new file)\n+++ f\n+x\n");
    const before = text(["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"]);
    const after = text(["1", "2", "3", "4", "5", "6", "7", "8", "9", "ten"]);
    expect(lineDiff(before, after, "f")).toBe("--- f\n+++ f\n@@\n 8\n 9\n-10\n+ten\n");
    const both = text(["one", "2", "3", "4", "5", "6", "7", "8", "9", "ten"]);
    expect(lineDiff(before, both, "f")).toBe("--- f\n+++ f\n-1\n+one\n 2\n 3\n@@\n 8\n 9\n-10\n+ten\n");
  });

  it("is a minimal diff (as many edits as the LCS says) that turns one side into the other, on 250+ random pairs", () => {
    const r = rng(26);
    const alphabet = ["a", "b", "c", "d", "[global]", "index-url = x", ""];
    let judged = 0;
    for (let n = 0; n < 400; n++) {
      const a = Array.from(
        { length: Math.floor(r() * 12) },
        () => alphabet[Math.floor(r() * alphabet.length)]!,
      );
      const b = a.filter(() => r() > 0.2);
      for (let k = Math.floor(r() * 6); k > 0; k--)
        b.splice(Math.floor(r() * (b.length + 1)), 0, alphabet[Math.floor(r() * alphabet.length)]!);
      // Context elision drops lines; judge the full script with context wide enough to keep every line.
      const d = lineDiff(text(a), text(b), "f");
      if (d.includes("\n@@\n")) continue;
      const s = sides(d);
      expect(s.before, d).toEqual(a);
      expect(s.after, d).toEqual(b);
      expect(s.edits, d).toBe(a.length + b.length - 2 * lcsLength(a, b));
      judged++;
    }
    expect(judged).toBeGreaterThan(250);
  });

  it("more than MAX_DIFF_EDITS changed lines: one hunk, still correct", () => {
    const a = Array.from({ length: 3 * MAX_DIFF_EDITS }, (_, i) => `a${i}`);
    const b = Array.from({ length: 3 * MAX_DIFF_EDITS }, (_, i) => `b${i}`);
    const s = sides(lineDiff(text(["head", ...a, "tail"]), text(["head", ...b, "tail"]), "f"));
    expect(s.before).toEqual(["head", ...a, "tail"]);
    expect(s.after).toEqual(["head", ...b, "tail"]);
  });

  it("a 30,000-line file with a few changes: fast, and only the changes and their context shown", () => {
    const lines = Array.from({ length: 30_000 }, (_, i) => `# comment line ${i}`);
    const before = text(["[global]", "index-url = https://old.example/simple/", ...lines]);
    const changed = [...lines];
    changed[15_000] = "# changed";
    const after = text(["[global]", "index-url = https://new.example/simple/", ...changed, "timeout = 5"]);
    const started = performance.now();
    const d = lineDiff(before, after, "pip.conf");
    const ms = performance.now() - started;
    // The LCS table took minutes and ran out of heap here; this is ~10 ms alone, 1 s on a loaded machine.
    expect(ms).toBeLessThan(1_000);
    expect(d.split("\n").filter((l) => /^[-+][^-+]/.test(l))).toEqual([
      "-index-url = https://old.example/simple/",
      "+index-url = https://new.example/simple/",
      "-# comment line 15000",
      "+# changed",
      "+timeout = 5",
    ]);
    expect(d.split("\n").length).toBeLessThan(30);
  });

  it("a 30,000-line file against a rewrite of every line: the one-hunk fallback, fast", () => {
    const before = text(Array.from({ length: 30_000 }, (_, i) => `old ${i}`));
    const after = text(Array.from({ length: 30_000 }, (_, i) => `new ${i}`));
    const started = performance.now();
    const s = sides(lineDiff(before, after, "f"));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(s.edits).toBe(60_000);
  });
});
