/**
 * Run the probe script on this machine: `sh -s` with the script on stdin, killed on abort. Resolves with
 * whatever the script printed (never rejects for a non-zero exit: the sections carry their own status).
 */
import { spawn } from "node:child_process";

export interface LocalRun {
  stdout: string;
  stderr: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Cap on what is kept of each stream (the script stays far below it). */
const MAX_CAPTURE = 1_000_000;

export function runScriptLocally(script: string, signal: AbortSignal, shell = "sh"): Promise<LocalRun> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
      return;
    }
    // detached: the script gets its own process group, so an abort kills vmstat/find too, not only sh.
    const child = spawn(shell, ["-s"], {
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
      env: { ...process.env, LC_ALL: "C" },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8");
    child.stderr.setEncoding("utf8");
    child.stdout.on("data", (d: string) => {
      if (stdout.length < MAX_CAPTURE) stdout += d;
    });
    child.stderr.on("data", (d: string) => {
      if (stderr.length < MAX_CAPTURE) stderr += d;
    });
    const kill = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    };
    const onAbort = () => kill();
    signal.addEventListener("abort", onAbort, { once: true });
    child.on("error", (e) => {
      signal.removeEventListener("abort", onAbort);
      reject(e);
    });
    child.on("close", (code, sig) => {
      signal.removeEventListener("abort", onAbort);
      if (signal.aborted) reject(signal.reason instanceof Error ? signal.reason : new Error("aborted"));
      else resolve({ stdout, stderr, code, signal: sig });
    });
    child.stdin.on("error", () => {
      /* the shell exited before reading all of stdin: reported through close */
    });
    child.stdin.end(script);
  });
}
