/**
 * The window of a `--local` run: the seconds vmstat sampled, not the `--since` look-back (which only fleet
 * metrics have). The label says how many lines were taken and that the first is vmstat's since-boot
 * average, which the checks do not judge — so "2 samples" in a message matches `--samples 3`.
 */
import type { Window } from "../../window.js";

export function localSampleWindow(start: Date, end: Date, samples: number): Window {
  const seconds = Math.max(1, Math.round((end.getTime() - start.getTime()) / 1000));
  const judged = samples - 1;
  return {
    start: start.toISOString(),
    end: end.toISOString(),
    since: `sampled ${seconds} s: ${samples} vmstat lines 1 s apart; the first is the since-boot average, so ${judged} ${judged === 1 ? "is" : "are"} judged`,
  };
}
