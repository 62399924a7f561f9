import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CHECKS, RETIRED_CHECKS, selectChecks } from "../../../src/checks/registry.js";
import { renderChecksDoc } from "../../../src/checks/docs.js";
import { SOURCE_FAILURE_HINTS } from "../../../src/checks/runner.js";
import { PLAYBOOKS, renderMessage } from "../../../src/checks/model.js";
import { SOURCE_LOADERS } from "../../../src/sources/registry.js";

describe("the check registry", () => {
  it("has unique, well-formed ids that no retired check reuses", () => {
    const ids = CHECKS.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).toMatch(/^(host|efs|ecs|alb|auth|upload|ec2)\.[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(RETIRED_CHECKS[id]).toBeUndefined();
    }
  });

  it("documents every check and threshold, with sane defaults", () => {
    for (const c of CHECKS) {
      expect(c.title.length, c.id).toBeGreaterThan(3);
      expect(c.description.length, c.id).toBeGreaterThan(20);
      expect(c.playbooks.length, c.id).toBeGreaterThan(0);
      for (const p of c.playbooks) expect(PLAYBOOKS).toContain(p);
      for (const [name, t] of Object.entries(c.thresholds)) {
        expect(name, c.id).toMatch(/^[a-z][A-Za-z0-9]*$/);
        expect(t.description.length, `${c.id}.${name}`).toBeGreaterThan(10);
        expect(t.unit, `${c.id}.${name}`).not.toBe("");
        if (t.min !== undefined) expect(t.default, `${c.id}.${name}`).toBeGreaterThanOrEqual(t.min);
        if (t.max !== undefined) expect(t.default, `${c.id}.${name}`).toBeLessThanOrEqual(t.max);
      }
      expect(Object.keys(c.messages).length, c.id).toBeGreaterThan(0);
    }
  });

  it("names only sources that exist", () => {
    for (const c of CHECKS)
      for (const id of [...c.needs, ...(c.uses ?? [])])
        expect(SOURCE_LOADERS[id], `${c.id} needs ${id}`).toBeDefined();
  });

  it("has message templates whose placeholders are plain names", () => {
    for (const c of CHECKS) for (const t of Object.values(c.messages)) expect(renderMessage(t, {})).toBe(t);
  });

  it("keeps docs/checks.md current (run `npm run docs`)", () => {
    const committed = readFileSync(new URL("../../../docs/checks.md", import.meta.url), "utf8");
    expect(committed).toBe(renderChecksDoc(CHECKS, RETIRED_CHECKS, SOURCE_FAILURE_HINTS));
  });
});

describe("selectChecks", () => {
  const fake = [
    { id: "host.a", playbooks: ["iowait"] },
    { id: "host.b", playbooks: ["oom", "slow-listing"] },
    { id: "efs.c", playbooks: ["slow-listing"] },
  ] as never[];

  it("selects by id, area and playbook, and skips", () => {
    expect(selectChecks(fake, ["slow-listing"], undefined).map((c: { id: string }) => c.id)).toEqual([
      "host.b",
      "efs.c",
    ]);
    expect(selectChecks(fake, ["host"], ["host.b"]).map((c: { id: string }) => c.id)).toEqual(["host.a"]);
    expect(selectChecks(fake, undefined, ["oom"]).map((c: { id: string }) => c.id)).toEqual([
      "host.a",
      "efs.c",
    ]);
  });

  it("rejects an unknown name, naming the flag", () => {
    expect(() => selectChecks(fake, ["host.nope"], undefined)).toThrow(
      /--only: unknown check or playbook "host.nope"/,
    );
    expect(() => selectChecks(fake, undefined, ["zzz"])).toThrow(/--skip/);
  });
});
