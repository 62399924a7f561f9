/**
 * `--timeout <seconds>`: the whole run's deadline, for doctor and creds alike. Every AWS call, probe and
 * host sample of the run is cut when it passes, and what is not in by then is reported as timed out
 * (exit 3), so a hanging endpoint costs the run seconds, not the SDK's attempts × request timeouts.
 */
import { UsageError } from "../../errors.js";
import { isWholeDecimal } from "./validate-numbers.js";

export const MAX_TIMEOUT_SECONDS = 3600;

/** Whole seconds from 1 to an hour, in decimal digits; `fallback` when the flag is not given. */
export function timeoutSeconds(text: string | undefined, fallback: number, flag = "--timeout"): number {
  if (text === undefined) return fallback;
  const n = isWholeDecimal(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= MAX_TIMEOUT_SECONDS))
    throw new UsageError(
      `${flag}: "${text}" must be a whole number of seconds from 1 to ${MAX_TIMEOUT_SECONDS}`,
      flag,
    );
  return n;
}
