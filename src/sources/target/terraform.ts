/**
 * `terraform output -json` of the infrahouse/terraform-aws-pypiserver module → a FleetTarget (and, for
 * `creds`, the credentials it outputs). What the module does not output (target group, file system) is
 * left for discovery (DescribeServices → targetGroupArn; task definition → EFS volume).
 * FACTS.md §1: `efs_file_system_id` and `target_group_arn` do not exist; `pypi_server_urls` may hold bare
 * host names (the guide prefixes https://).
 */
import { Field, parseJsonFile } from "../../config/validate.js";
import type { FleetTarget } from "./model.js";
import { stripUserinfo } from "../../config/url-userinfo.js";

export interface TerraformFleet {
  target: Omit<FleetTarget, "kind">;
  /** Every server URL, normalised to https://host (no trailing slash). */
  urls: string[];
  /** Present only when the outputs carry them (`pypi_username`, `pypi_password`). Never printed by doctor. */
  credentials?: { username: string; password: string };
  /** Why the outputs' credentials are unusable when they name some but not both (for creds' message). */
  credentialsMissing?: string;
}

/** The region part of an ARN: arn:aws:ecs:eu-west-1:123…:service/… */
export function regionOfArn(arn: string | undefined): string | undefined {
  const parts = arn?.split(":");
  return parts && parts.length > 4 && parts[0] === "arn" && parts[3] ? parts[3] : undefined;
}

export function normaliseUrl(u: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(u) ? u : `https://${u}`;
  return withScheme.replace(/\/+$/, "");
}

export function parseTerraformOutputs(text: string, file: string): TerraformFleet {
  const root = new Field(file, "", parseJsonFile(text, file));
  const outputs = root.object();
  const value = (name: string): unknown => {
    const o = outputs[name];
    if (o === undefined) return undefined;
    const f = root.child(name);
    // `terraform output -json` wraps each output as { value, type, sensitive }.
    if (typeof o === "object" && o !== null && !Array.isArray(o) && "value" in o)
      return (o as { value: unknown }).value;
    f.fail('expected { "value": … } as `terraform output -json` writes it');
  };
  const str = (name: string): string | undefined => {
    const v = value(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v === "string") return v;
    return root.child(name).child("value").fail("must be a string");
  };

  const rawUrls = value("pypi_server_urls");
  let urls: string[] = [];
  if (typeof rawUrls === "string") urls = [rawUrls];
  else if (Array.isArray(rawUrls))
    urls = rawUrls.map((u, i) =>
      typeof u === "string"
        ? u
        : root.child("pypi_server_urls").child("value").child(i).fail("must be a string"),
    );
  else if (rawUrls !== undefined && rawUrls !== null)
    root.child("pypi_server_urls").child("value").fail("must be a list of URLs");
  // A user name or password in a server URL would reach reports and evidence: dropped (issue 14).
  urls = urls.map((u) => stripUserinfo(normaliseUrl(u)).url);

  const target: TerraformFleet["target"] = {};
  const cluster = str("ecs_cluster_name");
  const serviceName = str("ecs_service_name");
  const serviceArn = str("ecs_service_arn");
  const lb = str("pypi_load_balancer_arn");
  const secretArn = str("pypi_user_secret_arn");
  const secret = str("pypi_user_secret");
  const asg = str("asg_name");
  if (cluster) target.cluster = cluster;
  if (serviceName) target.service = serviceName;
  else if (serviceArn) target.service = serviceArn.split("/").pop()!;
  if (lb) target.loadBalancer = lb;
  if (secretArn ?? secret) target.secretId = (secretArn ?? secret)!;
  if (asg) target.autoScalingGroup = asg;
  if (urls[0]) target.url = urls[0];
  const region = regionOfArn(serviceArn) ?? regionOfArn(lb) ?? regionOfArn(secretArn);
  if (region) target.region = region;

  if (Object.keys(target).length === 0)
    root.fail(
      "no outputs of the pypiserver module found (expected e.g. ecs_cluster_name, ecs_service_name, pypi_server_urls)",
    );

  const out: TerraformFleet = { target, urls };
  const username = str("pypi_username");
  const password = str("pypi_password");
  if (username && password) out.credentials = { username, password };
  else if (username !== undefined || password !== undefined)
    // Half a pair is not credentials; creds says so rather than take a password from somewhere else.
    out.credentialsMissing = [
      ...(username ? [] : [`pypi_username is ${username === undefined ? "missing" : "empty"}`]),
      ...(password ? [] : [`pypi_password is ${password === undefined ? "missing" : "empty"}`]),
    ].join(", ");
  return out;
}
