/**
 * A small IAM policy evaluator for identity policies made of Allow statements: Action and Resource with the
 * `*` and `?` wildcards (actions case-insensitive, resources case-sensitive), and the condition operators the
 * pypictl policies use: StringEquals, StringLike, ArnEquals, ArnLike (each key must be present in the request
 * context and match one of the values; keys and operators are ANDed). IAM policy elements reference:
 * "Action", "Resource", "Condition operators". A request names one resource: a call on several (SendCommand:
 * the document and each instance) is allowed only when each of its requests is.
 */
import type { IamPolicy } from "../../src/sources/aws/iam-policy.js";

export interface AuthzRequest {
  action: string;
  /** The resource's ARN, or "*" for an action with no resource type. */
  resource: string;
  context?: Record<string, string>;
}

function wildcard(pattern: string, value: string, ignoreCase: boolean): boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    ignoreCase ? "is" : "s",
  );
  return re.test(value);
}

const OPERATORS: Record<string, (pattern: string, value: string) => boolean> = {
  StringEquals: (p, v) => p === v,
  StringLike: (p, v) => wildcard(p, v, false),
  // ARN operators compare segment by segment with wildcards; for full ARNs this is StringLike.
  ArnEquals: (p, v) => wildcard(p, v, false),
  ArnLike: (p, v) => wildcard(p, v, false),
};

function conditionHolds(condition: IamPolicy["Statement"][number]["Condition"], req: AuthzRequest): boolean {
  for (const [op, keys] of Object.entries(condition ?? {})) {
    const test = OPERATORS[op];
    if (!test) throw new Error(`evaluator: condition operator ${op} not supported`);
    for (const [key, expected] of Object.entries(keys)) {
      // Condition keys are case-insensitive (IAM: "Condition element").
      const found = Object.entries(req.context ?? {}).find(([k]) => k.toLowerCase() === key.toLowerCase());
      if (!found) return false;
      if (![expected].flat().some((e) => test(e, found[1]))) return false;
    }
  }
  return true;
}

/** The Sid of the first statement that allows the request, or undefined (implicit deny). */
export function allowedBy(policy: IamPolicy, req: AuthzRequest): string | undefined {
  for (const s of policy.Statement) {
    if (s.Effect !== "Allow") continue;
    if (!s.Action.some((a) => wildcard(a, req.action, true))) continue;
    if (![s.Resource].flat().some((r) => wildcard(r, req.resource, false))) continue;
    if (!conditionHolds(s.Condition, req)) continue;
    return s.Sid;
  }
  return undefined;
}

export const isAllowed = (policy: IamPolicy, req: AuthzRequest) => allowedBy(policy, req) !== undefined;
