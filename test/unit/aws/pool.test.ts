/** One AwsClientPool per run: shared inside the run, never between runs, and no SDK package loaded by making one. */
import { describe, expect, it } from "vitest";
import { AwsClientPool } from "../../../src/sources/aws/pool.js";
import { clientsOf } from "../../../src/sources/aws/shared.js";
import { DEFAULT_GATHER_SETTINGS } from "../../../src/sources/context.js";
import type { AwsSettings } from "../../../src/sources/aws/clients.js";
import type { Target } from "../../../src/sources/target/model.js";

const fleet: Target = { kind: "fleet", region: "eu-west-1", profile: "ops" };

describe("AwsClientPool", () => {
  it("makes one set of clients per identity and limits, and hands the same one to every caller", () => {
    const made: AwsSettings[] = [];
    const pool = new AwsClientPool((s) => {
      made.push(s);
      return { settings: s } as never;
    });
    const a = pool.for({ region: "eu-west-1", profile: "ops" });
    expect(pool.for({ region: "eu-west-1", profile: "ops" })).toBe(a);
    expect(pool.for({ region: "eu-west-2", profile: "ops" })).not.toBe(a);
    expect(pool.for({ region: "eu-west-1" })).not.toBe(a);
    const bounded = pool.for({ region: "eu-west-1", profile: "ops" }, { deadlineAt: 1234 });
    expect(bounded).not.toBe(a);
    expect(pool.for({ region: "eu-west-1", profile: "ops" }, { deadlineAt: 1234 })).toBe(bounded);
    expect(made).toEqual([
      { region: "eu-west-1", profile: "ops" },
      { region: "eu-west-2", profile: "ops" },
      { region: "eu-west-1" },
      { region: "eu-west-1", profile: "ops", deadlineAt: 1234 },
    ]);
  });

  it("two runs (two pools) never share clients; a run's sources do", async () => {
    const run1 = { settings: { ...DEFAULT_GATHER_SETTINGS, aws: new AwsClientPool() }, target: fleet };
    const run2 = { settings: { ...DEFAULT_GATHER_SETTINGS, aws: new AwsClientPool() }, target: fleet };
    expect(clientsOf(run1)).toBe(clientsOf(run1));
    expect(clientsOf(run1)).not.toBe(clientsOf(run2));
    const [ecs1, ecs2] = [await clientsOf(run1).ecs(), await clientsOf(run2).ecs()];
    expect(ecs1).not.toBe(ecs2);
    expect(await clientsOf(run1).ecs()).toBe(ecs1);
    expect(clientsOf(run1).settings).toEqual({ region: "eu-west-1", profile: "ops" });
  });

  it("a context without a pool is a wiring mistake, said as such", () => {
    expect(() => clientsOf({ settings: DEFAULT_GATHER_SETTINGS, target: fleet })).toThrow(
      /no AWS client pool/,
    );
  });
});
