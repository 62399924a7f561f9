/**
 * Issue 14, injection into credential files: hostile names, usernames, URLs and passwords go through every
 * creds generator (and through the --write merge into a file an earlier hostile run wrote), and the result
 * is read back by the real parsers: Python's configparser.RawConfigParser (what pip 23 and twine 4 use),
 * netrc (what requests uses) and tomllib, and a POSIX shell (dash) sourcing the env and poetry lines.
 * Every value must come back exactly as it went in — or the generator must have refused it with a clear
 * error naming the flag. One python3 and one sh process per property run, with many cases each.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  credentialUrls,
  poetryHttpBasicEnv,
  renderCreds,
  type CredFormat,
  type CredsInput,
} from "../../../src/creds/formats.js";
import { mergeFor } from "../../../src/creds/merge.js";
import { UsageError } from "../../../src/errors.js";

const tmp = mkdtempSync(join(tmpdir(), "pypictl-roundtrip-"));
const READER = join(import.meta.dirname, "..", "..", "helpers", "read-client-configs.py");

/** Pieces that break INI, TOML, netrc, shell quoting or URLs when written carelessly. */
const PIECES = [
  "\n",
  "\r",
  "\t",
  " ",
  "\u00a0",
  "\u2028",
  "\u0085",
  "\u0000",
  "\u007f",
  "\ufeff",
  "\ud800",
  '"',
  "'",
  "\\",
  "$",
  "`",
  "$(touch PWNED)",
  "`touch PWNED`",
  "${HOME}",
  "%",
  "%%",
  "%(x)s",
  "%41",
  "%zz",
  "#",
  ";",
  "[",
  "]",
  "[evil]",
  "=",
  ":",
  "@",
  "/",
  "?",
  "&",
  "{",
  "}",
  "machine",
  "password",
  "login",
  "default",
  "macdef",
  "é",
  "😀",
  "\u0301",
];
const hostile = fc
  .array(
    fc.oneof(
      fc.constantFrom(...PIECES),
      fc.string({ unit: "grapheme", maxLength: 3 }),
      fc.string({ unit: "binary", maxLength: 2 }),
    ),
    { maxLength: 6 },
  )
  .map((a) => a.join(""));
const printable = fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 16 });

// Mostly valid names and hosts, so most cases reach the parsers with their hostile username and password.
const name = fc.oneof(
  { arbitrary: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,12}$/), weight: 4 },
  { arbitrary: hostile, weight: 1 },
);
const username = fc.oneof(fc.stringMatching(/^[A-Za-z0-9._@+-]{1,12}$/), printable, hostile);
const password = fc.oneof(printable, hostile);
const host = fc.oneof(
  {
    arbitrary: fc.constantFrom(
      "pypi.example.com",
      "PyPI.Example.COM",
      "127.0.0.1",
      "h",
      "xn--lzg.com",
      "€.com",
      "pypi-1.internal",
      "[::1]",
    ),
    weight: 4,
  },
  { arbitrary: hostile.map((h) => `a${h}b.example.com`), weight: 1 },
);
const url = fc
  .tuple(
    fc.constantFrom("http", "https", "HTTPS"),
    host,
    fc.constantFrom("", ":8080", ":443"),
    fc.oneof(
      {
        arbitrary: fc.constantFrom(
          "",
          "/",
          "/simple",
          "/simple/",
          "/pypi/simple/",
          "/x?y=1",
          "/x#frag",
          "/%41",
          "/a'b",
          '/a"b',
          "/$(x)",
        ),
        weight: 3,
      },
      { arbitrary: hostile.map((p) => `/${p}`), weight: 1 },
    ),
  )
  .map(([s, h, port, path]) => `${s}://${h}${port}${path}`);

const caseArb = fc.record({ name, username, password, url });
/** Inputs every client config can hold: they must never be refused. */
const benignArb = fc.record({
  name: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,12}$/),
  username: fc.stringMatching(/^[!-9;-~]{1,12}$/), // printable ASCII without ":"
  password: fc.string({ unit: "grapheme-ascii", maxLength: 16 }).map((p) => p.trim()),
  url: fc.constantFrom(
    "https://pypi.example.com",
    "https://pypi.example.com/simple/",
    "http://127.0.0.1:8080/pypi/",
    "https://PyPI.Example.COM/simple",
  ),
});

const FORMATS: CredFormat[] = ["env", "uv-env", "pip.conf", "pypirc", "netrc", "uv", "poetry", "json"];
const MERGED: CredFormat[] = ["env", "uv-env", "pip.conf", "pypirc", "netrc", "uv"];

type Rendered = { input: CredsInput; format: CredFormat; text: string; merged: boolean };

/** Render, or the refusal: a UsageError naming the flag (anything else is a bug). */
function render(format: CredFormat, input: CredsInput): { text: string } | { refused: string } {
  try {
    return { text: renderCreds(format, input, { mask: false }) };
  } catch (e) {
    expect(e, `${format} ${JSON.stringify(input)}: ${String(e)}`).toBeInstanceOf(UsageError);
    const message = (e as Error).message;
    expect(message).toMatch(/^(--format \S+|--name|--url): /);
    return { refused: message };
  }
}

