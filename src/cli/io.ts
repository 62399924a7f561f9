/**
 * The I/O host: the only place that knows about stdout, stderr, TTYs, colour and the environment.
 * Commands receive an `Io` and never touch `process` streams, so tests run them with captured streams.
 * Results go to stdout; progress, warnings and errors go to stderr.
 */

export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface Io {
  stdout: OutStream;
  stderr: OutStream;
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Values that must never be printed (passwords). Everything written through `out`/`err` is masked. */
  secrets: Set<string>;
}

export function processIo(): Io {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    secrets: new Set(),
  };
}

/** Replace every registered secret (and its percent-encoded form) with ***. */
export function redact(text: string, secrets: ReadonlySet<string>): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 3) continue;
    for (const form of new Set([s, encodeURIComponent(s)])) out = out.split(form).join("***");
  }
  return out;
}

/** Write to stdout with secrets masked. Only `creds` may bypass this, when the user asked for the password. */
export function out(io: Io, text: string): void {
  io.stdout.write(redact(text, io.secrets));
}

export function err(io: Io, text: string): void {
  io.stderr.write(redact(text, io.secrets));
}

/** Colour only on a TTY, and never with NO_COLOR or --no-color. */
export function useColor(io: Io, stream: OutStream, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== "") return false;
  if (io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== "0") return true;
  return stream.isTTY === true;
}
