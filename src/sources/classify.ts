/**
 * Turn whatever a gatherer threw into a failed SourceResult the checks can explain.
 * AWS SDK v3 errors carry `name` and `$metadata.httpStatusCode`; Node errors carry `code`.
 */
import { failed, type FailureKind, type SourceResult } from "./model.js";
import { caBundleOf, endpointOf } from "./aws/clients.js";
import { describeNetFailure, netFailure } from "./net/failures.js";

const BY_NAME: Record<string, FailureKind> = {
  AccessDenied: "access-denied",
  AccessDeniedException: "access-denied",
  UnauthorizedOperation: "access-denied",
  UnrecognizedClientException: "access-denied",
  InvalidClientTokenId: "access-denied",
  ExpiredTokenException: "access-denied",
  Throttling: "throttled",
  ThrottlingException: "throttled",
  TooManyRequestsException: "throttled",
  RequestLimitExceeded: "throttled",
  ProvisionedThroughputExceededException: "throttled",
  TimeoutError: "timeout",
  NoAnswerTimeout: "timeout", // src/sources/aws/clients.ts NO_ANSWER_ERROR
  AbortError: "timeout",
  RequestTimeout: "timeout",
  RequestTimeoutException: "timeout",
  ResourceNotFoundException: "not-found",
  ClusterNotFoundException: "not-found",
  ServiceNotFoundException: "not-found",
  TargetGroupNotFound: "not-found",
  TargetGroupNotFoundException: "not-found",
  LoadBalancerNotFound: "not-found",
  LoadBalancerNotFoundException: "not-found",
  FileSystemNotFound: "not-found",
  ValidationError: "not-found",
  InvalidInstanceId: "unreachable",
  InvalidInstanceIdException: "unreachable",
  InvalidParameterException: "malformed",
  InvalidParameterValue: "malformed",
  InvalidParameterValueException: "malformed",
  FileSystemNotFoundException: "not-found",
  InvalidTargetException: "not-found",
  StackNotFound: "not-found",
  ServiceUnavailable: "server-error",
  ServiceUnavailableException: "server-error",
  InternalServerError: "server-error",
  InternalFailure: "server-error",
  ServerException: "server-error",
  InternalServerException: "server-error",
  CredentialsProviderError: "access-denied",
  AnswerTooLarge: "malformed", // src/sources/aws/answer-limit.ts ANSWER_TOO_LARGE: its message says it all
};

const BY_CODE: Record<string, FailureKind> = {
  ECONNREFUSED: "unreachable",
  ENOTFOUND: "unreachable",
  EAI_AGAIN: "unreachable",
  ECONNRESET: "unreachable",
  ECONNABORTED: "unreachable",
  EHOSTUNREACH: "unreachable",
  ENETUNREACH: "unreachable",
  ETIMEDOUT: "timeout",
  ENOENT: "not-found",
  EACCES: "access-denied",
};

/** "User: arn:… is not authorized to perform: ecs:DescribeServices on resource: …" → "ecs:DescribeServices". */
export function missingAction(message: string): string | undefined {
  const m = /not authorized to perform:?\s*([a-z0-9-]+:[A-Za-z0-9]+)/i.exec(message);
  return m?.[1];
}

/** SDK wording that means nothing to an operator ("inspect the hidden field {error}.$response"). */
function withoutSdkInternals(message: string): string {
  return message
    .split("\n")
    .filter((l) => !/Deserialization error|\$response|hidden field/.test(l))
    .join(" ")
    .replace(/@smithy\/node-http-handler - \[ERROR\] /, "")
    .trim();
}

type SdkError = {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $response?: { statusCode?: number; headers?: Record<string, string> };
  $fault?: string;
};

/**
 * One line, in words: unreachable (DNS, refused, reset) / timed out / answered with an error (HTTP
 * status and AWS code) / answered garbage (a body that is not AWS's: an HTML error page) / throttled /
 * denied (the action named) / not found (the resource named, from AWS's own message).
 */
export function classifyError(err: unknown, fallbackAction?: string): SourceResult<never> {
  const e = (err ?? {}) as SdkError;
  const raw = typeof e.message === "string" && e.message ? e.message : String(err);
  const message = withoutSdkInternals(raw) || raw;
  const name = e.name ?? "";
  // A gatherer's own failure (src/sources/aws/shared.ts SourceFailure) carries its kind already.
  if (name === "SourceFailure" && typeof (err as { kind?: unknown }).kind === "string")
    return failed((err as { kind: FailureKind }).kind, message);
  const endpoint = endpointOf(err);
  const at = endpoint ? ` ${endpoint}` : "";
  const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode;
  const attempts =
    e.$metadata?.attempts && e.$metadata.attempts > 1 ? ` (${e.$metadata.attempts} attempts)` : "";
  // The SDK could not parse the answer: the endpoint answered, with something that is not an AWS reply.
  if (
    status !== undefined &&
    (name === "SyntaxError" ||
      /Deserialization error|not valid JSON|Unexpected token|Invalid character|non-whitespace before first tag/i.test(
        raw,
      ))
  ) {
    const type = e.$response?.headers?.["content-type"] ?? e.$response?.headers?.["Content-Type"];
    return failed(
      "malformed",
      `the endpoint${at} answered garbage: HTTP ${status} with a non-AWS body${type ? ` (${type.split(";")[0]})` : ""}${attempts}`,
    );
  }
  // TLS (untrusted CA, wrong host name, expired) and proxy (unreachable, 407, CONNECT refused) failures:
  // the endpoint was not reached, for a reason the user fixes with a setting — named with it.
  const net = status === undefined ? netFailure(err) : undefined;
  if (net)
    return failed(
      "unreachable",
      `cannot reach${at || " the endpoint"}: ${describeNetFailure(net, "aws", caBundleOf(err))}`,
    );
  let kind: FailureKind | undefined = BY_NAME[name] ?? (e.code ? BY_CODE[e.code] : undefined);
  if (!kind && status === 403) kind = "access-denied";
  if (!kind && status === 429) kind = "throttled";
  if (!kind && status !== undefined && status >= 500) kind = "server-error";
  if (!kind && /throttl|rate exceeded/i.test(message)) kind = "throttled";
  if (!kind && /not authorized|access denied/i.test(message)) kind = "access-denied";
  kind ??= "internal";
  const action = kind === "access-denied" ? (missingAction(message) ?? fallbackAction) : undefined;
  if (kind === "timeout")
    return failed(kind, `no answer from${at || " the endpoint"} in time (${message})${attempts}`);
  if (kind === "unreachable" && status === undefined)
    return failed(
      kind,
      `cannot reach${at || " the endpoint"}: ${e.code ?? name}${message && message !== e.code ? ` ${message}` : ""}`,
    );
  const prefix = name && name !== "Error" && name !== "AnswerTooLarge" ? `${name}: ` : "";
  if (status !== undefined && status >= 400 && kind !== "access-denied" && kind !== "not-found")
    return failed(kind, `the endpoint${at} answered HTTP ${status} ${prefix}${message}${attempts}`, action);
  return failed(kind, `${prefix}${message}`, action);
}
