/**
 * Reading a series' points. A replayed bundle's points were once held packed by a streamed parser
 * (issue 12); that parser is gone (issue 23: plain JSON.parse, measured in the README), so points are
 * always `[time, value]` arrays. These two helpers stay as the checks' one way to read them.
 */

/** The values of a series' points, oldest first. */
export function pointValues(s: { points: ReadonlyArray<readonly [string, number]> }): number[] {
  return s.points.map((x) => x[1]);
}

/** How many points a series has. */
export function pointCount(s: { points: ReadonlyArray<unknown> }): number {
  return s.points.length;
}
