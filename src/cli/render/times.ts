/**
 * One time format in a report (issue 22: `11:47` next to `2026-11-20T11:47:00.000Z`): the window's header
 * gives the date once, so a time inside a window that stays within one UTC day prints as HH:MM (HH:MM:SS
 * when it has seconds); a longer window or a time on another day keeps its date ("11-19 23:58").
 */
const ISO = /\b(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.\d+)?)?(?:Z|\+00:00)/g;

export function timesIn(window: { start: string; end: string }): (text: string) => string {
  const day = window.end.slice(0, 10);
  const oneDay = window.start.slice(0, 10) === day;
  return (text) =>
    text.replace(ISO, (_m, y: string, mo: string, d: string, h: string, mi: string, sec?: string) => {
      const hm = `${h}:${mi}${sec && sec !== "00" ? `:${sec}` : ""}`;
      if (oneDay && `${y}-${mo}-${d}` === day) return hm;
      return `${mo}-${d} ${hm}`;
    });
}
