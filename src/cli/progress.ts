/** The live progress line on stderr while gathering (TTY only). */
import type { Io } from "./io.js";
import type { ProgressEvent } from "../checks/runner.js";

export class ProgressLine {
  private active = new Map<string, string>();
  private done = 0;
  private shown = false;
  constructor(
    private readonly io: Io,
    private readonly enabled: boolean,
  ) {}

  update(e: ProgressEvent): void {
    if (!this.enabled) return;
    if (e.type === "source-start") this.active.set(e.id, e.title);
    else {
      this.active.delete(e.id);
      this.done++;
    }
    const names = [...this.active.values()].slice(0, 3).join(", ");
    const more = this.active.size > 3 ? ` +${this.active.size - 3}` : "";
    const line = `gathering: ${this.done} done${names ? `; ${names}${more}` : ""}`;
    const width = (this.io.stderr.columns ?? 80) - 1;
    this.io.stderr.write(`\r\x1b[2K${line.slice(0, width)}`);
    this.shown = true;
  }

  clear(): void {
    if (this.shown) this.io.stderr.write("\r\x1b[2K");
    this.shown = false;
  }
}
