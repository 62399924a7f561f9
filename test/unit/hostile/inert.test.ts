/**
 * Issue 25: text from AWS or a bundle never drives the terminal. A stop reason or service event message
 * is free text (anyone with ecs:StopTask writes it); replayed through every format and through --watch,
 * what the CLI prints carries no control, C1, bidi or invisible formatting character — only escapes of
 * them — Markdown cannot be restyled, JUnit stays valid XML, JSON keeps the value.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { runCli } from "../../../src/cli/main.js";
import { captureIo } from "../../helpers/io.js";
import { inertAround, inertDeep, inertJson, inertStream, inertText } from "../../../src/cli/render/inert.js";
import { watchDoctor } from "../../../src/cli/commands/doctor-watch.js";
import { CHECKS } from "../../../src/checks/registry.js";
import { loadSource } from "../../../src/sources/registry.js";
import { DEFAULT_GATHER_SETTINGS } from "../../../src/sources/context.js";
import { renderCreds } from "../../../src/creds/formats.js";
import type { EvidenceBundle } from "../../../src/evidence/bundle.js";

const tmp = mkdtempSync(join(tmpdir(), "pypictl-inert-"));
const example = JSON.parse(
  readFileSync(join(import.meta.dirname, "../../../examples/fleet-oom-kills.json"), "utf8"),
) as EvidenceBundle & { sources: Record<string, { value: Record<string, unknown> }> };

/** What no printed text may hold: controls (but the layout's \n and \t), C1, Cf, Zl/Zp, lone surrogates. */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\p{Cf}\p{Zl}\p{Zp}\p{Cs}\uFFFE\uFFFF]/u;
const ATTACK = "\x1b]0;pwned\x07\x1b[2J";

type Tasks = { stoppedReason: string; containers: { reason: string }[] }[];
type Events = { message: string }[];

function evil(text: string): EvidenceBundle {
  const b = structuredClone(example);
  const tasks = b.sources["ecs.stopped-tasks"]!.value.tasks as Tasks;
  for (const t of tasks) {
    t.stoppedReason = `Stopped ${text} by hand`;
    for (const c of t.containers) c.reason = `OutOfMemoryError: ${text}`;
  }
  const events = b.sources["ecs.service"]!.value.events as Events;
  for (const e of events) e.message = `(service pypiserver) ${text} has started 1 tasks`;
  return b;
}

function write(b: EvidenceBundle, name: string): string {
  const file = join(tmp, name);
  writeFileSync(file, JSON.stringify(b));
  return file;
}

async function replay(file: string, format: string, extra: string[] = []) {
  const io = captureIo();
  const code = await runCli(["doctor", "--replay", file, "--format", format, ...extra], io);
  return { code, out: io.stdout.text, err: io.stderr.text };
}

/** A small well-formedness and XML 1.0 character check (the report's JUnit uses no CDATA, PI or DTD). */
function assertValidXml(xml: string): void {
  expect(xml).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\uFFFE\uFFFF]|\p{Cs}/u);
  const body = xml.replace(/^<\?xml [^?]*\?>\n/, "");
  const stack: string[] = [];
  const entity = /&(?:lt|gt|amp|quot|apos);/g;
  for (const tok of body.match(/<[^>]*>|[^<]+/g) ?? []) {
    if (tok.startsWith("<")) {
      const m = /^<(\/?)([\w.:-]+)((?:\s+[\w.:-]+="[^"<]*")*)\s*(\/?)>$/.exec(tok);
      expect(m, `bad tag ${tok}`).not.toBeNull();
      expect(m![3]!.replace(entity, "")).not.toContain("&");
      if (m![1]) expect(stack.pop()).toBe(m![2]);
      else if (!m![4]) stack.push(m![2]!);
    } else {
      expect(tok.replace(entity, "")).not.toContain("&");
      expect(tok).not.toContain(">");
    }
  }
  expect(stack).toEqual([]);
}

