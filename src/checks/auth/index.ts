/** The auth.* checks, in the order they are reported. */
import type { Check } from "../model.js";
import { authCredentialsAccepted, authHealthEndpoint, authIndexProtected } from "./probe.js";
import { authClientConfig } from "./client-config.js";

export const AUTH_CHECKS: Check[] = [
  authIndexProtected,
  authCredentialsAccepted,
  authHealthEndpoint,
  authClientConfig,
] as unknown as Check[];
