/**
 * Errors that carry a documented exit code. Core code throws these; only src/cli turns them into
 * output and an exit code. Messages must name the flag, field or file at fault and never a secret.
 */

/** Bad invocation or input: unknown flag or check id, malformed threshold, config or bundle. Exit 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  constructor(
    message: string,
    /** What was at fault, e.g. `--threshold`, `config.json: thresholds.host.swap-used.min`. */
    readonly subject?: string,
  ) {
    super(message);
  }
}

/** AWS credentials are missing or unusable: exit 2 with instructions. */
export class CredentialsError extends UsageError {
  override readonly name = "UsageError";
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Nothing could be diagnosed because AWS could not be reached (network, endpoint, throttling). Exit 3. */
export class IncompleteError extends Error {
  override readonly name = "IncompleteError";
}
