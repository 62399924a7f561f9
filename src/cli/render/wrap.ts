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
      out.push(cur);
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

/** The width reports are laid out for: the terminal's, else 80 (piped, redirected, a file). */
export function layoutWidth(stream: { isTTY?: boolean; columns?: number }): number {
  return stream.isTTY === true && stream.columns !== undefined && stream.columns > 20 ? stream.columns : 80;
}
