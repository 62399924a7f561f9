/** `pypictl deploy | synth | diff | destroy | bootstrap` (filled in by the infra work). */
import type { Command } from "commander";
import type { Io } from "../io.js";

export function registerInfraCommands(_program: Command, _io: Io, _setExit: (code: number) => void): void {}
