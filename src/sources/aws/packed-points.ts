/**
 * Metric points held compactly (issue 12). A replayed 200-instance × 1,440-point bundle has ~900,000
 * points; as `[time, value]` arrays they cost ~120 bytes each and most of a replay's time goes to
 * allocating and collecting them. The bundle parser holds each series instead as a time axis (one array
 * shared by every series with the same minutes) and a Float64Array of values, 8 bytes a point.
 *
 * The series keeps its `points` property, now an accessor: every read builds the `[time, value]` array
 * from the packed form, exactly what the bundle spelled. Checks read it as before; the array is theirs
 * and short-lived, so a replay never holds all points as pairs at once. JSON.stringify, spreading and
 * deep equality see an ordinary enumerable property; assigning `points` makes it a plain data property.
 */

export interface PackedPoints {
  /** The times, oldest first; shared between series (read-only). */
  readonly times: readonly string[];
  /** The value at each time. */
  readonly values: Float64Array;
}

/** Series whose `points` property is still the packed accessor. */
const packedBy = new WeakMap<object, PackedPoints>();

function pairs(p: PackedPoints): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (let i = 0; i < p.values.length; i++) out.push([p.times[i]!, p.values[i]!]);
  return out;
}

/** Give `holder` a `points` property backed by `p` (it takes the place of any `points` it had). */
export function setPackedPoints(holder: object, p: PackedPoints): void {
  packedBy.set(holder, p);
  Object.defineProperty(holder, "points", {
    get: () => pairs(p),
    set(v: unknown) {
      packedBy.delete(holder);
      Object.defineProperty(holder, "points", {
        value: v,
        writable: true,
        enumerable: true,
        configurable: true,
      });
    },
    enumerable: true,
    configurable: true,
  });
}

/** The packed points of a series, or undefined when its `points` is an ordinary array. */
export function packedPointsOf(holder: unknown): PackedPoints | undefined {
  return typeof holder === "object" && holder !== null ? packedBy.get(holder) : undefined;
}

/** The values of a series' points, oldest first, without building the pairs when they are packed. */
export function pointValues(s: { points: ReadonlyArray<readonly [string, number]> }): number[] {
  const p = packedBy.get(s);
  return p ? Array.from(p.values) : s.points.map((x) => x[1]);
}

/** How many points a series has, without building them when they are packed. */
export function pointCount(s: { points: ReadonlyArray<unknown> }): number {
  return packedBy.get(s)?.values.length ?? s.points.length;
}
