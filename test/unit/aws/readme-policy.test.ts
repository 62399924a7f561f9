import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  EXAMPLE_STACK_FLEET,
  README_POLICY_END,
  README_POLICY_START,
  renderPolicyExample,
  withPolicyExample,
} from "../../../src/sources/aws/policy-example.js";
import { isCurrentProbeDocument } from "../../../src/sources/host/probe-document.js";
import { SIZE_ONLY_SOURCES, SOURCE_GRANTS } from "../../../src/sources/aws/grants.js";

const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");

describe("the README's example IAM policy", () => {
  it("is the policy doctor prints today (run `npm run docs`)", () => {
    expect(readme).toBe(withPolicyExample(readme));
  });

  it("names this pypictl's probe document and every action a source declares", () => {
    expect(isCurrentProbeDocument(EXAMPLE_STACK_FLEET.probeDocument!)).toBe(true);
    const section = readme.slice(readme.indexOf(README_POLICY_START), readme.indexOf(README_POLICY_END));
    const doctorActions = Object.entries(SOURCE_GRANTS)
      .filter(([id]) => !SIZE_ONLY_SOURCES.has(id))
      .flatMap(([, grants]) => grants.flatMap((g) => g.actions));
    for (const action of new Set(doctorActions)) {
      expect(section, action).toContain(`"${action}"`);
    }
  });

  it("fails loudly when its markers are gone", () => {
    expect(() => withPolicyExample("# no markers")).toThrow(/markers/);
    expect(renderPolicyExample()).toContain("PypictlReadServiceLogs");
  });
});
