/**
 * The AWS clients of one run. The command that runs (doctor, creds, destroy) creates one pool at the edge and
 * hands it on: to the fleet resolver, and to the gatherers in their settings (GatherSettings.aws). Two runs in
 * one process (tests, --watch in a long session, a library caller) never share an SDK client, its credential
 * cache or its endpoint, and nothing needs resetting between them.
 *
 * Creating a pool loads no SDK package: AwsClients imports a client's package on its first use.
 */
import { AwsClients, type AwsSettings } from "./clients.js";

/** Who the calls are made as and where: the fleet's region and profile (each falls back to the SDK's chain). */
export interface AwsIdentity {
  region?: string | undefined;
  profile?: string | undefined;
}

/** Per-use limits: a run's deadline (`--timeout`), fewer attempts for a best-effort read. */
export type AwsLimits = Pick<AwsSettings, "deadlineAt" | "maxAttempts">;

/** Makes the clients for one set of settings (tests pass fakes; default: the real SDK clients). */
export type AwsClientsFactory = (settings: AwsSettings) => AwsClients;

export class AwsClientPool {
  private readonly made = new Map<string, AwsClients>();

  constructor(private readonly create: AwsClientsFactory = (s) => new AwsClients(s)) {}

  /** The clients for this identity and these limits: made on first use, then shared by every caller of the run. */
  for(who: AwsIdentity, limits: AwsLimits = {}): AwsClients {
    const key = JSON.stringify([
      who.region ?? null,
      who.profile ?? null,
      limits.deadlineAt ?? null,
      limits.maxAttempts ?? null,
    ]);
    let clients = this.made.get(key);
    if (!clients) {
      clients = this.create({
        ...(who.region ? { region: who.region } : {}),
        ...(who.profile ? { profile: who.profile } : {}),
        ...(limits.deadlineAt !== undefined ? { deadlineAt: limits.deadlineAt } : {}),
        ...(limits.maxAttempts !== undefined ? { maxAttempts: limits.maxAttempts } : {}),
      });
      this.made.set(key, clients);
    }
    return clients;
  }
}
