/** Exit codes: the same for every command. Documented in the README and in --help. */
export { EXIT, type ExitCode } from "../checks/report.js";

export const EXIT_CODES_HELP = `
Exit codes (the same for every command):
  0  nothing failed
  1  a check failed (or warned, with --fail-on warn); deploy/diff/destroy: the operation failed
  2  bad invocation or input: unknown flag or check id, malformed threshold, config, bundle or
     credentials missing — the message names the flag, field or file
  3  diagnosis incomplete: some checks could not be evaluated (error), none failed — or AWS could
     not be reached at all (network, endpoint, throttling)
`;
