/**
 * Real clients for the integration tests: a tiny wheel and sdist built with Python's own zipfile/tarfile,
 * `python3 -m pip` and `twine`, each isolated from the machine's configuration (FACTS.md §6).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const MAKE_DIST = String.raw`
import base64, hashlib, io, sys, tarfile, zipfile
name, version, out = sys.argv[1], sys.argv[2], sys.argv[3]
mod = name.replace("-", "_")
dist = f"{mod}-{version}.dist-info"
meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: pypictl test package\n"
files = {
  f"{mod}/__init__.py": f"VERSION = {version!r}\n",
  f"{dist}/METADATA": meta,
  f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: pypictl-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
}
record = []
for path, text in files.items():
  data = text.encode()
  digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
  record.append(f"{path},sha256={digest},{len(data)}")
record.append(f"{dist}/RECORD,,")
files[f"{dist}/RECORD"] = "\n".join(record) + "\n"
whl = f"{out}/{mod}-{version}-py3-none-any.whl"
with zipfile.ZipFile(whl, "w") as z:
  for path, text in files.items():
    z.writestr(path, text)
sdist = f"{out}/{mod}-{version}.tar.gz"
with tarfile.open(sdist, "w:gz") as t:
  for path, text in {f"{mod}-{version}/PKG-INFO": meta, f"{mod}-{version}/{mod}/__init__.py": files[f"{mod}/__init__.py"]}.items():
    data = text.encode()
    info = tarfile.TarInfo(path)
    info.size = len(data)
    t.addfile(info, io.BytesIO(data))
print(whl)
print(sdist)
`;

export interface Dist {
  wheel: string;
  sdist: string;
}

export function makeDist(
  name: string,
  version: string,
  dir = mkdtempSync(join(tmpdir(), "pypictl-dist-")),
): Dist {
  mkdirSync(dir, { recursive: true });
  const r = spawnSync(python3(), ["-c", MAKE_DIST, name, version, dir], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`building the test dist failed: ${r.stderr}`);
  const [wheel, sdist] = r.stdout.trim().split("\n");
  return { wheel: wheel!, sdist: sdist! };
}

export function readBytes(path: string): Buffer {
  return readFileSync(path);
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** An environment with nothing from the machine's pip/twine/netrc config: a private HOME. */
export function isolatedEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    XDG_CONFIG_HOME: join(home, ".config"),
    PIP_CONFIG_FILE: "/dev/null",
    PIP_DISABLE_PIP_VERSION_CHECK: "1",
    PIP_NO_CACHE_DIR: "1",
    PIP_NO_INPUT: "1",
    PYTHONDONTWRITEBYTECODE: "1",
    PYTHON_KEYRING_BACKEND: "keyring.backends.null.Keyring",
    TWINE_NON_INTERACTIVE: "1",
    NO_PROXY: "127.0.0.1,localhost",
    LANG: "C.UTF-8",
    ...(process.env.PYENV_ROOT ? { PYENV_ROOT: process.env.PYENV_ROOT } : {}),
    ...(process.env.PYENV_VERSION ? { PYENV_VERSION: process.env.PYENV_VERSION } : {}),
    ...extra,
  };
}

let python: string | undefined;
/** The real interpreter behind python3 (a pyenv shim needs the real HOME, which the tests replace). */
export function python3(): string {
  if (!python) {
    const r = spawnSync("python3", ["-c", "import sys; print(sys.executable)"], { encoding: "utf8" });
    python = r.status === 0 && r.stdout.trim() ? r.stdout.trim() : "python3";
  }
  return python;
}

/**
 * Run a process without blocking the event loop: the fake server lives in the test's own process, so a
 * spawnSync would keep it from answering. Killed after 60 s; stdin is closed (no prompt can wait).
 */
export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    child.on("error", (e) => {
      clearTimeout(timer);
      resolve({ status: 127, stdout, stderr: stderr + String(e) });
    });
  });
}

export async function pipInstall(
  pkg: string,
  env: NodeJS.ProcessEnv,
  args: string[] = [],
): Promise<RunResult & { target: string }> {
  const target = mkdtempSync(join(tmpdir(), "pypictl-pip-target-"));
  const r = await run(
    python3(),
    [
      "-m",
      "pip",
      "install",
      "--no-input",
      "--no-cache-dir",
      "--disable-pip-version-check",
      "--target",
      target,
      ...args,
      pkg,
    ],
    env,
  );
  return { ...r, target };
}

export function twineUpload(
  files: string[],
  env: NodeJS.ProcessEnv,
  args: string[] = [],
): Promise<RunResult> {
  return run("twine", ["upload", "--non-interactive", "--disable-progress-bar", ...args, ...files], env);
}

export function havePipAndTwine(): boolean {
  const pip = spawnSync(python3(), ["-m", "pip", "--version"], { encoding: "utf8" });
  const twine = spawnSync("twine", ["--version"], { encoding: "utf8" });
  return pip.status === 0 && twine.status === 0;
}
