/**
 * Every file pypictl is given to read (a config, Terraform outputs, an evidence bundle, a creds file it
 * merges into) is read within a size limit and a time limit (issue 26). `--config /dev/zero` used to fill
 * the heap; a FIFO with no writer, or a terminal, held the run forever, past `--timeout`.
 *
 * The file is opened without blocking (O_NONBLOCK: opening a FIFO with no writer returns at once instead
 * of waiting in a thread that nothing can cancel, open(2)/fifo(7)), then fstat says what it is:
 * - a regular file: refused up front when larger than the limit, else read up to the limit (it may grow);
 * - a FIFO or socket: read through the event loop (epoll: a FIFO nobody has opened for writing yet is
 *   quiet, not at its end, fifo(7)) until its writer closes it, the limit or the deadline;
 * - a character or block device (/dev/zero, /dev/tty): read until its end, the limit or the deadline, a
 *   device with nothing to give (EAGAIN) polled every POLL_MS;
 * - a directory: refused.
 * Errors are UsageErrors (exit 2) naming the flag, the file and the limit. Only the bytes come from here;
 * what they mean (TOML, JSON, a bundle) is the parser's business.
 */
import { constants, close, fstat, open, read, type Stats } from "node:fs";
import { Socket } from "node:net";
import { promisify } from "node:util";
import { UsageError } from "../errors.js";

export const MIB = 1024 * 1024;

/**
 * A config file holds a target, thresholds and a few settings: a few KB. 1 MiB is hundreds of times
 * that; anything larger is not a config file.
 */
export const MAX_CONFIG_BYTES = 1 * MIB;
/**
 * `terraform output -json` of the module is under 2 KB (examples/terraform/outputs.json is 0.5 KB); a
 * root module with many outputs, lists of subnets and maps, stays under a megabyte. 16 MiB is generous.
 */
export const MAX_TERRAFORM_OUTPUTS_BYTES = 16 * MIB;
/**
 * The largest bundle pypictl writes is a doctor run over a big fleet: a 200-instance fleet over 24 h at
 * 1-minute points (scripts/bench-replay.mjs, ~900,000 points) is ~30 MB compact and ~60 MB with --pretty.
 * 256 MiB is four times that. The replay reads a bundle whole and JSON.parses it (issue 23), so this also
 * bounds its memory: a few times the limit at the peak, never the gigabytes of /dev/zero.
 */
export const MAX_BUNDLE_BYTES = 256 * MIB;
/**
 * A pip.conf, .pypirc, .netrc or uv.toml that `creds --write` merges into: a few KB; a 30,000-line
 * .netrc is ~1.5 MB. 16 MiB is ten times that.
 */
export const MAX_CREDS_FILE_BYTES = 16 * MIB;

/** `--replay FILE` (doctor and size): an evidence bundle, at most MAX_BUNDLE_BYTES, within the run's --timeout. */
export function replayBundleSpec(deadlineAt: number): InputSpec {
  return {
    flag: "--replay",
    what: "an evidence bundle",
    maxBytes: MAX_BUNDLE_BYTES,
    limitName: "MAX_BUNDLE_BYTES",
    deadlineAt,
    deadlineName: "--timeout",
  };
}
/**
 * How long a command without `--timeout` (deploy, synth, diff) waits for a FIFO, a terminal or standard
 * input to deliver its input; commands with `--timeout` wait at most that long. The same 30 s a FIFO
 * given as an output gets (src/cli/write-file.ts).
 */
export const INPUT_WAIT_MS = 30_000;
/** How often a device with nothing to read yet (EAGAIN) is asked again. */
const POLL_MS = 20;
/** Bytes asked for per read. */
const CHUNK = 1 << 16;

export interface InputSpec {
  /** The flag that named the file, for messages (`--config`). */
  flag: string;
  /** What it is, for messages ("a config file"). */
  what: string;
  maxBytes: number;
  /** The constant's name, for messages (MAX_CONFIG_BYTES). */
  limitName: string;
  /** When waiting for a FIFO, a device or stdin gives up (Date.now() ms). */
  deadlineAt: number;
  /** What set the deadline, for messages: "--timeout" or "INPUT_WAIT_MS". */
  deadlineName: string;
}

