/**
 * Every `creds` format, proved with the real clients against a pypiserver-like server on 127.0.0.1:
 * pip installs a package with it, twine uploads one with it; the same config left unencoded (or encoded
 * where the client wants it raw) fails as FACTS.md §6 says. The password holds every reserved character.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync, existsSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseToml } from "smol-toml";
import { FakePypiServer } from "./fake-pypiserver.js";
import {
  havePipAndTwine,
  isolatedEnv,
  makeDist,
  pipInstall,
  python3,
  readBytes,
  run,
  twineUpload,
} from "./clients.js";
import { renderCreds, type CredFormat, type CredsInput } from "../../../src/creds/formats.js";
import { encodeUserinfo } from "../../../src/creds/encode.js";

export const HARD_PASSWORD = `P@ss:w/rd#1%?&=+[];!$'()*,~ "\\x`;
const USER = "ci-user.1";

const haveClients = havePipAndTwine();
// Skipped only on a developer machine without pip or twine: in CI (CI=true) a missing client fails loudly.
const d = haveClients || process.env.CI ? describe : describe.skip;

d("creds formats with the real pip and twine", () => {
  let server: FakePypiServer;
  let home: string;
  let input: CredsInput;
  let version = 0;
  const render = (f: CredFormat) => renderCreds(f, input, { mask: false });
  const file = (name: string, text: string) => {
    const p = join(home, name);
    writeFileSync(p, text, { mode: 0o600 });
    return p;
  };
  /** A fresh dist each upload (re-uploading a file is a 400 on pypiserver). */
  const freshDist = () => makeDist("upload-demo", `1.0.${version++}`, join(home, `dist${version}`));
  const installed = (target: string) => existsSync(join(target, "demo_pkg", "__init__.py"));

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), "pypictl-creds-it-"));
    server = await new FakePypiServer({ username: USER, password: HARD_PASSWORD }).start();
    const dist = makeDist("demo-pkg", "0.1.0", join(home, "seed"));
    server.addFile("demo_pkg-0.1.0-py3-none-any.whl", readBytes(dist.wheel));
    input = { url: server.url, username: USER, password: HARD_PASSWORD, name: "pypictl" };
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("the server answers like pypiserver: 401 + WWW-Authenticate without credentials, 403 with wrong ones", async () => {
    const anon = await fetch(`${server.url}/simple/`);
    expect(anon.status).toBe(401);
    expect(anon.headers.get("www-authenticate")).toBe('Basic realm="pypi"');
    const wrong = await fetch(`${server.url}/simple/`, {
      headers: { authorization: `Basic ${Buffer.from(`${USER}:nope`).toString("base64")}` },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.headers.get("www-authenticate")).toBeNull();
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it("env: PIP_INDEX_URL installs and TWINE_* uploads, through a real shell", async () => {
    const envFile = file("creds.env", render("env"));
    const env = isolatedEnv(home);
    const pip = await run(
      "bash",
      [
        "-c",
        `. "$1" && exec "$2" -m pip install --no-input --no-cache-dir --target "$3" demo-pkg`,
        "bash",
        envFile,
        python3(),
        join(home, "t-env"),
      ],
      env,
    );
    expect(pip.stderr + pip.stdout).not.toMatch(/ERROR/);
    expect(pip.status).toBe(0);
    expect(installed(join(home, "t-env"))).toBe(true);
    const dist = freshDist();
    const twine = await run(
      "bash",
      [
        "-c",
        `. "$1" && exec twine upload --non-interactive --disable-progress-bar "$2" "$3"`,
        "bash",
        envFile,
        dist.wheel,
        dist.sdist,
      ],
      env,
    );
    expect(twine.status, twine.stdout + twine.stderr).toBe(0);
    expect(server.files.has(dist.wheel.split("/").pop()!)).toBe(true);
    expect(server.files.has(dist.sdist.split("/").pop()!)).toBe(true);
  });

  it("pip.conf (via PIP_CONFIG_FILE): installs; `%` written once is what pip wants", async () => {
    const conf = file("pip.conf", render("pip.conf"));
    expect(render("pip.conf")).toContain("%25");
    expect(render("pip.conf")).not.toContain("%%");
    const r = await pipInstall("demo-pkg", isolatedEnv(home, { PIP_CONFIG_FILE: conf }));
    expect(r.status, r.stderr).toBe(0);
    expect(installed(r.target)).toBe(true);
  });

  it("pip.conf with `%%` (configparser-style escaping) is a 403: pip reads pip.conf raw", async () => {
    const conf = file("pip-double.conf", render("pip.conf").replace(/%/g, "%%"));
    const before = server.log.length;
    const r = await pipInstall("demo-pkg", isolatedEnv(home, { PIP_CONFIG_FILE: conf }));
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/from versions: none|No matching distribution/);
    const seen = server.log.slice(before);
    expect(seen.some((l) => l.status === 403 && l.auth === "wrong")).toBe(true);
    expect(seen.some((l) => l.auth === "ok")).toBe(false);
  });

  it("pip.conf with the password left unencoded fails before any authenticated request (FACTS §6)", async () => {
    const raw = `[global]\nindex-url = http://${USER}:${HARD_PASSWORD}@127.0.0.1:${server.port}/simple/\n`;
    const conf = file("pip-raw.conf", raw);
    const before = server.log.length;
    const r = await pipInstall("demo-pkg", isolatedEnv(home, { PIP_CONFIG_FILE: conf }));
    expect(r.status).not.toBe(0);
    expect(server.log.slice(before).some((l) => l.auth === "ok")).toBe(false);
  });

  it("PIP_INDEX_URL with the password unencoded: 'Port could not be cast to integer value'", async () => {
    const r = await pipInstall(
      "demo-pkg",
      isolatedEnv(home, { PIP_INDEX_URL: `http://${USER}:p@ss:w/rd#1%@127.0.0.1:${server.port}/simple/` }),
    );
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/Port could not be cast to integer value/);
  });

  it("pypirc: twine uploads to the server root with the raw password", async () => {
    const rc = file("pypirc", render("pypirc"));
    const dist = freshDist();
    const r = await twineUpload([dist.wheel], isolatedEnv(home), ["--config-file", rc, "-r", "pypictl"]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(server.files.has(dist.wheel.split("/").pop()!)).toBe(true);
  });

  it("pypirc with the password percent-encoded is a 403: twine sends it as written", async () => {
    const rc = file(
      "pypirc-enc",
      render("pypirc").replace(`password = ${HARD_PASSWORD}`, `password = ${encodeUserinfo(HARD_PASSWORD)}`),
    );
    const dist = freshDist();
    const r = await twineUpload([dist.wheel], isolatedEnv(home), ["--config-file", rc, "-r", "pypictl"]);
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/403/);
  });

  it("twine pointed at /simple/ gets a 405: it wants the server root", async () => {
    const dist = freshDist();
    const r = await twineUpload(
      [dist.wheel],
      isolatedEnv(home, { TWINE_USERNAME: USER, TWINE_PASSWORD: HARD_PASSWORD }),
      ["--repository-url", `${server.url}/simple/`],
    );
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/405/);
  });

  it("netrc: pip finds the raw password for the host (NETRC)", async () => {
    const netrc = file("netrc", render("netrc"));
    const r = await pipInstall("demo-pkg", isolatedEnv(home, { NETRC: netrc }), [
      "--index-url",
      `${server.url}/simple/`,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(installed(r.target)).toBe(true);
  });

  it("netrc with the password percent-encoded is a 403", async () => {
    const netrc = file(
      "netrc-enc",
      `machine 127.0.0.1\n  login ${USER}\n  password ${encodeUserinfo(HARD_PASSWORD)}\n`,
    );
    const before = server.log.length;
    const r = await pipInstall("demo-pkg", isolatedEnv(home, { NETRC: netrc }), [
      "--index-url",
      `${server.url}/simple/`,
    ]);
    expect(r.status).not.toBe(0);
    expect(server.log.slice(before).some((l) => l.status === 403)).toBe(true);
  });

  it("json: indexUrlWithCredentials works with --index-url; username/password/uploadUrl with twine -u/-p", async () => {
    const j = JSON.parse(render("json")) as Record<string, string>;
    const r = await pipInstall("demo-pkg", isolatedEnv(home), ["--index-url", j.indexUrlWithCredentials!]);
    expect(r.status, r.stderr).toBe(0);
    const dist = freshDist();
    const t = await twineUpload([dist.sdist], isolatedEnv(home), [
      "--repository-url",
      j.uploadUrl!,
      "-u",
      j.username!,
      "-p",
      j.password!,
    ]);
    expect(t.status, t.stdout + t.stderr).toBe(0);
  });

  it("uv and uv-env carry the same encoded index URL that pip accepted (uv itself is not installed here)", async () => {
    const toml = parseToml(render("uv")) as { index: Array<{ url: string; "publish-url": string }> };
    const env = render("uv-env");
    const url = toml.index[0]!.url;
    expect(env).toContain(`UV_DEFAULT_INDEX='${url}'`);
    expect(toml.index[0]!["publish-url"]).toBe(`${server.url}/`);
    const r = await pipInstall("demo-pkg", isolatedEnv(home, { PIP_INDEX_URL: url }));
    expect(r.status, r.stderr).toBe(0);
  });

  it("nothing the server logged carries a credential", () => {
    expect(JSON.stringify(server.log)).not.toContain("P@ss");
    expect(readdirSync(home).length).toBeGreaterThan(0);
  });
});
