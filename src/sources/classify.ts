/**
 * Turn whatever a gatherer threw into a failed SourceResult the checks can explain.
 * AWS SDK v3 errors carry `name` and `$metadata.httpStatusCode`; Node errors carry `code`.
 */
import { failed, type FailureKind, type SourceResult } from "./model.js";

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
  ServiceUnavailable: "unreachable",
  ServiceUnavailableException: "unreachable",
  InternalServerError: "unreachable",
  InternalFailure: "unreachable",
  ServerException: "unreachable",
  InternalServerException: "unreachable",
  CredentialsProviderError: "access-denied",
};

const BY_CODE: Record<string, FailureKind> = {
  ECONNREFUSED: "unreachable",
  ENOTFOUND: "unreachable",
  EAI_AGAIN: "unreachable",
  ECONNRESET: "unreachable",
  ETIMEDOUT: "timeout",
  ENOENT: "not-found",
  EACCES: "access-denied",
};

/** "User: arn:… is not authorized to perform: ecs:DescribeServices on resource: …" → "ecs:DescribeServices". */
export function missingAction(message: string): string | undefined {
  const m = /not authorized to perform:?\s*([a-z0-9-]+:[A-Za-z0-9]+)/i.exec(message);
  return m?.[1];
}

export function classifyError(err: unknown, fallbackAction?: string): SourceResult<never> {
  const e = (err ?? {}) as { name?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const message = typeof e.message === "string" && e.message ? e.message : String(err);
  const name = e.name ?? "";
  // A gatherer's own failure (src/sources/aws/shared.ts SourceFailure) carries its kind already.
  if (name === "SourceFailure" && typeof (err as { kind?: unknown }).kind === "string")
    return failed((err as { kind: FailureKind }).kind, message);
  let kind: FailureKind | undefined = BY_NAME[name] ?? (e.code ? BY_CODE[e.code] : undefined);
  const status = e.$metadata?.httpStatusCode;
  if (!kind && status === 403) kind = "access-denied";
  if (!kind && status === 429) kind = "throttled";
  if (!kind && status !== undefined && status >= 500) kind = "unreachable";
  if (!kind && /throttl|rate exceeded/i.test(message)) kind = "throttled";
  if (!kind && /not authorized|access denied/i.test(message)) kind = "access-denied";
  kind ??= "internal";
  const action = kind === "access-denied" ? (missingAction(message) ?? fallbackAction) : undefined;
  const prefix = name && name !== "Error" ? `${name}: ` : "";
  return failed(kind, `${prefix}${message}`, action);
}