interface PyCase {
  id: string;
  kind: "pip.conf" | "pypirc" | "netrc" | "uv" | "url";
  text: string;
  url?: string;
}
type UrlParts = {
  hostname: string | null;
  port: number | null;
  path: string;
  query: string;
  fragment: string;
  username: string | null;
  password: string | null;
};

function python(cases: PyCase[]): Map<string, { values?: unknown; error?: string }> {
  const r = spawnSync("python3", [READER], {
    input: JSON.stringify(cases),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(r.status, r.stderr).toBe(0);
  return new Map(
    (JSON.parse(r.stdout) as Array<{ id: string; values?: unknown; error?: string }>).map((a) => [a.id, a]),
  );
}

const VARS: Partial<Record<CredFormat, string[]>> = {
  env: ["PIP_INDEX_URL", "TWINE_REPOSITORY_URL", "TWINE_USERNAME", "TWINE_PASSWORD"],
  "uv-env": [
    "UV_DEFAULT_INDEX",
    "UV_INDEX_URL",
    "UV_PUBLISH_URL",
    "UV_PUBLISH_USERNAME",
    "UV_PUBLISH_PASSWORD",
  ],
};

/**
 * Source each file in a POSIX sh (a subshell each) and print its variables, or the arguments the
 * `poetry` lines pass (poetry stubbed as a function). Separators are control characters, which no
 * accepted value may contain.
 */
function shell(
  files: Array<{ id: string; format: CredFormat; text: string; vars?: string[] }>,
): Map<string, string[][]> {
  const script = [
    `poetry() { for a in "$@"; do printf '%s\\036' "$a"; done; printf '\\035'; }`,
    ...files.map((f, i) => {
      const path = join(tmp, `case-${i}.sh`);
      writeFileSync(path, f.text);
      const vars = f.vars ?? VARS[f.format];
      const print = vars
        ? `printf '${vars.map(() => "%s\\036").join("")}\\035' ${vars.map((v) => `"$${v}"`).join(" ")}`
        : ":";
      return `( . '${path}'; ${print} ); printf '\\034'`;
    }),
  ].join("\n");
  const r = spawnSync("sh", ["-c", script], {
    cwd: tmp,
    encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: tmp },
    maxBuffer: 64 * 1024 * 1024,
  });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const outs = r.stdout.split("\x1c").slice(0, files.length);
  expect(outs.length).toBe(files.length);
  return new Map(
    files.map((f, i) => [
      f.id,
      outs[i]!.split("\x1d")
        .filter((x, k, all) => k < all.length - 1)
        .map((line) => line.split("\x1e").slice(0, -1)),
    ]),
  );
}

/** Check one batch: render (and merge) everything, read it all back with one python3 and one sh. */
function roundTrip(batch: CredsInput[], opts: { mustAccept: boolean }): void {
  const rendered = new Map<string, Rendered>();
  let refusals = 0;
  batch.forEach((input, i) => {
    for (const format of FORMATS) {
      const r = render(format, input);
      if ("refused" in r) {
        refusals++;
        expect(opts.mustAccept, `${format} refused ${JSON.stringify(input)}: ${r.refused}`).toBe(false);
        continue;
      }
      rendered.set(`${i}:${format}`, { input, format, text: r.text, merged: false });
      // --write over the file an earlier (hostile) run wrote: only our lines change, to the new values.
      const previous = i > 0 ? batch[i - 1]! : undefined;
      const before = previous && MERGED.includes(format) ? render(format, previous) : undefined;
      if (before && "text" in before)
        rendered.set(`${i}:${format}:merged`, {
          input,
          format,
          text: mergeFor(format, before.text, input, r.text, "file").text,
          merged: true,
        });
    }
  });

  const sh = shell(
    [...rendered]
      .filter(([, r]) => r.format === "env" || r.format === "uv-env" || r.format === "poetry")
      .map(([id, r]) => ({
        id,
        format: r.format,
        text: r.text,
        ...(r.format === "poetry" ? { vars: Object.values(poetryHttpBasicEnv(r.input.name)) } : {}),
      })),
  );
  expect(existsSync(join(tmp, "PWNED")), "sourcing a generated file ran a command").toBe(false);

  const py: PyCase[] = [];
  for (const [id, r] of rendered) {
    py.push({ id: `${id}:input-url`, kind: "url", text: r.input.url });
    if (r.format === "pip.conf" || r.format === "pypirc" || r.format === "uv")
      py.push({ id, kind: r.format, text: r.text });
    // requests looks the request URL's host up (pip's index URL carries no credentials when netrc is used).
    // The URL as the other formats write it (pip.conf without credentials, when netrc supplies them).
    if (r.format === "netrc")
      py.push({ id, kind: "netrc", text: r.text, url: credentialUrls(r.input, { mask: false }).index });
    for (const [k, line] of (sh.get(id) ?? []).entries())
      for (const [j, v] of line.entries()) py.push({ id: `${id}:sh:${k}:${j}`, kind: "url", text: v });
  }
  const read = python(py);
  const values = (id: string) => {
    const a = read.get(id);
    const r = rendered.get(id);
    expect(
      a?.error,
      `${id}: ${a?.error}${r ? `\n${JSON.stringify(r.input)}\n${r.text}` : ""}`,
    ).toBeUndefined();
    return a!.values;
  };

  for (const [id, r] of rendered) {
    const { input } = r;
    const where = `${id} ${JSON.stringify(input)}\n${r.text}`;
    const target = values(`${id}:input-url`) as UrlParts;
    /** An index or upload URL as pip/twine/uv would split it: same host and port, the credentials (if any) intact. */
    const sameServer = (parts: UrlParts, withCredentials: boolean, pathEnd: string) => {
      expect([parts.hostname, parts.port], where).toEqual([target.hostname, target.port]);
      expect(parts.path.endsWith(pathEnd), `${where}\npath ${parts.path}`).toBe(true);
      expect([parts.query, parts.fragment], where).toEqual(["", ""]);
      if (withCredentials)
        expect([parts.username, parts.password], where).toEqual([input.username, input.password]);
      else expect(parts.username, where).toBeNull();
    };
    const shUrl = (k: number, j: number) => values(`${id}:sh:${k}:${j}`) as UrlParts;
    switch (r.format) {
      case "env":
      case "uv-env": {
        const [line] = sh.get(id)!;
        expect(line, where).toBeDefined();
        const [user, pass] = line!.slice(-2);
        expect([user, pass], where).toEqual([input.username, input.password]);
        const urls = line!.slice(0, -2);
        urls.forEach((_, j) =>
          sameServer(shUrl(0, j), j < urls.length - 1, j < urls.length - 1 ? "/simple/" : "/"),
        );
        break;
      }
      case "poetry": {
        const lines = sh.get(id)!;
        expect(
          lines.map((l) => l.slice(0, 2)),
          where,
        ).toEqual([
          ["source", "add"],
          ["config", `repositories.${input.name}`],
          // The variables poetry reads http-basic.<name>.username/.password from, as the shell left them.
          [input.username, input.password],
        ]);
        expect(lines[0]!.slice(2, 4), where).toEqual(["--priority=primary", input.name]);
        sameServer(shUrl(0, 4), false, "/simple/");
        sameServer(shUrl(1, 2), false, "/");
        // The two poetry command lines carry the name and URLs only: never the password (process list, history).
        expect([lines[0]!.length, lines[1]!.length], where).toEqual([5, 3]);
        break;
      }
      case "pip.conf":
        sameServer((values(id) as { parts: UrlParts }).parts, true, "/simple/");
        break;
      case "pypirc": {
        const v = values(id) as {
          servers: string[];
          repos: Record<string, { parts: UrlParts; username: string; password: string }>;
        };
        expect(v.servers, where).toContain(input.name);
        const repo = v.repos[input.name]!;
        expect([repo.username, repo.password], where).toEqual([input.username, input.password]);
        sameServer(repo.parts, false, "/");
        break;
      }
      case "netrc":
        expect(values(id), where).toEqual({ login: input.username, password: input.password });
        break;
      case "uv": {
        const v = values(id) as {
          index: Array<{ name: string; default: boolean; parts: UrlParts; publish: UrlParts }>;
        };
        const ours = v.index.filter((x) => x.name === input.name);
        expect(ours.length, where).toBe(1);
        expect(ours[0]!.default, where).toBe(true);
        sameServer(ours[0]!.parts, true, "/simple/");
        sameServer(ours[0]!.publish, false, "/");
        break;
      }
      case "json": {
        const j = JSON.parse(r.text) as Record<string, string>;
        expect([j.name, j.username, j.password], where).toEqual([input.name, input.username, input.password]);
        break;
      }
    }
  }
  if (opts.mustAccept) expect(refusals).toBe(0);
  // A generator that refused nearly everything would pass trivially: most hostile values must go through.
  else expect(rendered.size, `${refusals} refusals`).toBeGreaterThan(batch.length);
  if (process.env.ROUNDTRIP_STATS)
    console.log(`accepted ${rendered.size} (merges included), refused ${refusals}`);
}

describe("creds files read back by the real parsers", () => {
  it("hostile names, usernames, URLs and passwords: every value round-trips, or the input is refused naming the flag", () => {
    fc.assert(
      fc.property(fc.array(caseArb, { minLength: 40, maxLength: 40 }), (batch) =>
        roundTrip(batch, { mustAccept: false }),
      ),
      { numRuns: Number(process.env.ROUNDTRIP_RUNS ?? 5), endOnFailure: true },
    );
  }, 60_000);

  it("inputs every client can hold (printable ASCII, valid names and URLs) are never refused", () => {
    fc.assert(
      fc.property(fc.array(benignArb, { minLength: 40, maxLength: 40 }), (batch) =>
        roundTrip(batch, { mustAccept: true }),
      ),
      { numRuns: 3, endOnFailure: true },
    );
  }, 60_000);
});
