/**
 * The container start script (src/infra/container.ts) run under a real `sh`, with real python and bcrypt,
 * in front of a stand-in for the image's `/entrypoint.sh` that stores a package the way pypiserver 2.4.1
 * does (`SimpleFileBackend.add_package` → `write_file`: `open(destination, "wb")`, so the file's mode is
 * 0666 minus the process umask). The upstream entrypoint ends in `exec gosu pypiserver pypi-server …`, and
 * neither exec nor gosu resets the umask: whatever umask the script leaves is the one every uploaded file on
 * EFS gets. The htpasswd must be private (0640, group pypiserver); uploads must stay world-readable (0644
 * under the image's umask 022), or other tasks' users and restores see unreadable files.
 *
 * The script is the one the stack ships, with two substitutions only: `/data/` and `/entrypoint.sh` are moved
 * under a temporary directory (the test cannot write to `/`), and `chgrp` is a stand-in that records its call
 * and applies the caller's group (the test host has no `pypiserver` group). Python comes from the machine
 * (`python3-bcrypt`, installed by scripts/test-setup.sh); required in CI, skipped locally without it.
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
  existsSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { containerCommand, GUNICORN_CONF_PATH, HTPASSWD_PATH } from "../../src/infra/container.js";
import { resolveProps } from "../../src/infra/props.js";

const PASSWORD = `p@ss:w/rd#1%'"$\`\\ é`;
const USERNAME = "ci-user";
const WHEEL = "demo_pkg-0.1.0-py3-none-any.whl";

/** A python3 that can import bcrypt (the image's python has it). */
function findPythonWithBcrypt(): string | undefined {
  for (const candidate of ["/usr/bin/python3", "python3"]) {
    const r = spawnSync(candidate, ["-c", "import bcrypt"], { encoding: "utf8" });
    if (r.status === 0)
      return candidate === "python3"
        ? spawnSync("sh", ["-c", "command -v python3"], { encoding: "utf8" }).stdout.trim()
        : candidate;
  }
  return undefined;
}

interface Run {
  status: number | null;
  stderr: string;
  root: string;
  /** What the stand-in entrypoint saw. */
  seen: { umask: string; args: string[]; passwordInEnv: string; usernameInEnv: string };
  mode(path: string): number;
}

let python: string | undefined;
const roots: string[] = [];

