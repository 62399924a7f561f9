/**
 * The pypictl program. Commands register themselves from small modules that import nothing heavy at
 * load time (aws-cdk-lib, SDK clients): each command's action imports what it needs when it runs.
 */
import { Command, CommanderError } from "commander";
import { type Io, processIo, err } from "./io.js";
import { EXIT, EXIT_CODES_HELP } from "./exit-codes.js";
import { IncompleteError, UsageError, errorMessage } from "../errors.js";
import { TOOL_VERSION } from "../version.js";
import { registerDoctor } from "./commands/doctor.js";
import { registerCreds } from "./commands/creds.js";
import { registerInfraCommands } from "./commands/infra.js";

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command("pypictl")
    .description("Deploy, diagnose and connect to a private Python package index (pypiserver) on AWS.")
    .version(TOOL_VERSION, "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText("after", EXIT_CODES_HELP)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => err(io, s),
      outputError: (s, write) => write(s),
    })
    .exitOverride();
  registerDoctor(program, io, setExit);
  registerCreds(program, io, setExit);
  registerInfraCommands(program, io, setExit);
  for (const c of program.commands) {
    c.exitOverride();
    c.configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => err(io, s), outputError: (s, write) => write(s) });
    c.showHelpAfterError("(run with --help for usage)");
    c.addHelpText("after", EXIT_CODES_HELP);
  }
  return program;
}

/** Run the CLI with the given streams; resolves to the exit code. Never calls process.exit. */
export async function runCli(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; everything else commander rejects is a bad invocation.
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.code === "commander.help") return EXIT.ok;
      return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof UsageError) {
      err(io, `pypictl: ${e.message}\n`);
      return EXIT.usage;
    }
    if (e instanceof IncompleteError) {
      err(io, `pypictl: ${e.message}\n`);
      return EXIT.incomplete;
    }
    err(io, `pypictl: unexpected error: ${errorMessage(e)}\n`);
    if (io.env.PYPICTL_DEBUG) err(io, `${(e as Error)?.stack ?? ""}\n`);
    return EXIT.failed;
  }
}

export async function main(argv: readonly string[]): Promise<void> {
  // `pypictl doctor | head`: when the reader goes away, stop writing quietly instead of crashing on EPIPE.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code !== "EPIPE") throw e;
    });
  }
  process.exitCode = await runCli(argv);
}
