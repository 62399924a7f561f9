/**
 * The time window a run looks at. A leaf module: config (which builds it from --since), sources (which
 * query it), checks and evidence bundles all read it, and none of them has to import another for it.
 */
export interface Window {
  start: string;
  end: string;
  /** The duration as given, e.g. "1h". */
  since: string;
}