describe("inertText", () => {
  it("escapes every code point class a terminal or a parser acts on, and leaves readable text alone", () => {
    expect(inertText(ATTACK)).toBe("\\x1b]0;pwned\\x07\\x1b[2J");
    expect(inertText("a\u202eb\u2066c\u200bd\ufeff")).toBe("a\\u202eb\\u2066c\\u200bd\\ufeff");
    expect(inertText("\u009b2J\u0085\u007f")).toBe("\\x9b2J\\x85\\x7f");
    expect(inertText("x\ud800y\udc00")).toBe("x\\ud800y\\udc00");
    expect(inertText("\u2028\u2029\ufffe\uffff")).toBe("\\u2028\\u2029\\ufffe\\uffff");
    expect(inertText("\u{e0041}")).toBe("\\u{e0041}");
    expect(inertText("line\nbreak\ttab")).toBe("line\\nbreak\\ttab");
    const readable = "Essential container exited — ünïcødé 日本 😀 <a|b> `x` 100 %";
    expect(inertText(readable)).toBe(readable);
  });

  it("inertStream keeps the layout's line breaks, tabs and colours; inertJson keeps the JSON value", () => {
    expect(inertStream("\x1b[31mred\x1b[39m\n\tok\x1b]0;t\x07")).toBe(
      "\x1b[31mred\x1b[39m\n\tok\\x1b]0;t\\x07",
    );
    const value = { s: `${ATTACK}\u202e\u0085\u2028\ud800` };
    const text = inertJson(JSON.stringify(value, null, 2));
    expect(text).not.toMatch(UNSAFE);
    expect(JSON.parse(text)).toEqual(value);
  });

  it("inertAround keeps the password byte for byte and escapes what is around it", () => {
    const pw = "p\u200bw\u202e!";
    expect(inertAround(`user\x1b[2J ${pw} end\u202e`, [pw])).toBe(`user\\x1b[2J ${pw} end\\u202e`);
  });

  it("inertDeep returns clean parts as they are and copies only what changes", () => {
    const clean = { a: [1, "x", { b: "y" }], c: new Float64Array(2) };
    expect(inertDeep(clean)).toBe(clean);
    const dirty = { a: [1, "x\x1b"], keep: { b: "y" } };
    const out = inertDeep(dirty);
    expect(out).toEqual({ a: [1, "x\\x1b"], keep: { b: "y" } });
    expect(out.keep).toBe(dirty.keep);
    expect(dirty.a[1]).toBe("x\x1b");
  });
});

