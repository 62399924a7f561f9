/** A captured Io for running CLI commands in-process in tests. */
import type { Io, OutStream } from "../../src/cli/io.js";

export class Capture implements OutStream {
  text = "";
  constructor(
    public isTTY = false,
    public columns = 100,
  ) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

export function captureIo(
  env: NodeJS.ProcessEnv = {},
  opts: { tty?: boolean; cwd?: string } = {},
): Io & { stdout: Capture; stderr: Capture } {
  return {
    stdout: new Capture(opts.tty ?? false),
    stderr: new Capture(opts.tty ?? false),
    env: { ...env },
    cwd: opts.cwd ?? process.cwd(),
    secrets: new Set(),
  };
}
