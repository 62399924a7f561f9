/** Pure creds code: encoding, formats, merges, masking. */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { parse as parseToml } from "smol-toml";
import {
  decodeUserinfo,
  encodeUserinfo,
  inspectCredentialUrl,
  rootUrl,
  simpleUrl,
} from "../../../src/creds/encode.js";
import { CRED_FORMATS, renderCreds, type CredsInput } from "../../../src/creds/formats.js";
import {
  lineDiff,
  maskCredentialText,
  mergeNetrc,
  mergePipConf,
  mergePypirc,
  mergeUvToml,
  parseNetrc,
  readIni,
} from "../../../src/creds/merge.js";
import { CREDS_FORMAT_CHOICES } from "../../../src/cli/commands/creds.js";
import { credentialsFromSecretString } from "../../../src/creds/secret.js";

const input: CredsInput = {
  url: "https://pypi.example.com/simple",
  username: "u",
  password: "p@ss:w/rd#1%",
  name: "pypictl",
};

describe("encoding", () => {
  it("is the RFC 3986 userinfo encoding FACTS §6 gives", () => {
    expect(encodeUserinfo("p@ss:w/rd#1%")).toBe("p%40ss%3Aw%2Frd%231%25");
  });
  it("round-trips any string (as Python's unquote decodes it)", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme" }), (s) => decodeUserinfo(encodeUserinfo(s)) === s));
  });
  it("root and simple URLs", () => {
    expect(rootUrl("https://h/simple/")).toBe("https://h");
    expect(simpleUrl("https://h")).toBe("https://h/simple/");
  });
  it("spots unencoded reserved characters and %%", () => {
    expect(inspectCredentialUrl("https://u:p@ss:w/rd#1%@h/simple/").problems).toContain("unencoded-reserved");
    expect(inspectCredentialUrl("https://u:p%%40@h/simple/").problems).toContain("double-percent");
    const ok = inspectCredentialUrl(`https://u:${encodeUserinfo("p@ss:w/rd#1%")}@h:8443/simple/`);
    expect(ok).toMatchObject({ host: "h:8443", username: "u", password: "p@ss:w/rd#1%", problems: [] });
  });
});

describe("formats", () => {
  it("the CLI offers exactly the formats there are", () => {
    expect([...CREDS_FORMAT_CHOICES]).toEqual([...CRED_FORMATS]);
  });
  it("pip gets the encoded URL, twine the raw password and the root", () => {
    expect(renderCreds("pip.conf", input, { mask: false })).toBe(
      "[global]\nindex-url = https://u:p%40ss%3Aw%2Frd%231%25@pypi.example.com/simple/\n",
    );
    const rc = renderCreds("pypirc", input, { mask: false });
    expect(rc).toContain("repository = https://pypi.example.com/\n");
    expect(rc).toContain("password = p@ss:w/rd#1%\n");
  });
  it("masking removes every form of the password from every format", () => {
    for (const f of CRED_FORMATS) {
      const text = renderCreds(f, input, { mask: true });
      expect(text, f).not.toContain("p@ss");
      expect(text, f).not.toContain("p%40ss");
    }
  });
  it("refuses what no config can hold", () => {
    expect(() => renderCreds("env", { ...input, password: "a\nb" }, { mask: false })).toThrow(/line break/);
    expect(() => renderCreds("pypirc", { ...input, password: " lead" }, { mask: false })).toThrow(
      /whitespace/,
    );
  });
  it("uv.toml is valid TOML", () => {
    expect(parseToml(renderCreds("uv", input, { mask: false }))).toMatchObject({
      index: [{ name: "pypictl", default: true }],
    });
  });
});

describe("merges keep everything else", () => {
  it("pip.conf: replaces index_url in place, keeps comments, continuation lines of others", () => {
    const before =
      "# top\n[global]\nindex_url = https://old/simple/\nextra-index-url =\n    https://a/simple/\n    https://b/simple/\n";
    const r = mergePipConf(before, input);
    expect(r.text).toContain("# top\n[global]\nindex_url = https://u:");
    expect(r.text).toContain("extra-index-url =\n    https://a/simple/\n    https://b/simple/\n");
    expect(r.changes).toEqual(["replaced [global] index_url"]);
    expect(readIni(r.text).get("global")?.get("extra-index-url")?.split(/\s+/).filter(Boolean)).toEqual([
      "https://a/simple/",
      "https://b/simple/",
    ]);
  });
  it("pypirc: adds to index-servers and a new section, idempotent", () => {
    const r = mergePypirc("", input);
    expect(r.text.startsWith("[distutils]\nindex-servers =\n    pypictl\n")).toBe(true);
    expect(mergePypirc(r.text, input).changes).toEqual([]);
  });
  it("netrc: replaces only our machine; keeps a default entry last", () => {
    const before = "machine a login x password y\n# c\ndefault login anon password z\n";
    const r = mergeNetrc(before, input);
    expect(r.text.indexOf("machine pypi.example.com")).toBeLessThan(r.text.indexOf("default"));
    expect(parseNetrc(r.text).find((e) => e.machine === "pypi.example.com")?.password).toBe(input.password);
    const again = mergeNetrc(r.text, { ...input, password: "new" });
    expect(parseNetrc(again.text).filter((e) => e.machine === "pypi.example.com")).toHaveLength(1);
    expect(again.text).toContain("machine a login x password y\n# c\n");
  });
  it("uv.toml: replaces our [[index]], keeps others and comments; refuses invalid TOML", () => {
    const before =
      '# mine\n[[index]]\nname = "other"\nurl = "https://o/simple/"\n\n[[index]]\nname = "pypictl"\nurl = "https://old/simple/"\n';
    const r = mergeUvToml(before, input, "uv.toml");
    expect(r.text).toContain('# mine\n[[index]]\nname = "other"\nurl = "https://o/simple/"\n');
    expect((parseToml(r.text) as { index: unknown[] }).index).toHaveLength(2);
    expect(() => mergeUvToml("[[index", input, "uv.toml")).toThrow(/uv.toml: not valid TOML/);
  });
  it("masks credentials in any config text, old ones included", () => {
    const text = [
      "index-url = https://u:old-secret@h/simple/",
      "password = hunter2",
      '  password "x y"',
      "export TWINE_PASSWORD='s'",
      '"password": "j"',
    ].join("\n");
    const m = maskCredentialText(text);
    for (const s of ["old-secret", "hunter2", "x y", "'s'", '"j"']) expect(m).not.toContain(s);
    expect(lineDiff("a\nb\n", "a\nc\n", "f")).toBe("--- f\n+++ f\n a\n-b\n+c\n");
  });
});

describe("secret parsing", () => {
  it("names the keys present, never the values", () => {
    expect(() =>
      credentialsFromSecretString(
        '{"user":"u","pass":"topsecret"}',
        { username: "username", password: "password" },
        "--secret-id s",
      ),
    ).toThrow(/its keys: user, pass/);
    try {
      credentialsFromSecretString(
        '{"username":"u","pass":"topsecret"}',
        { username: "username", password: "password" },
        "--secret-id s",
      );
    } catch (e) {
      expect((e as Error).message).not.toContain("topsecret");
    }
  });
});
