/** Upload thresholds. */
import type { Threshold } from "../model.js";

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
      "HTTPCode_Target_5XX_Count + HTTPCode_ELB_5XX_Count (Sum over the window) above this warns: uploads in the window may have failed.",
  },
} satisfies Record<string, Threshold>;
