/** Fixture loading and evidence builders for the host tests. */
import { readFileSync } from "node:fs";
import { ok, type Evidence } from "../../../src/sources/model.js";
import type { HostResult } from "../../../src/sources/host/model.js";
import { parseProbeOutput } from "../../../src/sources/host/parse.js";

export const FIXTURES = new URL("../../fixtures/host/", import.meta.url);

export function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), "utf8");
}

export const WINDOW = { start: "2026-03-10T13:00:00Z", end: "2026-03-10T14:00:00Z", since: "1h" };

export function evidenceOf(...hosts: HostResult[]): Evidence {
  return { "host.probe": ok({ hosts }, undefined, new Date("2026-03-10T14:00:00Z")) };
}

export function probe(name: string, host?: string): HostResult {
  return parseProbeOutput(host ?? name.replace(/^probe-|\.txt$/g, ""), fixture(name));
}

/** Replace one section's body in probe output (keeps the markers). */
export function withSection(stdout: string, name: string, body: string, end = "status=ok exit=0"): string {
  const re = new RegExp(`==> pypictl:${name} <==\\n[\\s\\S]*?<== pypictl:${name} [^\\n]*==>\\n`);
  if (!re.test(stdout)) throw new Error(`no section ${name}`);
  return stdout.replace(
    re,
    () =>
      `==> pypictl:${name} <==\n${body}${body && !body.endsWith("\n") ? "\n" : ""}<== pypictl:${name} ${end} ==>\n`,
  );
}
