/**
 * `pypictl completion bash|zsh|fish`: a completion script generated from the command tree itself (every
 * command, flag and choice commander knows) plus the check catalogue (ids, areas, playbooks) and the
 * packaged examples — so it can never list a flag that does not exist.
 */
import { Argument, type Command } from "commander";
import { type Io, out } from "../io.js";

export const SHELLS = ["bash", "zsh", "fish"] as const;

export function registerCompletion(program: Command, io: Io): void {
  program
    .command("completion")
    .description(
      "Print a shell completion script. bash: `source <(pypictl completion bash)` (or save it to ~/.local/share/bash-completion/completions/pypictl); " +
        'zsh: `pypictl completion zsh > "${fpath[1]}/_pypictl"`; fish: `pypictl completion fish > ~/.config/fish/completions/pypictl.fish`.',
    )
    .addArgument(new Argument("<shell>", "the shell").choices([...SHELLS]))
    .action(async (shell: (typeof SHELLS)[number]) => {
      const { completionScript } = await import("../completion/generate.js");
      out(io, completionScript(shell, program));
    });
}
