/** The least-privilege IAM policy for doctor's AWS calls. (Filled in by the fleet work.) */
export interface IamPolicy {
  Version: "2012-10-17";
  Statement: Array<{ Sid?: string; Effect: "Allow"; Action: string[]; Resource: string | string[]; Condition?: unknown }>;
}

export function doctorIamPolicy(): IamPolicy {
  return { Version: "2012-10-17", Statement: [] };
}
