/** `--explain typo`: the error, with the nearest known ids (edit distance) before the whole list. */
import { CHECKS } from "../../checks/registry.js";
import { UsageError } from "../../errors.js";
import { didYouMean } from "../../suggest.js";

export function unknownCheck(id: string): never {
  const ids = CHECKS.map((c) => c.id);
  throw new UsageError(
    `--explain: unknown check "${id}".${didYouMean(id, ids)} Known: ${ids.join(", ")}`,
    "--explain",
  );
}
