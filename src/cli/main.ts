/**
 * The pypictl program. Commands register themselves from small modules that import nothing heavy at
 * load time (aws-cdk-lib, SDK clients): each command's action imports what it needs when it runs.
 */
import { Command, CommanderError } from "commander";
import { type Io, type OutStream, processIo, err } from "./io.js";
import { examplesHelp } from "./help/examples.js";
import { registerCompletion } from "./commands/completion.js";
import { EXIT, EXIT_CODES_HELP } from "./exit-codes.js";
import { IncompleteError, UsageError, errorMessage } from "../errors.js";
import { DeclinedError, InfraError } from "../infra/errors.js";
import { TOOL_VERSION } from "../version.js";
import { guardOutputStreams, isOsError, osErrorText } from "./os-errors.js";
import { registerDoctor } from "./commands/doctor.js";
import { registerCreds } from "./commands/creds.js";
import { registerInfraCommands } from "./commands/infra.js";
import { registerSize } from "./commands/size.js";

/**
 * Help and errors go through the Io, wrapped at the terminal's width (gh and kubectl do), or at 80 columns
 * when not on a terminal so piped help is stable.
 */
function helpOutput(io: Io) {
  const width = (stream: OutStream) =>
    stream.isTTY && stream.columns && stream.columns > 20 ? stream.columns : 80;
  return {
    writeOut: (s: string) => io.stdout.write(s),
    writeErr: (s: string) => err(io, s),
    outputError: (s: string, write: (s: string) => void) => write(s),
    getOutHelpWidth: () => width(io.stdout),
    getErrHelpWidth: () => width(io.stderr),
  };
}

export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command("pypictl")
    .description("Deploy, diagnose and connect to a private Python package index (pypiserver) on AWS.")
    .version(TOOL_VERSION, "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .addHelpText("after", EXIT_CODES_HELP)
    .exitOverride();
  // An empty value (`--since ''`, an unset variable in a script) is refused, never read as "not given".
  program.hook("preAction", (_program, action) => refuseEmptyValues(action));
  registerDoctor(program, io, setExit);
  registerCreds(program, io, setExit);
  registerInfraCommands(program, io, setExit);
  registerSize(program, io, setExit);
  registerCompletion(program, io);
  program.configureOutput(helpOutput(io));
  // Wrap descriptions even on narrow terminals (commander stops wrapping below 40 columns of description).
  program.configureHelp({ minWidthToWrap: 16 });
  program.addHelpText("after", examplesHelp("pypictl"));
  for (const c of program.commands) {
    c.exitOverride();
    c.configureOutput(helpOutput(io));
    c.configureHelp({ minWidthToWrap: 16 });
    c.showHelpAfterError("(run with --help for usage)");
    c.addHelpText("after", `${examplesHelp(c.name())}\n${EXIT_CODES_HELP}`);
  }
  return program;
}

function refuseEmptyValues(cmd: Command): void {
  for (const opt of cmd.options) {
    const v: unknown = cmd.getOptionValue(opt.attributeName());
    if (
      v === "" ||
      (Array.isArray(v) && v.some((x) => x === "")) ||
      (typeof v === "string" && v.trim() === "")
    ) {
      const flag = opt.long ?? opt.short ?? opt.name();
      throw new UsageError(
        `${flag}: the value is empty (give one, or leave the flag out to use the default)`,
        flag,
      );
    }
  }
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
      if (
        e.code === "commander.helpDisplayed" ||
        e.code === "commander.version" ||
        e.code === "commander.help"
      )
        return EXIT.ok;
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
    // deploy/diff/destroy: the operation failed or was declined (a toolkit failure, a stack that cannot be
    // read, a "no" at the prompt): exit 1 with its words, wherever in the command it was thrown.
    if (e instanceof InfraError || e instanceof DeclinedError) {
      err(io, `pypictl: ${e.message}\n`);
      return EXIT.failed;
    }
    // An OS error no command turned into its own words (a file name too long, a full disk): the file and
    // the errno in words, exit 2 like every other file that cannot be read or written.
    if (isOsError(e)) {
      err(io, `pypictl: ${osErrorText(e)}\n`);
      return EXIT.usage;
    }
    // Not a verdict about the fleet: a bug. Its own code, so CI never reads it as "a check failed".
    err(io, `pypictl: internal error: ${errorMessage(e)}\n`);
    if (io.env.PYPICTL_DEBUG) err(io, `${(e as Error)?.stack ?? ""}\n`);
    else
      err(io, "pypictl: this is a bug: run again with PYPICTL_DEBUG=1 for the stack trace and report it\n");
    return EXIT.internal;
  }
}

export async function main(argv: readonly string[]): Promise<void> {
  // `pypictl doctor | head` stops quietly; a stdout that cannot be written (a full disk) is said in words
  // and the run exits 2, as when --output cannot be written.
  let outputFailed = false;
  guardOutputStreams({ stdout: process.stdout, stderr: process.stderr }, () => {
    outputFailed = true;
    process.exitCode = EXIT.usage;
  });
  const code = await runCli(argv);
  process.exitCode = outputFailed ? EXIT.usage : code;
}
