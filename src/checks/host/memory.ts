/** Memory readings shared by the memory/swap checks: /proc/meminfo first, `free -m` as the fallback. */
import type { HostSnapshot } from "../../sources/host/model.js";
import { guards, num, sectionOf } from "./common.js";

export interface MemReading {
  /** MiB, or undefined when the field is absent (the caller says which). */
  value?: number;
  /** Where it came from, for the message. */
  from: "/proc/meminfo" | "free -m";
  /** Why it could not be read (both sources unusable), naming each. */
  error?: string;
  field: string;
}

const kBToMiB = (kB: number) => kB / 1024;

/** Read a /proc/meminfo field in MiB, falling back to a `free -m` value when meminfo is unusable. */
export function memField(
  snap: HostSnapshot,
  field: string,
  freeValue: (f: { mem: Record<string, unknown>; swap?: Record<string, unknown> }) => unknown,
): MemReading {
  const mi = sectionOf(snap, "meminfo", guards.meminfo);
  if (mi.ok) {
    const v = num(mi.value.kB[field]);
    return v === undefined
      ? { from: "/proc/meminfo", field }
      : { value: kBToMiB(v), from: "/proc/meminfo", field };
  }
  const fr = sectionOf(snap, "free", guards.free);
  if (fr.ok) {
    const v = num(freeValue(fr.value));
    if (v !== undefined) return { value: v, from: "free -m", field };
    return {
      from: "free -m",
      field,
      error: `/proc/meminfo: ${mi.error}; free -m has no value for ${field} either`,
    };
  }
  return { from: "/proc/meminfo", field, error: `/proc/meminfo: ${mi.error}; free -m: ${fr.error}` };
}

/** One decimal place: what the messages show. */
export const mib1 = (v: number) => Math.round(v * 10) / 10;
