/**
 * Commands in user-facing text (remediation hints, docs/checks.md, the README), pulled out so tests can check
 * each one runs as written: the convention is that a command sits in backticks, so a code span whose first
 * word is a tool is a command; a tool name followed by a subcommand or a flag outside backticks is an error
 * of its own (it could not be checked, nor copied cleanly).
 */

/** The tools whose flags the tests verify. `pip` is also reached as `python3 -m pip`. */
export type Tool = "pypictl" | "aws" | "twine" | "pip";

export interface ExtractedCommand {
  tool: Tool;
  /** Words after the tool (subcommands, flags, values), quotes removed. */
  args: string[];
  /** The command as written, for messages. */
  text: string;
}

/** `{{name}}` placeholders of a template, as a reader would type them: `<name>`. */
export function withPlaceholders(template: string): string {
  return template.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, "<$1>");
}

/** A value the user replaces (`<cluster>`, `<instance-id>`): any value is fine for it. */
export function isPlaceholder(word: string): boolean {
  return /<[^>]+>/.test(word);
}

export function codeSpans(text: string): string[] {
  return [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}

/** Shell words of a span, split at |, ;, &&, $( and ) into separate command segments. */
function segments(written: string): string[][] {
  // A quoted command substitution ("$(…)") runs its own command: unquote it so it is split like the rest.
  const span = written.replace(/"\$\(/g, "$(").replace(/\)"/g, ")");
  const out: string[][] = [[]];
  let word = "";
  let inWord = false;
  let quote: string | undefined;
  const push = () => {
    if (inWord) out[out.length - 1]!.push(word);
    word = "";
    inWord = false;
  };
  for (let i = 0; i < span.length; i++) {
    const ch = span[i]!;
    if (quote) {
      if (ch === quote) quote = undefined;
      else word += ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
      continue;
    }
    if (ch === "$" && span[i + 1] === "(") {
      push();
      out.push([]);
      i++;
      continue;
    }
    if (ch === "|" || ch === ";" || ch === ")" || (ch === "&" && span[i + 1] === "&")) {
      push();
      out.push([]);
      if (ch === "&") i++;
      continue;
    }
    if (/\s/.test(ch)) {
      push();
      continue;
    }
    word += ch;
    inWord = true;
  }
  push();
  return out;
}

/** The command a segment runs, after env assignments, `sudo` and `eval`. */
function commandOf(words: string[], text: string): ExtractedCommand | undefined {
  let i = 0;
  while (
    i < words.length &&
    (/^[A-Z_][A-Z0-9_]*=/.test(words[i]!) ||
      words[i] === "sudo" ||
      words[i] === "eval" ||
      words[i] === "exec")
  )
    i++;
  const w = words.slice(i);
  if (w.length === 0) return undefined;
  if (w[0] === "pypictl" || w[0] === "aws" || w[0] === "twine") return { tool: w[0], args: w.slice(1), text };
  if (w[0] === "pip" || w[0] === "pip3") return { tool: "pip", args: w.slice(1), text };
  if (/^python3?$/.test(w[0]!) && w[1] === "-m" && w[2] === "pip")
    return { tool: "pip", args: w.slice(3), text };
  return undefined;
}

/** Every command of the four tools written in backticks in `text` (templates: placeholders become `<name>`). */
export function commandsIn(text: string): ExtractedCommand[] {
  const out: ExtractedCommand[] = [];
  for (const span of codeSpans(withPlaceholders(text)))
    for (const seg of segments(span)) {
      const c = commandOf(seg, span);
      if (c) out.push(c);
    }
  return out;
}

const SUBCOMMAND_AFTER: Record<string, RegExp> = {
  pypictl:
    /\bpypictl\s+(?:doctor|creds|deploy|synth|diff|destroy|bootstrap|completion)\b|\bpypictl\s+--?[a-z]/,
  aws: /\baws\s+(?:ecs|ec2|elbv2|autoscaling|secretsmanager|cloudwatch|efs|ssm|s3|iam|sts|logs|cloudformation)\s+[a-z]/,
  twine: /\btwine\s+(?:upload|check|register)\b|\btwine\s+--?[a-z]/,
  pip: /\bpip3?\s+(?:install|download|config|index|wheel|uninstall)\b|\bpip3?\s+--[a-z]|\bpython3?\s+-m\s+pip\b/,
};

/** Commands written outside backticks: text with the code spans removed, searched for tool + subcommand/flag. */
export function unquotedCommands(text: string): string[] {
  const prose = text.replace(/`[^`]*`/g, " ");
  const out: string[] = [];
  for (const re of Object.values(SUBCOMMAND_AFTER)) {
    const m = re.exec(prose);
    if (m) out.push(prose.slice(Math.max(0, m.index - 20), m.index + 60));
  }
  return out;
}
