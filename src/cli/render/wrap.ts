/**
 * Text wrapped to the terminal's width (80 columns off a terminal), continuation lines indented, as gh and
 * kubectl wrap help. Widths count what is seen: colour sequences take no column.
 */
// eslint-disable-next-line no-control-regex
const SGR = /\x1b\[[0-9;]*m/g;

export function visibleLength(s: string): number {
  return [...s.replace(SGR, "")].length;
}

/**
 * `line` broken at spaces so no piece is wider than `width`; pieces after the first start with `indent`
 * spaces. A word longer than the width stays whole (a URL, an ARN): cutting it would break copy-paste.
 */
export function wrapLine(line: string, indent: number, width: number): string[] {
  if (width <= indent + 20 || visibleLength(line) <= width) return [line];
  const lead = /^ */.exec(line)![0];
  const words = line.slice(lead.length).split(" ");
  const out: string[] = [];
  let cur = lead;
  let curLen = lead.length;
  const pad = " ".repeat(indent);
  for (const w of words) {
    const wl = visibleLength(w);
    const fresh = cur === lead || cur === pad;
    if (!fresh && curLen + 1 + wl > width) {
      out.push(cur.replace(/ +$/, ""));
      cur = pad + w;
      curLen = indent + wl;
    } else {
      cur = fresh ? cur + w : `${cur} ${w}`;
      curLen = fresh ? curLen + wl : curLen + 1 + wl;
    }
  }
  out.push(cur);
  return out;
}

/** Narrower than this, no layout holds (a timeline row, an indented hint): lay out for this width. */
export const MIN_WIDTH = 40;
/** Off a terminal (piped, redirected, a file): the width gh, kubectl and git wrap for. */
export const DEFAULT_WIDTH = 80;

/**
 * The width reports are laid out for: COLUMNS when it is a number (as git and Python's
 * shutil.get_terminal_size honour it, so `COLUMNS=60 pypictl … | less` works), else the terminal's, else 80.
 */
export function layoutWidth(
  stream: { isTTY?: boolean; columns?: number },
  env: Readonly<Record<string, string | undefined>> = {},
): number {
  const fromEnv = /^\d+$/.test(env.COLUMNS ?? "") ? Number(env.COLUMNS) : 0;
  const tty = stream.isTTY === true && stream.columns !== undefined ? stream.columns : 0;
  const w = fromEnv > 0 ? fromEnv : tty > 0 ? tty : DEFAULT_WIDTH;
  return Math.max(MIN_WIDTH, w);
}

/** The width of a report written to a file (-o FILE): no terminal to fit, so the default. */
export function reportWidth(
  stream: { isTTY?: boolean; columns?: number },
  env: Readonly<Record<string, string | undefined>>,
  output: string | undefined,
): number {
  return output === undefined ? layoutWidth(stream, env) : DEFAULT_WIDTH;
}
