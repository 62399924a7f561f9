// `npm run demo`: the main job on embedded defaults, no AWS account needed.
//  1. pypictl doctor --local: a real diagnosis of this machine
//  2. pypictl doctor --replay: a recorded fleet incident from examples/, evaluated offline
//  3. pypictl synth: the bundled CDK stack's CloudFormation template, written to a temp file
// Doctor's exit codes 1 (a check failed) and 3 (incomplete) are findings, not demo failures.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "bin", "pypictl");
let broken = false;

// Bold command lines only where pypictl itself would colour: a terminal that has colours (Node's own
// detection: TERM=dumb, FORCE_COLOR=0 say no), never with NO_COLOR or when piped.
const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== "";
const bold =
  !noColor && process.stdout.isTTY === true && process.stdout.hasColors()
    ? (s) => `\x1b[1m${s}\x1b[0m`
    : (s) => s;

function step(title, args, okCodes = [0, 1, 3]) {
  console.log(`\n${bold(`$ pypictl ${args.join(" ")}`)}   # ${title}`);
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, stdio: "inherit" });
  console.log(`(exit ${r.status})`);
  if (!okCodes.includes(r.status)) broken = true;
}

step("diagnose this host", ["doctor", "--local", "--samples", "3"]);
for (const ex of ["fleet-oom-kills.json", "host-swapping.json"]) {
  const p = join("examples", ex);
  if (existsSync(join(root, p))) step(`replay a recorded incident (${ex})`, ["doctor", "--replay", p]);
}
// Every example as a self-contained HTML report (open one in a browser; nothing is fetched).
const htmlDir = mkdtempSync(join(tmpdir(), "pypictl-demo-html-"));
for (const ex of readdirSync(join(root, "examples")).filter((f) => f.endsWith(".json"))) {
  const r = spawnSync(
    process.execPath,
    [
      bin,
      "doctor",
      "--replay",
      join("examples", ex),
      "--format",
      "html",
      "-o",
      join(htmlDir, ex.replace(/\.json$/, ".html")),
      "--quiet",
    ],
    { cwd: root, stdio: "inherit" },
  );
  if (![0, 1, 3].includes(r.status)) broken = true;
}
console.log(`\nHTML reports of every example: ${htmlDir}/*.html`);
const out = join(mkdtempSync(join(tmpdir(), "pypictl-demo-")), "pypiserver.template.json");
step("synthesize the CloudFormation template offline", ["synth", "--out", out], [0]);
process.exitCode = broken ? 1 : 0;
