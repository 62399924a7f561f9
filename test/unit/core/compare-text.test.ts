/**
 * compareText (src/sources/compare-text.ts) orders every pair of strings as localeCompare does: ids,
 * addresses and timestamps (its fast path), and anything else (handed to the collator).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compareText } from "../../../src/sources/compare-text.js";

const sign = (n: number) => Math.sign(n);
const runs = { numRuns: Number(process.env.PROPERTY_RUNS ?? 500) };

describe("compareText", () => {
  it("agrees with localeCompare on strings over an alphabet mixing plain and other characters", () => {
    const ch = fc.constantFrom(..."ab09-.:AZ_ /é\u0001x");
    const s = fc.array(ch, { maxLength: 8 }).map((cs) => cs.join(""));
    fc.assert(
      fc.property(s, s, (a, b) => sign(compareText(a, b)) === sign(a.localeCompare(b))),
      runs,
    );
  });

  it("agrees with localeCompare on any strings", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => sign(compareText(a, b)) === sign(a.localeCompare(b))),
      runs,
    );
  });

  it("agrees on what the sources sort: instance ids, IPv4 and IPv6 targets, ISO times", () => {
    const hex = fc
      .array(fc.constantFrom(..."0123456789abcdef"), { minLength: 8, maxLength: 17 })
      .map((h) => `i-${h.join("")}`);
    const ipv4 = fc.ipV4();
    const ipv6 = fc.ipV6();
    const iso = fc
      .date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true })
      .map((d) => d.toISOString());
    const any = fc.oneof(hex, ipv4, ipv6, iso, fc.constant(""));
    fc.assert(
      fc.property(any, any, (a, b) => sign(compareText(a, b)) === sign(a.localeCompare(b))),
      runs,
    );
    const ids = ["i-0b", "i-0a1", "i-0A", "10.0.10.5", "10.0.1.5", "2001:db8::1", "20010", ""];
    expect([...ids].sort(compareText)).toEqual([...ids].sort((a, b) => a.localeCompare(b)));
  });
});