beforeAll(() => {
  python = findPythonWithBcrypt();
});
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** Run `script` as the container would: parent umask 022 (Docker's default), secrets in the environment. */
function runScript(script: string): Run {
  const root = mkdtempSync(join(tmpdir(), "pypictl-container-"));
  roots.push(root);
  const bin = join(root, "bin");
  mkdirSync(bin);
  mkdirSync(join(root, "data", "packages"), { recursive: true, mode: 0o755 });
  symlinkSync(python!, join(bin, "python"));
  const realChgrp = spawnSync("sh", ["-c", "command -v chgrp"], { encoding: "utf8" }).stdout.trim();
  writeFileSync(
    join(bin, "chgrp"),
    `#!/bin/sh\necho "$@" >> "${root}/chgrp.log"\nexec ${realChgrp} "$(id -g)" "$2"\n`,
    { mode: 0o755 },
  );
  // The stand-in for pypiserver's /entrypoint.sh: report what pypi-server would inherit, then store an upload
  // exactly as SimpleFileBackend.add_package does (open(dest, "wb") in the first root, the last argument).
  writeFileSync(
    join(root, "entrypoint.sh"),
    [
      "#!/bin/sh",
      `umask > "${root}/seen-umask"`,
      `printf '%s\\n' "$@" > "${root}/seen-args"`,
      `printf '%s' "\${PYPI_PASSWORD-unset}" > "${root}/seen-password"`,
      `printf '%s' "\${PYPI_USERNAME-unset}" > "${root}/seen-username"`,
      'for last in "$@"; do :; done',
      `exec python -c 'import sys; open(sys.argv[1] + "/${WHEEL}", "wb").write(b"PK\\x03\\x04 wheel bytes")' "$last"`,
      "",
    ].join("\n"),
    { mode: 0o755 },
  );
  chmodSync(join(root, "entrypoint.sh"), 0o755);

  let moved = script.replace(/(?<![\w.])\/data\//g, `${root}/data/`);
  expect(moved).not.toBe(script);
  moved = moved.replace(/(?<![\w.])\/entrypoint\.sh\b/g, `${root}/entrypoint.sh`);
  expect(moved).toContain(`exec ${root}/entrypoint.sh run `);

  const r = spawnSync("/bin/sh", ["-c", 'umask 022 && exec /bin/sh -c "$CONTAINER_SCRIPT"'], {
    encoding: "utf8",
    cwd: join(root, "data"),
    env: {
      PATH: `${bin}:/usr/bin:/bin`,
      HOME: root,
      CONTAINER_SCRIPT: moved,
      PYPI_USERNAME: USERNAME,
      PYPI_PASSWORD: PASSWORD,
      LANG: "C.UTF-8",
    },
    timeout: 30_000,
  });
  const read = (f: string) => (existsSync(join(root, f)) ? readFileSync(join(root, f), "utf8") : "");
  return {
    status: r.status,
    stderr: r.stderr,
    root,
    seen: {
      umask: read("seen-umask").trim(),
      args: read("seen-args").trim().split("\n"),
      passwordInEnv: read("seen-password"),
      usernameInEnv: read("seen-username"),
    },
    mode: (path) => statSync(join(root, path)).mode & 0o777,
  };
}

const local = (abs: string) => abs.replace(/^\//, "");

describe("container start script, run for real (umask, htpasswd, hand-over)", () => {
  const skipUnlessPython = (ctx: { skip: () => void }) => {
    if (python) return false;
    if (process.env.CI === "true")
      throw new Error(
        "no python3 with bcrypt (CI=true requires it: apt-get install python3-bcrypt, see scripts/test-setup.sh)",
      );
    ctx.skip();
    return true;
  };

  it("stored packages keep the image's umask (0644); only the htpasswd is private", (ctx) => {
    if (skipUnlessPython(ctx)) return;
    const run = runScript(containerCommand(resolveProps({ allowHttp: true, username: USERNAME })));
    expect(run.status, run.stderr).toBe(0);
    // What pypi-server inherits through exec (and gosu): the image's umask, not the htpasswd's 077.
    expect(run.seen.umask).toBe("0022");
    expect(run.mode(`data/packages/${WHEEL}`).toString(8)).toBe("644");
    // The htpasswd: owner rw, group r (pypiserver's group, via chgrp), nothing for others.
    expect(run.mode(local(HTPASSWD_PATH)).toString(8)).toBe("640");
    expect(readFileSync(join(run.root, "chgrp.log"), "utf8").trim()).toBe(
      `pypiserver ${run.root}${HTPASSWD_PATH}`,
    );
    expect(run.mode(local(GUNICORN_CONF_PATH)).toString(8)).toBe("644");
  });

  it("the htpasswd entry verifies the password (special characters intact); the password leaves the environment", (ctx) => {
    if (skipUnlessPython(ctx)) return;
    const run = runScript(
      containerCommand(resolveProps({ allowHttp: true, username: USERNAME, bcryptRounds: 4 })),
    );
    expect(run.status, run.stderr).toBe(0);
    const line = readFileSync(join(run.root, local(HTPASSWD_PATH)), "utf8");
    expect(line).toMatch(new RegExp(`^${USERNAME}:\\$2b\\$04\\$[./A-Za-z0-9]{53}\\n$`));
    const check = spawnSync(
      python!,
      [
        "-c",
        "import sys, bcrypt; u, h = open(sys.argv[1]).read().strip().split(':', 1); print(bcrypt.checkpw(sys.argv[2].encode(), h.encode()))",
        join(run.root, local(HTPASSWD_PATH)),
        PASSWORD,
      ],
      { encoding: "utf8" },
    );
    expect(check.stdout.trim(), check.stderr).toBe("True");
    expect(run.seen.passwordInEnv).toBe("unset");
    expect(run.seen.usernameInEnv).toBe("unset");
    expect(run.stderr).not.toContain(PASSWORD);
    // The hand-over: `run` and the flags the stack passes, the htpasswd and packages paths included.
    expect(run.seen.args[0]).toBe("run");
    expect(run.seen.args).toContain(`${run.root}${HTPASSWD_PATH}`);
    expect(run.seen.args.at(-1)).toBe(`${run.root}/data/packages`);
  });

  it("the test catches a leaking umask: the same script without the subshell stores 0600 packages", (ctx) => {
    if (skipUnlessPython(ctx)) return;
    const script = containerCommand(resolveProps({ allowHttp: true, username: USERNAME }));
    const leaking = script.replace(/^\(umask 077 && (.*)\)$/m, "umask 077 && $1");
    expect(leaking).not.toBe(script);
    const run = runScript(leaking);
    expect(run.status, run.stderr).toBe(0);
    expect(run.seen.umask).toBe("0077");
    expect(run.mode(`data/packages/${WHEEL}`).toString(8)).toBe("600");
  });
});
