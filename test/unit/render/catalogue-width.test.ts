import { describe, expect, it } from "vitest";
import { renderCheckList } from "../../../src/cli/render/catalogue.js";
import { CHECKS } from "../../../src/checks/registry.js";

describe("doctor --list fits the width it is given (80 columns off a terminal)", () => {
  for (const width of [80, 60, undefined]) {
    it(`width ${width ?? "default (80)"}: no line wider, every check and threshold still listed`, () => {
      const text = renderCheckList(CHECKS, { color: false, ...(width ? { width } : {}) });
      const lines = text.trimEnd().split("\n");
      expect(lines.filter((l) => l.length > (width ?? 80))).toEqual([]);
      for (const c of CHECKS) {
        expect(text).toContain(c.id);
        for (const name of Object.keys(c.thresholds)) expect(text).toContain(`${name} =`);
      }
    });
  }
});
