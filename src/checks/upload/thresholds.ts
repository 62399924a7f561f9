/** Upload thresholds. */
import type { Threshold } from "../model.js";
import { ALB_5XX_RATE } from "../alb/thresholds.js";

export const UPLOAD_DIST_SIZE = {
  maxFileMiB: {
    unit: "MiB",
    default: 100,
    min: 0,
    description:
      "A distribution file larger than this warns: large uploads meet proxy body limits (413) and the ALB idle timeout while the file is written (504).",
  },
} satisfies Record<string, Threshold>;

export const UPLOAD_FLEET_SIGNALS = {
  maxOomKills: {
    unit: "count",
    default: 0,
    min: 0,
    description:
      "Tasks OOM-killed in the window above this fails: an upload in flight on a killed task fails (the body itself is spooled to a temporary file, not held in memory).",
  },
  maxTarget5xx: {
    unit: "count",
    default: 0,
    min: 0,
    description:
      "HTTPCode_Target_5XX_Count + HTTPCode_ELB_5XX_Count (Sum over the window) above this — and above max5xxPercent of the requests — warns: uploads in the window may have failed.",
  },
  max5xxPercent: {
    unit: "%",
    default: ALB_5XX_RATE.maxPercent.default,
    min: 0,
    max: 100,
    description:
      "The 5xx share of the window's requests above which they count as a failed-upload signal; one stray 502 in an hour of traffic is noise. The same default as alb.5xx-rate's maxPercent.",
  },
} satisfies Record<string, Threshold>;
