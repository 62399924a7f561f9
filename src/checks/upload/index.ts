/** The upload.* checks, in the order they are reported. */
import type { Check } from "../model.js";
import { uploadDistFiles, uploadFleetSignals } from "./checks.js";

export const UPLOAD_CHECKS: Check[] = [uploadDistFiles, uploadFleetSignals] as unknown as Check[];
