/**
 * Temp files that must not outlive an interrupted run (issue 26): writeAtomic's temp file is removed when
 * the process is interrupted (SIGINT, SIGTERM) or exits mid-write — for `creds --write` it holds the
 * password. The handlers are installed only while a temp file exists: a listener on SIGINT turns off
 * Node's default (ending the process), so once the files are gone the signal is raised again to end it
 * as it would have ended.
 */
import { rmSync } from "node:fs";

const pending = new Set<string>();
const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

function removeAll(): void {
  for (const f of pending) {
    try {
      rmSync(f, { force: true });
    } catch {
      // Best effort: the process is ending.
    }
  }
  pending.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  removeAll();
  uninstall();
  // Other listeners (the --watch loop's Ctrl-C) decide for themselves; with none, end as the signal would.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function install(): void {
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on("exit", removeAll);
}

function uninstall(): void {
  for (const s of SIGNALS) process.off(s, onSignal);
  process.off("exit", removeAll);
}

/** Remember `path` until the returned function is called (after the rename or the removal). */
export function trackTempFile(path: string): () => void {
  if (pending.size === 0) install();
  pending.add(path);
  return () => {
    pending.delete(path);
    if (pending.size === 0) uninstall();
  };
}

/** For tests: the temp files a signal would remove now. */
export function pendingTempFiles(): readonly string[] {
  return [...pending];
}
