/**
 * A cap on the bytes of one AWS answer (issue 26). An endpoint (a proxy, an emulator, a hostile
 * AWS_ENDPOINT_URL) that answers 100 MB of valid JSON used to cost a `--timeout 5` run 35–43 s and 5.5 GB
 * of heap: the body arrives in well under a second, then the SDK's JSON.parse and its schema walk (a Date
 * per timestamp) run synchronously, past any deadline, and cannot be aborted. Reading at most
 * MAX_AWS_ANSWER_BYTES per answer bounds both.
 *
 * It is a middleware of its own (deserialize step, low priority: between the SDK's deserializer and the
 * HTTP handler, once per attempt), not a change to the request handler, so the handler's settings (agents,
 * timeouts, a CA bundle) stay in clients.ts alone.
 */
import type { Readable } from "node:stream";

const MIB = 1024 * 1024;

/**
 * 8 MiB: 2.5× the largest answer pypictl asks for, and small enough that even the worst-shaped answer
 * under it parses in about a second. GetMetricData returns at most 100,800 data points a call ("a total
 * of as many as 100,800 data points", CloudWatch API reference, GetMetricData); in its JSON protocol
 * (awsJson1_0) a point is an epoch-seconds timestamp and a double, at most ~32 bytes with separators, so
 * ≤ 3.3 MB with the 500 results' ids and labels (2.9 MB measured for 17-digit values). The others are
 * smaller: FilterLogEvents returns at most 1 MB of events (CloudWatch Logs API reference), DescribeTasks
 * and DescribeContainerInstances at most 100 items of a few KB, GetTemplate a template of at most 1 MB
 * (CloudFormation quotas), GetSecretValue a secret of at most 64 KB (Secrets Manager quotas), GetProducts
 * 10 price-list documents (our MaxResults). The worst shape (an answer of one-digit values, ~1.4 million
 * points, a Date each) took ~1 s to parse on a loaded 2-core machine (test/unit/hostile/answer-size.test.ts).
 */
export const MAX_AWS_ANSWER_BYTES = 8 * MIB;

/** The error's name: classify.ts reads it as a malformed answer (the endpoint answered, not as AWS does). */
export const ANSWER_TOO_LARGE = "AnswerTooLarge";

interface HttpRequestLike {
  protocol?: string;
  hostname?: string;
  port?: number;
}
interface HttpResponseLike {
  headers?: Record<string, string | undefined>;
  body?: unknown;
}
type Next = (args: { request?: HttpRequestLike }) => Promise<{ response?: HttpResponseLike }>;
interface Stack {
  add(mw: unknown, opts: { step: string; name: string; priority?: string }): void;
}

const mib = (bytes: number) => `${Math.round((bytes / MIB) * 10) / 10} MiB`;

function endpointOf(r: HttpRequestLike | undefined): string {
  return r?.hostname
    ? `${r.protocol ?? "https:"}//${r.hostname}${r.port ? `:${r.port}` : ""}`
    : "the endpoint";
}

function tooLarge(
  operation: string,
  request: HttpRequestLike | undefined,
  limit: number,
  declared?: number,
): Error {
  const told = declared !== undefined ? `, its Content-Length says ${mib(declared)}` : "";
  return Object.assign(
    new Error(
      `the answer to ${operation} from ${endpointOf(request)} is larger than ${mib(limit)}, the limit on one AWS answer (MAX_AWS_ANSWER_BYTES${told}); none of it was used`,
    ),
    { name: ANSWER_TOO_LARGE },
  );
}

function isReadable(body: unknown): body is Readable {
  return (
    !!body &&
    typeof body === "object" &&
    typeof (body as Readable).on === "function" &&
    typeof (body as Readable)[Symbol.asyncIterator] === "function"
  );
}

/** The body's bytes, or an error once more than `limit` arrived (the stream destroyed: no more is read). */
export async function readAtMost(body: Readable, limit: number, overLimit: () => Error): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of body) {
      const b = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
      total += b.length;
      if (total > limit) throw overLimit();
      chunks.push(b);
    }
  } finally {
    // Early exit from for-await destroys the stream already; an error thrown by the stream does too.
    if (total > limit) body.destroy();
  }
  const all = Buffer.concat(chunks, total);
  return new Uint8Array(all.buffer, all.byteOffset, all.byteLength);
}

/**
 * Every answer `client` receives is read here, at most `limit` bytes, before its deserializer sees it:
 * a declared Content-Length above the limit is refused before reading a byte; otherwise the bytes are
 * counted as they arrive and the connection dropped at the limit. The deserializer gets the bytes (the
 * SDK's collectBody takes a Uint8Array as it is). The run's deadline still applies: the SDK's abort
 * destroys the request, which ends this read with an error.
 */
export function limitAnswers(client: { middlewareStack: Stack }, limit = MAX_AWS_ANSWER_BYTES): void {
  client.middlewareStack.add(
    (next: Next, context: { commandName?: string; clientName?: string }) =>
      async (args: { request?: HttpRequestLike }) => {
        const out = await next(args);
        const response = out.response;
        if (!response || !isReadable(response.body)) return out;
        const body = response.body;
        const operation = (context.commandName ?? "the call").replace(/Command$/, "");
        const declared = Number(response.headers?.["content-length"] ?? response.headers?.["Content-Length"]);
        if (Number.isFinite(declared) && declared > limit) {
          body.destroy();
          throw tooLarge(operation, args.request, limit, declared);
        }
        response.body = await readAtMost(body, limit, () => tooLarge(operation, args.request, limit));
        return out;
      },
    { step: "deserialize", priority: "low", name: "pypictlAnswerLimit" },
  );
}
