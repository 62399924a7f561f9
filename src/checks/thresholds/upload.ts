/** Upload thresholds. */
import type { Threshold } from "../model.js";

export const UPLOAD_DIST_SIZE = {
  maxFileMiB: {
    unit: "MiB",
    default: 100,
    min: 0,
    description: "A distribution file larger than this warns: uploads may time out (twine upload --timeout).",
  },
} satisfies Record<string, Threshold>;
