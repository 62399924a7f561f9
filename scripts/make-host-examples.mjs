#!/usr/bin/env node
// Rebuild examples/host-*.json from test/fixtures/host/probe-*.txt through the real parser.
// The builder lives in test/integration/host/examples.test.ts (TypeScript, run by vitest), which also
// checks the committed bundles are current; this script runs it in update mode.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const r = spawnSync("npx", ["vitest", "run", "test/integration/host/examples.test.ts"], {
  cwd: root,
  stdio: "inherit",
  env: { ...process.env, PYPICTL_UPDATE_EXAMPLES: "1" },
});
process.exitCode = r.status ?? 1;
