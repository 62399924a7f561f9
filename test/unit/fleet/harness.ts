/** Run the real fleet sources and checks against the simulated fleet (strict SDK mocks). */
import { readFileSync } from "node:fs";
import { afterEach, beforeEach } from "vitest";
import { CHECKS } from "../../../src/checks/registry.js";
import type { Check, Window } from "../../../src/checks/model.js";
import { runDoctor } from "../../../src/checks/doctor.js";
import { gather } from "../../../src/checks/runner.js";
import { SOURCE_LOADERS } from "../../../src/sources/registry.js";
import { DEFAULT_GATHER_SETTINGS, type GatherSettings } from "../../../src/sources/context.js";
import type { FleetTarget } from "../../../src/sources/target/model.js";
import { AwsClientPool } from "../../../src/sources/aws/pool.js";
import { fleetTarget, installFleet, type Fleet } from "../../fixtures/aws/sim.mjs";

export const NOW = new Date("2026-11-20T12:00:00Z");
export const WINDOW: Window = {
  start: "2026-11-20T11:00:00.000Z",
  end: "2026-11-20T12:00:00.000Z",
  since: "1h",
};
export const PROBE_STDOUT = readFileSync(
  new URL("../../fixtures/aws/probe-stdout.txt", import.meta.url),
  "utf8",
);

export const SETTINGS: GatherSettings = {
  ...DEFAULT_GATHER_SETTINGS,
  ssmInitialPollMs: 0,
  ssmMaxPollMs: 5,
  ssmBudgetMs: 2_000,
};

/** The AWS-backed checks and the host checks (fed by the SSM probe); auth/upload talk HTTP and are not simulated. */
export const FLEET_CHECKS: Check[] = CHECKS.filter((c) =>
  ["efs", "ecs", "alb", "ec2", "host"].includes(c.id.split(".")[0]!),
);

export const load = async (id: string) => {
  const l = SOURCE_LOADERS[id];
  return l ? l() : undefined;
};

export async function gatherFleet(
  ids: string[],
  target: FleetTarget = fleetTarget(),
  opts: { deadlineMs?: number; settings?: Partial<GatherSettings> } = {},
) {
  return gather(ids, {
    target,
    window: WINDOW,
    settings: { ...SETTINGS, aws: new AwsClientPool(), ...opts.settings },
    load,
    now: () => NOW,
    deadlineMs: opts.deadlineMs,
  });
}

export async function doctorFleet(
  opts: {
    target?: FleetTarget;
    checks?: Check[];
    deadlineMs?: number;
    settings?: Partial<GatherSettings>;
  } = {},
) {
  return runDoctor({
    checks: opts.checks ?? FLEET_CHECKS,
    overrides: {},
    window: WINDOW,
    target: opts.target ?? fleetTarget(),
    settings: { ...SETTINGS, aws: new AwsClientPool(), ...opts.settings },
    toolVersion: "0.0.0-test",
    load,
    deadlineMs: opts.deadlineMs,
    now: () => NOW,
  });
}

export function statuses(findings: Array<{ checkId: string; status: string }>): Record<string, string> {
  return Object.fromEntries(findings.map((f) => [f.checkId, f.status]));
}

/** Static test credentials and no instance metadata: the SDK resolves credentials without any network. */
export const TEST_AWS_ENV = {
  AWS_ACCESS_KEY_ID: "AKIDTEST",
  AWS_SECRET_ACCESS_KEY: "secret",
  AWS_EC2_METADATA_DISABLED: "true",
} as const;

const installed: Fleet[] = [];

/** installFleet, restored after the test by useTestAwsEnv. */
export function installTestFleet(...args: Parameters<typeof installFleet>): Fleet {
  const f = installFleet(...args);
  installed.push(f);
  return f;
}

/**
 * The AWS environment every fleet test runs in: the test credentials before each test (each run makes its own clients);
 * after it, the fleets it installed are restored (last first) and process.env is what it was.
 */
export function useTestAwsEnv(): void {
  const saved = { ...process.env };
  beforeEach(() => {
    Object.assign(process.env, TEST_AWS_ENV);
  });
  afterEach(() => {
    for (const f of installed.splice(0).reverse()) f.restore();
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  });
}
