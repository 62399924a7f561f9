/**
 * Numbers on the command line: plain decimal only. `Number()` alone accepts `1e1`, `0x3`, `0b1`, ` 5 `,
 * `Infinity`; a threshold of `0x10` or `1e308` is a typo or an attack, never what an operator meant.
 */
import { UsageError } from "../../errors.js";

const WHOLE = /^\d{1,9}$/;
const DECIMAL = /^-?\d{1,12}(\.\d{1,12})?$/;

export function isWholeDecimal(text: string): boolean {
  return WHOLE.test(text);
}

export function isDecimal(text: string): boolean {
  return DECIMAL.test(text);
}

/** A whole number written in decimal digits (no sign, exponent, hex or spaces). */
export function checkWholeFlag(text: string | undefined, flag: string): void {
  if (text !== undefined && !isWholeDecimal(text))
    throw new UsageError(`${flag}: "${text}" must be a whole number in decimal digits, e.g. 5`, flag);
}