describe("the issue's repro: a stop reason and service events with OSC and CSI", () => {
  const file = write(evil(ATTACK), "evil.json");

  it.each(["human", "markdown", "junit", "html"])("--format %s prints them escaped, never raw", async (f) => {
    const r = await replay(file, f);
    expect(r.code).toBe(1);
    expect(r.out + r.err).not.toMatch(UNSAFE);
    expect(r.out).toContain(f === "markdown" ? "\\\\x1b\\]0;pwned" : "\\x1b]0;pwned\\x07\\x1b[2J");
  });

  it("--format json keeps the value, escaped as JSON", async () => {
    const r = await replay(file, "json");
    expect(r.out).not.toMatch(UNSAFE);
    expect(r.out).toContain("\\u001b]0;pwned");
    const report = JSON.parse(r.out) as { findings: { message: string }[] };
    expect(JSON.stringify(report)).toContain("\\u001b]0;pwned\\u0007");
  });

  it("markdown escapes what Markdown or its HTML would interpret", async () => {
    const b = evil("<img src=x onerror=alert(1)> `code` | cell | **bold** [l](http://x) &lt;");
    const r = await replay(write(b, "md.json"), "markdown");
    // A fenced block (the timeline) is literal text to Markdown: what matters is outside it.
    const md = r.out.replace(/^(`{3,})\n[\s\S]*?\n\1$/gm, "");
    expect(r.out).toMatch(/^```/m);
    expect(md).not.toMatch(/(?<!\\)<img/);
    expect(md).not.toMatch(/(?<!\\)`code/);
    expect(md).not.toMatch(/(?<!\\)&lt;/);
    // Every table row keeps its columns: no pipe from the data splits a cell.
    for (const row of md.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("|---"))) {
      const cells = row.replace(/\\\|/g, "").split("|").length;
      expect([5, 7]).toContain(cells);
    }
  });
});

/** Hostile strings: every code-point class mixed with markup and ordinary text. */
const hostile = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        "\x1b]52;c;cHduZWQ=\x07",
        "\x1b[2J",
        "\u009b2J",
        "\u202e",
        "\u2066",
        "\u200b",
        "\ufeff",
        "\u2028",
        "\r",
        "\n",
        "\t",
        "\x00",
        "\ud800",
        "\udfff",
        "\ufffe",
        "\uffff",
        "\u{e0041}",
        "<",
        ">",
        "&",
        '"',
        "'",
        "`",
        "|",
        "]]>",
        "<!--",
        "*",
        "_",
        "#",
        "\\",
      ),
      fc.string({ unit: "binary", maxLength: 6 }),
      fc.string({ unit: "grapheme", maxLength: 6 }),
      fc
        .integer({ min: 0, max: 0x10ffff })
        .map((cp) => (cp >= 0xd800 && cp <= 0xdfff ? String.fromCharCode(cp) : String.fromCodePoint(cp))),
    ),
    { minLength: 1, maxLength: 12 },
  )
  .map((parts) => parts.join(""));

describe("property: hostile text through every format", () => {
  it("no format prints an unsafe character; JUnit is valid XML; JSON keeps the value", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(hostile, async (text) => {
        const file = write(evil(text), `p${n++}.json`);
        for (const f of ["human", "markdown", "junit", "html"]) {
          const r = await replay(file, f);
          expect(r.out + r.err).not.toMatch(UNSAFE);
          if (f === "junit") assertValidXml(r.out);
        }
        const j = await replay(file, "json");
        expect(j.out).not.toMatch(UNSAFE);
        expect(() => JSON.parse(j.out) as unknown).not.toThrow();
        // The same value to a parser: nothing but the escaping changed.
        const value = { text, nested: [text, { [text]: text }] };
        expect(JSON.parse(inertJson(JSON.stringify(value, null, 2)))).toEqual(value);
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});

describe("property: hostile text through --watch (change lines and the terminal screen)", () => {
  async function watchOnce(text: string, tty: boolean) {
    const b = evil("first");
    const plan = {
      since: "1h",
      timeoutMs: 10_000,
      report: { format: "human", failOn: "fail", color: false, quiet: false, verbose: false },
    };
    const io = captureIo({}, { tty });
    const controller = new AbortController();
    const replayInput = { evidence: b.sources, file: "evil.json", gatheredAt: b.createdAt };
    const run = {
      checks: CHECKS.filter((c) => c.id.startsWith("ecs.")),
      overrides: {},
      target: b.target,
      settings: DEFAULT_GATHER_SETTINGS,
      toolVersion: "test",
      load: loadSource,
      now: () => new Date(b.window.end),
      replay: replayInput,
    };
    const done = watchDoctor({
      doctor: plan,
      watch: { intervalMs: 30, hosts: false },
      io,
      now: () => new Date(b.window.end),
      run,
      signal: controller.signal,
    } as never);
    const rounds = () =>
      tty ? io.stdout.text.split("round ").length - 1 : io.stderr.text.split("watch: round").length - 1;
    while (rounds() < 1) await new Promise((r) => setTimeout(r, 5));
    // Round 2 sees new events: the stop reasons and service events now carry the hostile text.
    replayInput.evidence = evil(text).sources;
    // A round may be under way with the old evidence: two more rounds surely read the new.
    const until = rounds() + 2;
    while (rounds() < until) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const code = await done;
    return { code, out: io.stdout.text, err: io.stderr.text };
  }

  it("prints no unsafe character in change lines, on the screen or in the final report", async () => {
    const r = await watchOnce(ATTACK, false);
    expect(r.out).toMatch(/EVENT: .*\\x1b\]0;pwned/);
    expect(r.out + r.err).not.toMatch(UNSAFE);
    await fc.assert(
      fc.asyncProperty(hostile, fc.boolean(), async (text, tty) => {
        const w = await watchOnce(text, tty);
        // The screen's own clear sequence is the one escape a terminal acts on.
        const shown = w.out.split("\x1b[H\x1b[2J").join("");
        expect(shown + w.err).not.toMatch(UNSAFE);
      }),
      { numRuns: 15 },
    );
  }, 120_000);
});

describe("error messages", () => {
  it("escape what a path, a flag value or a bundle put in them", async () => {
    const io = captureIo();
    const code = await runCli(["doctor", "--replay", `/nonexistent/${ATTACK}\u202e.json`], io);
    expect(code).toBe(2);
    expect(io.stderr.text).toContain("\\x1b]0;pwned\\x07");
    expect(io.stderr.text).toContain("\\u202e");
    expect(io.stderr.text).not.toMatch(UNSAFE);
  });
});

describe("creds: what it prints around the credentials", () => {
  it("keeps the password verbatim and refuses a username with invisible formatting characters", () => {
    const input = {
      url: "https://pypi.example.com",
      username: "alice",
      password: "p\u200bss",
      name: "pypictl",
    };
    expect(renderCreds("env", input, { mask: false })).toContain("p%E2%80%8Bss");
    expect(() => renderCreds("pypirc", { ...input, username: "ali\u202ece" }, { mask: false })).toThrow(
      /username contains an invisible formatting character/,
    );
    expect(() =>
      renderCreds("env", { ...input, url: "https://pypi.example.com/\u202e" }, { mask: false }),
    ).toThrow(/invisible formatting/);
  });
});
