/**
 * How many SDK commands a run sent, by "service:Operation" (retries inside the SDK not counted): the HTML
 * report's provenance and `--watch`'s per-round budget read it. The wrapper looks `send` up on the
 * prototype at each call, so whatever answers there (the SDK, or a test's mock installed later) still does.
 */
const counts = new Map<string, number>();

type Sender = { send(command: { constructor: { name: string } }, ...rest: unknown[]): unknown };

export function countCalls<C>(service: string, client: C): C {
  const c = client as unknown as Sender;
  c.send = function send(command, ...rest) {
    const op = `${service}:${command.constructor.name.replace(/Command$/, "")}`;
    counts.set(op, (counts.get(op) ?? 0) + 1);
    return (Object.getPrototypeOf(c) as Sender).send.call(c, command, ...rest);
  };
  return client;
}

/** A snapshot of the counts so far (the CLI diffs two snapshots around a run). */
export function callCounts(): Record<string, number> {
  return Object.fromEntries(counts);
}

/** after − before, without the operations that did not move. */
export function callsBetween(
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [op, n] of Object.entries(after)) if (n - (before[op] ?? 0) > 0) out[op] = n - (before[op] ?? 0);
  return out;
}
