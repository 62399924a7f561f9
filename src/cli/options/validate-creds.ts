/**
 * What `creds` refuses before it reads any secret: a bad --name (it becomes an INI section, TOML string,
 * poetry key), a --path that is one of its inputs, empty paths, a bad --url, and a malformed AWS environment.
 */
import type { Io } from "../io.js";
import type { CredsFlags } from "../commands/creds.js";
import { assertCredName } from "../../creds/formats.js";
import { checkFilePaths } from "./validate-paths.js";
import { checkAwsEnvironment } from "./validate-env.js";
import { stripUrlFlag } from "./validate-doctor.js";

export async function validateCredsFlags(flags: CredsFlags, io: Io): Promise<void> {
  stripUrlFlag(flags, io);
  if (flags.name !== undefined) assertCredName(flags.name, "--name");
  checkAwsEnvironment(io.env, flags.region);
  const outputs = flags.write
    ? [{ flag: flags.outputFlag ?? "--output", path: flags.path }]
    : flags.check
      ? [{ flag: flags.outputFlag ?? "--output", path: flags.output }]
      : [];
  await checkFilePaths(outputs, [
    { flag: "--config", path: flags.config },
    { flag: "--terraform-outputs", path: flags.terraformOutputs },
  ]);
}
