/**
 * doctor's modes, one at a time (issue 22): a run (live, --local, --replay, --watch) or one listing
 * (--examples, --list, --explain, --print-iam-policy). Two listings, or a listing with run-only flags, are
 * refused naming both (they used to override each other silently: `--list --explain X` listed). Each mode
 * names the formats it can produce; any other --format is refused (exit 2) instead of being ignored.
 */
import { UsageError } from "../../errors.js";
import type { Format } from "../../config/config.js";
import type { DoctorFlags } from "../commands/doctor.js";

export type Listing = "examples" | "list" | "explain" | "printIamPolicy";

const LISTINGS: ReadonlyArray<[Listing, string]> = [
  ["examples", "--examples"],
  ["list", "--list"],
  ["explain", "--explain"],
  ["printIamPolicy", "--print-iam-policy"],
];

/** What each listing can print: human text and one JSON document (the IAM policy is JSON either way). */
export const LISTING_FORMATS: Record<Listing, readonly Format[]> = {
  examples: ["human", "json"],
  list: ["human", "json"],
  explain: ["human", "json"],
  printIamPolicy: ["human", "json"],
};

/** Flags that only mean something to a run: with a listing they would be silently ignored. */
const RUN_ONLY: ReadonlyArray<[keyof DoctorFlags, string]> = [
  ["replay", "--replay"],
  ["local", "--local"],
  ["watch", "--watch"],
  ["saveEvidence", "--save-evidence"],
  ["since", "--since"],
  ["failOn", "--fail-on"],
  ["threshold", "--threshold"],
];

const given = (v: unknown) => v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0);

/** The one listing asked for, or undefined for a run. Throws UsageError for two modes at once. */
export function listingMode(flags: DoctorFlags): Listing | undefined {
  const asked = LISTINGS.filter(([k]) => given(flags[k]));
  if (asked.length > 1)
    throw new UsageError(
      `${asked[0]![1]} and ${asked[1]![1]} cannot be combined: each is a mode of its own; run them one at a time`,
      asked[1]![1],
    );
  const [mode] = asked;
  if (!mode) return undefined;
  for (const [k, name] of RUN_ONLY)
    if (given(flags[k]))
      throw new UsageError(
        `${mode[1]} and ${name} cannot be combined: ${mode[1]} prints a listing and runs no check`,
        name,
      );
  const format = flags.format ?? "human";
  const ok = LISTING_FORMATS[mode[0]];
  if (!ok.includes(format))
    throw new UsageError(
      `${mode[1]} --format ${format}: this listing is printed as ${ok.join(" or ")}`,
      "--format",
    );
  return mode[0];
}
