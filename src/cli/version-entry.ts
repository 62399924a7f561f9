/**
 * `pypictl --version` on its own: the entry answers it with this, and bin/pypictl runs it from a small
 * CommonJS build (dist/bundle/version.cjs) without starting Node's ES module loader or reading the
 * bundle — scripts and version probes call it in loops. It loads nothing but package.json.
 */
import { TOOL_VERSION } from "../version.js";

export function isVersionOnly(argv: readonly string[]): boolean {
  return argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V");
}

export function printVersion(): void {
  process.stdout.write(`${TOOL_VERSION}\n`);
}
