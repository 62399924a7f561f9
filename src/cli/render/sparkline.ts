/** A unicode sparkline for a time series: ▁▂▃▄▅▆▇█, scaled to the series' own range. */
const BARS = "▁▂▃▄▅▆▇█";

export function sparkline(values: readonly number[], maxWidth = 40): string {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return "";
  // Down-sample by taking the maximum of each bucket: a spike must stay visible.
  let vs = finite;
  if (vs.length > maxWidth) {
    const size = vs.length / maxWidth;
    vs = Array.from({ length: maxWidth }, (_, i) =>
      Math.max(
        ...finite.slice(Math.floor(i * size), Math.max(Math.floor((i + 1) * size), Math.floor(i * size) + 1)),
      ),
    );
  }
  const min = Math.min(...vs);
  const max = Math.max(...vs);
  if (max === min) return BARS[max === 0 ? 0 : 3]!.repeat(vs.length);
  return vs.map((v) => BARS[Math.min(7, Math.floor(((v - min) / (max - min)) * 8))]!).join("");
}