const openFd = promisify(open);
const fstatFd = promisify(fstat);
const readFd = promisify(read);
const closeFd = promisify(close);

export const mib = (bytes: number) => {
  const m = bytes / MIB;
  return `${m >= 10 || Number.isInteger(m) ? Math.round(m) : Math.round(m * 10) / 10} MiB`;
};

/** A deadline `waitMs` from now, capped by INPUT_WAIT_MS unless it comes from --timeout. */
export function inputDeadline(timeoutMs?: number): { deadlineAt: number; deadlineName: string } {
  return timeoutMs === undefined
    ? { deadlineAt: Date.now() + INPUT_WAIT_MS, deadlineName: "INPUT_WAIT_MS" }
    : { deadlineAt: Date.now() + timeoutMs, deadlineName: "--timeout" };
}

/** `--config /x: cannot read (ENOENT)`: the wording every input flag used before these limits. */
export function cannotRead(path: string, flag: string, e: unknown): UsageError {
  const err = new UsageError(
    `${flag} ${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    flag,
  );
  // The OS error itself, for a caller that treats one as normal (ENOENT: a creds file not there yet).
  err.cause = e;
  return err;
}

function tooLarge(spec: InputSpec, name: string, size?: number): UsageError {
  const how = size !== undefined ? `is ${mib(size)}` : `went on past ${mib(spec.maxBytes)}`;
  return new UsageError(
    `${spec.flag} ${name}: ${how}; ${spec.what} may have at most ${mib(spec.maxBytes)} (${spec.limitName}), nothing of it was used`,
    spec.flag,
  );
}

function tooSlow(spec: InputSpec, name: string, kind: string, got: number, waitedMs: number): UsageError {
  const seconds = Math.max(1, Math.round(waitedMs / 1000));
  const what =
    got === 0 ? `nothing arrived from this ${kind}` : `this ${kind} did not end (${got} bytes arrived)`;
  return new UsageError(
    `${spec.flag} ${name}: ${what} within ${seconds} s (the time limit: ${spec.deadlineName}); nothing of it was used`,
    spec.flag,
  );
}

function kindOf(s: Stats): string {
  if (s.isFIFO()) return "FIFO";
  if (s.isSocket()) return "socket";
  if (s.isCharacterDevice()) return "character device";
  if (s.isBlockDevice()) return "block device";
  return "file";
}

/** A device's bytes (/dev/zero, a terminal): read until its end, the limit or the deadline. */
async function readPolled(fd: number, spec: InputSpec, name: string, kind: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  const started = Date.now();
  for (;;) {
    const buf = Buffer.allocUnsafe(CHUNK);
    let n: number;
    try {
      n = (await readFd(fd, buf, 0, CHUNK, null)).bytesRead;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EAGAIN") throw e;
      if (Date.now() >= spec.deadlineAt) throw tooSlow(spec, name, kind, total, Date.now() - started);
      await new Promise((r) => setTimeout(r, POLL_MS));
      continue;
    }
    if (n === 0) break;
    total += n;
    if (total > spec.maxBytes) throw tooLarge(spec, name);
    chunks.push(buf.subarray(0, n));
    if (Date.now() >= spec.deadlineAt) throw tooSlow(spec, name, kind, total, Date.now() - started);
  }
  return Buffer.concat(chunks);
}

/**
 * A stream's bytes until it ends, at most the limit and until the deadline; the stream is destroyed when
 * either is passed (a FIFO's descriptor closed, standard input let go so the process can end).
 */
export function readStream(
  stream: NodeJS.ReadableStream & { destroy?: (e?: Error) => void },
  spec: InputSpec,
  name: string,
  kind: string,
): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const started = Date.now();
    let done = false;
    const finish = (err: Error | undefined, value?: Buffer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stream.removeListener("data", onData);
      stream.removeListener("end", onEnd);
      stream.removeListener("error", onError);
      if (err) {
        stream.destroy?.();
        reject(err);
      } else resolve(value!);
    };
    const onData = (c: Buffer | string) => {
      const b = typeof c === "string" ? Buffer.from(c) : c;
      total += b.length;
      if (total > spec.maxBytes) return finish(tooLarge(spec, name));
      chunks.push(b);
    };
    const onEnd = () => finish(undefined, Buffer.concat(chunks));
    const onError = (e: Error) => finish(cannotRead(name, spec.flag, e));
    const timer = setTimeout(
      () => finish(tooSlow(spec, name, kind, total, Date.now() - started)),
      Math.max(0, spec.deadlineAt - Date.now()),
    );
    stream.on("data", onData);
    stream.on("end", onEnd);
    stream.on("error", onError);
    stream.resume();
  });
}

/** What `openInput` found: a regular file to read in chunks (a bundle's parser), or the bytes of anything else. */
export type OpenedInput =
  | { regular: true; size: number; read(into: Buffer): Promise<number>; close(): Promise<void> }
  | { regular: false; bytes: Buffer };

/**
 * Open `path` for `spec` without blocking. A regular file is handed back to be read in chunks (its size
 * already checked, every read counted against the limit); anything else is read here, whole, bounded.
 */
export async function openInput(path: string, spec: InputSpec): Promise<OpenedInput> {
  let fd: number;
  try {
    fd = await openFd(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw cannotRead(path, spec.flag, e);
  }
  let handedOver = false;
  try {
    const s = await fstatFd(fd);
    if (s.isDirectory())
      throw new UsageError(`${spec.flag} ${path}: is a directory, not ${spec.what}`, spec.flag);
    if (s.isFile()) {
      if (s.size > spec.maxBytes) throw tooLarge(spec, path, s.size);
      let total = 0;
      handedOver = true;
      return {
        regular: true,
        size: s.size,
        read: async (into) => {
          const { bytesRead } = await readFd(fd, into, 0, into.length, null).catch((e: unknown) => {
            throw cannotRead(path, spec.flag, e);
          });
          total += bytesRead;
          if (total > spec.maxBytes) throw tooLarge(spec, path);
          return bytesRead;
        },
        close: () => closeFd(fd),
      };
    }
    const kind = kindOf(s);
    if (s.isFIFO() || s.isSocket()) {
      // The socket owns the descriptor from here: destroying it closes it.
      handedOver = true;
      const socket = new Socket({ fd, readable: true, writable: false });
      return { regular: false, bytes: await readStream(socket, spec, path, kind) };
    }
    return { regular: false, bytes: await readPolled(fd, spec, path, kind) };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw cannotRead(path, spec.flag, e);
  } finally {
    if (!handedOver) await closeFd(fd).catch(() => undefined);
  }
}

/** Standard input's bytes (`--terraform-outputs -`), within the size and time limits of `spec`. */
export function readStdinInput(
  stdin: (NodeJS.ReadableStream & { isTTY?: boolean }) | undefined,
  spec: InputSpec,
): Promise<Buffer> {
  if (!stdin) throw new UsageError(`${spec.flag} -: no standard input to read`, spec.flag);
  return readStream(stdin, spec, "- (standard input)", stdin.isTTY ? "terminal" : "standard input");
}

/** The bytes of `path`, within the size and time limits of `spec`. */
export async function readInput(path: string, spec: InputSpec): Promise<Buffer> {
  const opened = await openInput(path, spec);
  if (!opened.regular) return opened.bytes;
  try {
    const buf = Buffer.allocUnsafe(Math.min(spec.maxBytes + 1, opened.size + 1));
    let at = 0;
    for (;;) {
      if (at === buf.length) {
        // The file grew past its fstat size: the rest in chunks, still counted against the limit.
        const more: Buffer[] = [buf];
        for (;;) {
          const chunk = Buffer.allocUnsafe(CHUNK);
          const n = await opened.read(chunk);
          if (n === 0) return Buffer.concat(more);
          more.push(chunk.subarray(0, n));
        }
      }
      const n = await opened.read(buf.subarray(at));
      if (n === 0) return buf.subarray(0, at);
      at += n;
    }
  } finally {
    await opened.close();
  }
}
