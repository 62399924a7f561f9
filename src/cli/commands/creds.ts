/** `pypictl creds` (filled in by the creds work). */
import type { Command } from "commander";
import type { Io } from "../io.js";

export function registerCreds(_program: Command, _io: Io, _setExit: (code: number) => void): void {}
