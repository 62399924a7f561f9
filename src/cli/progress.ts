/** The live progress line on stderr while gathering (TTY only). */
import type { Io } from "./io.js";
import type { ProgressEvent } from "../checks/runner.js";
import { inertText } from "./render/inert.js";

export class ProgressLine {
  private active = new Map<string, string>();
  private done = 0;
  private shown = false;
  private readonly enabled: boolean;
  constructor(
    private readonly io: Io,
    enabled: boolean,
  ) {
    // TERM=dumb (Emacs shells, some CI consoles) cannot erase a line: no control sequences at all.
    this.enabled = enabled && io.env.TERM !== "dumb";
  }

  update(e: ProgressEvent): void {
    if (!this.enabled) return;
    if (e.type === "source-start") this.active.set(e.id, inertText(e.title));
    else {
      this.active.delete(e.id);
      this.done++;
    }
    const names = [...this.active.values()].slice(0, 3).join(", ");
    const more = this.active.size > 3 ? ` +${this.active.size - 3}` : "";
    const line = `gathering: ${this.done} done${names ? `; ${names}${more}` : ""}`;
    // Fit the line to the terminal so it never wraps (a wrapped line cannot be cleared with \r); a pty that
    // reports 0 columns (or none) has no width to fit, so the line is written whole rather than cut.
    const columns = this.io.stderr.columns;
    const fitted = columns && columns > 1 ? line.slice(0, columns - 1) : line;
    this.io.stderr.write(`\r\x1b[2K${fitted}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.io.stderr.write("\r\x1b[2K");
    this.shown = false;
  }
}
