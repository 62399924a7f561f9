/**
 * `creds --format poetry` hands poetry the password through its environment, never on a command line.
 * The variable names are checked against poetry's own rule, run in Python as poetry writes it
 * (src/poetry/config/config.py, Config.get: `"POETRY_" + "_".join(k.upper().replace("-", "_") for k in keys)`),
 * and the output is run through bash to read back what a shell that sources it holds.
 */
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { poetryHttpBasicEnv, renderCreds } from "../../../src/creds/formats.js";

const NAMES = ["pypictl", "my-index", "Team_Index-2", "a", "9-lives", "x".repeat(64)];

/** poetry's Config.get variable name for each setting, computed by Python with poetry's expression. */
function poetryRule(settings: string[]): string[] {
  const r = spawnSync(
    "python3",
    [
      "-c",
      [
        "import json, sys",
        'keys = [s.split(".") for s in json.load(sys.stdin)]',
        'print(json.dumps(["POETRY_" + "_".join(k.upper().replace("-", "_") for k in ks) for ks in keys]))',
      ].join("\n"),
    ],
    { input: JSON.stringify(settings), encoding: "utf8" },
  );
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as string[];
}

describe("creds --format poetry", () => {
  it("names the variables exactly as poetry's Config.get derives them", () => {
    const settings = NAMES.flatMap((n) => [`http-basic.${n}.username`, `http-basic.${n}.password`]);
    const ours = NAMES.flatMap((n) => {
      const e = poetryHttpBasicEnv(n);
      return [e.username, e.password];
    });
    expect(ours).toEqual(poetryRule(settings));
    expect(poetryHttpBasicEnv("my-index")).toEqual({
      username: "POETRY_HTTP_BASIC_MY_INDEX_USERNAME",
      password: "POETRY_HTTP_BASIC_MY_INDEX_PASSWORD",
    });
  });

  it("puts the password in the environment, not in any poetry argument (bash reads it back)", () => {
    const password = `p@ss'w"rd $(touch PWNED) \`id\` \\ %41 ;|&`;
    const username = "ci user's";
    const text = renderCreds(
      "poetry",
      { url: "https://pypi.example.com", username, password, name: "my-index" },
      { mask: false },
    );
    expect(text).toContain("poetry config http-basic.my-index 'ci user'\\''s'");
    const lines = text.split("\n");
    // Every command poetry would run (uncommented lines that call it) is free of the password.
    for (const l of lines.filter((l) => /^\s*poetry /.test(l))) expect(l).not.toContain("p@ss");
    const script = [
      // poetry stubbed: record each call's arguments, one line each.
      'poetry() { printf "poetry %s\\n" "$*" >> "$T/calls"; }',
      text,
      'printf "%s\\0%s\\0" "$POETRY_HTTP_BASIC_MY_INDEX_USERNAME" "$POETRY_HTTP_BASIC_MY_INDEX_PASSWORD"',
      // Exported, so poetry (a child process) sees them.
      'env | grep -c "^POETRY_HTTP_BASIC_MY_INDEX_" >&2',
    ].join("\n");
    const tmp = spawnSync("mktemp", ["-d"], { encoding: "utf8" }).stdout.trim();
    const r = spawnSync("bash", ["--norc", "--noprofile", "-c", script], {
      cwd: tmp,
      encoding: "utf8",
      env: { PATH: process.env.PATH, T: tmp },
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split("\0").slice(0, 2)).toEqual([username, password]);
    expect(r.stderr.trim()).toBe("2");
    const calls = spawnSync("cat", [`${tmp}/calls`], { encoding: "utf8" }).stdout;
    expect(calls.split("\n").filter(Boolean)).toEqual([
      "poetry source add --priority=primary my-index https://pypi.example.com/simple/",
      "poetry config repositories.my-index https://pypi.example.com/",
    ]);
    expect(spawnSync("test", ["-e", `${tmp}/PWNED`]).status).not.toBe(0);
    spawnSync("rm", ["-rf", tmp]);
  });
});
