/**
 * Operating-system errors in words (issue 26): a full disk, a closed pipe or a file name that is too long is
 * a sentence naming the file and the errno code, never "unexpected error" or a stack trace. Pure, except
 * `guardOutputStreams`, which the entry point gives the process's own streams.
 */
import type { EventEmitter } from "node:events";

/** What each errno means to a user (the wording of strerror(3), shortened). */
const WORDS: Readonly<Record<string, string>> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOENT: "no such file or directory",
  ENOTDIR: "a part of the path is not a directory",
  EISDIR: "is a directory",
  EEXIST: "already exists",
  ENAMETOOLONG: "the file name is too long",
  ELOOP: "a symbolic link where none is allowed, or too many levels of them",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EFBIG: "the file is too large",
  EROFS: "read-only file system",
  EIO: "input/output error",
  EMFILE: "too many open files",
  ENFILE: "too many open files in the system",
  ENXIO: "no such device (a FIFO without a reader?)",
  EPIPE: "the reader closed the pipe",
  EBADF: "the stream is closed",
  EAGAIN: "the resource is temporarily unavailable",
  EBUSY: "the device or file is busy",
  ETXTBSY: "the file is busy",
  EINVAL: "invalid argument",
};

export interface OsError {
  code: string;
  syscall?: string;
  path?: string;
  message: string;
}

/** An error from a system call (errno code such as ENOSPC), as Node's fs, net and streams throw them. */
export function isOsError(e: unknown): e is OsError {
  const x = e as Partial<OsError> | null;
  return (
    typeof x === "object" &&
    x !== null &&
    typeof x.code === "string" &&
    /^E[A-Z0-9]+$/.test(x.code) &&
    (typeof x.syscall === "string" || typeof x.path === "string")
  );
}

/** "no space left on the device (ENOSPC)". */
export function errnoWords(code: string): string {
  return `${WORDS[code] ?? "system error"} (${code})`;
}

/** "ENOSPC: no space left on the device": the code first, where messages have always led with it. */
export function errnoLead(code: string): string {
  return `${code}: ${WORDS[code] ?? "system error"}`;
}

/** "/tmp/x: the file name is too long (ENAMETOOLONG)": the file first when the error names one. */
export function osErrorText(e: OsError): string {
  return `${e.path ? `${e.path}: ` : ""}${errnoWords(e.code)}`;
}

export interface GuardedStream extends EventEmitter {
  write(chunk: string): unknown;
}

/**
 * stdout and stderr errors as words and an exit code instead of an uncaught 'error' event (a stack trace
 * and exit 1): a reader that went away (EPIPE: `pypictl doctor | head`) stops the output quietly; any
 * other failure (ENOSPC on /dev/full or a full disk) is said once on stderr and `onFailure` sets the code.
 */
export function guardOutputStreams(
  streams: { stdout: GuardedStream; stderr: GuardedStream },
  onFailure: (e: NodeJS.ErrnoException) => void,
): void {
  let said = false;
  for (const [name, stream] of [
    ["stdout", streams.stdout],
    ["stderr", streams.stderr],
  ] as const) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") return;
      onFailure(e);
      if (said || name === "stderr") return;
      said = true;
      try {
        streams.stderr.write(
          `pypictl: cannot write the output to stdout: ${e.code ? errnoWords(e.code) : e.message}\n`,
        );
      } catch {
        // stderr is gone too: the exit code says it.
      }
    });
  }
}
