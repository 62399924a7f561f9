/**
 * The I/O host: the only place that knows about stdout, stderr, TTYs, colour and the environment.
 * Commands receive an `Io` and never touch `process` streams, so tests run them with captured streams.
 * Results go to stdout; progress, warnings and errors go to stderr.
 */
import tty from "node:tty";
import { inertStream } from "./render/inert.js";

export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
  /** tty.WriteStream's own colour detection (TERM, COLORTERM, FORCE_COLOR, CI…); only on terminals. */
  hasColors?: (env?: object) => boolean;
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

/**
 * Write to stdout with secrets masked and control characters escaped (the last guard of issue 25: a
 * renderer's own line breaks and colours pass, nothing else that a terminal acts on). Only `creds` may
 * bypass this, when the user asked for the password.
 */
export function out(io: Io, text: string): void {
  io.stdout.write(inertStream(redact(text, io.secrets)));
}

export function err(io: Io, text: string): void {
  io.stderr.write(inertStream(redact(text, io.secrets)));
}

/**
 * Whether to colour a stream, as Node itself decides (tty.WriteStream#hasColors: TERM=dumb, FORCE_COLOR=0
 * and the like say no) plus the conventions Node leaves out: --no-color and NO_COLOR (no-color.org) always
 * win, and FORCE_COLOR=1/2/3 colours a pipe too (as chalk and most CLIs do). A stream that is not a
 * terminal gets no colour otherwise.
 */
export function useColor(io: Io, stream: OutStream, flag: boolean | undefined): boolean {
  if (flag === false) return false;
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== "") return false;
  const force = io.env.FORCE_COLOR;
  if (force !== undefined && force !== "") return force !== "0" && force !== "false";
  if (stream.isTTY !== true) return false;
  if (typeof stream.hasColors === "function") return stream.hasColors(io.env);
  // A terminal stream without Node's method (tests): Node's detection, which reads only the environment.
  return nodeColorDepth(io.env) > 1;
}

function nodeColorDepth(env: NodeJS.ProcessEnv): number {
  const proto = tty.WriteStream.prototype as unknown as { getColorDepth(env: object): number };
  return proto.getColorDepth.call({}, env);
}
