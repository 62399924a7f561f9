/**
 * Where the hosts get the pypiserver image. By default straight from Docker Hub, anonymously: with one NAT
 * gateway every host shares one public address, and Docker Hub limits anonymous pulls per address, so a
 * large scale-out or a few failed rollouts end in `toomanyrequests`. With `dockerHubCredentialArn` the image
 * comes through an ECR pull-through cache of Docker Hub instead: ECR pulls once (authenticated, with the
 * Docker Hub credential in Secrets Manager) and every host pulls from ECR in the region.
 *
 * What AWS requires, and what this writes:
 * - a pull-through cache rule for upstream `docker-hub` at `registry-1.docker.io` with a credential secret
 *   whose name starts with `ecr-pullthroughcache/` (JSON {username, accessToken}, same account and region);
 *   ECR reads it through its service-linked role. The rule's repository prefix is per stack (2–30
 *   characters), so two stacks in one account never collide;
 * - the image as `<account>.dkr.ecr.<region>.<suffix>/<prefix>/pypiserver/pypiserver:<tag>` (no `library/`:
 *   that is only for Docker Hub's official images);
 * - pull permissions for the task execution role, which the ECS agent uses for ECR images when the task has
 *   one (amazon-ecs-agent `ShouldPullWithExecutionRole`): the usual ECR pull actions plus
 *   `ecr:BatchImportUpstreamImage` and `ecr:CreateRepository` (the first pull creates the cache repository),
 *   as "IAM permissions required to sync an upstream registry" lists, scoped to the rule's repositories.
 */
import { Aws, CfnRule, Fn, Stack, Token, Validations } from "aws-cdk-lib";
import * as ecr from "aws-cdk-lib/aws-ecr";
import * as ecs from "aws-cdk-lib/aws-ecs";
import * as iam from "aws-cdk-lib/aws-iam";
import type { Construct } from "constructs";
import { cachePrefix } from "./cache-prefix.js";

export { cachePrefix };

export const PYPISERVER_IMAGE = "pypiserver/pypiserver";
export const DOCKER_HUB_REGISTRY_URL = "registry-1.docker.io";

export interface PypiServerImage {
  readonly image: ecs.ContainerImage;
  /** The pull-through cache rule, when the image comes through one (the service waits for it). */
  readonly rule?: ecr.CfnPullThroughCacheRule;
}

/** The container image: Docker Hub directly, or through a pull-through cache when a credential is given. */
export function pypiServerImage(
  scope: Construct,
  o: { imageTag: string; dockerHubCredentialArn?: string },
): PypiServerImage {
  if (!o.dockerHubCredentialArn)
    return { image: ecs.ContainerImage.fromRegistry(`${PYPISERVER_IMAGE}:${o.imageTag}`) };
  const stack = Stack.of(scope);
  const prefix = cachePrefix(stack.stackName);
  const rule = new ecr.CfnPullThroughCacheRule(scope, "DockerHubCache", {
    ecrRepositoryPrefix: prefix,
    upstreamRegistry: "docker-hub",
    upstreamRegistryUrl: DOCKER_HUB_REGISTRY_URL,
    credentialArn: o.dockerHubCredentialArn,
  });
  // ECR takes the credential only from its own account and region: say so before anything is created.
  const [, , , region, account] = o.dockerHubCredentialArn.split(":");
  new CfnRule(scope, "DockerHubCredentialInStackRegion", {
    assertions: [
      {
        assert: Fn.conditionAnd(
          Fn.conditionEquals(Aws.REGION, region!),
          Fn.conditionEquals(Aws.ACCOUNT_ID, account!),
        ),
        assertDescription: `dockerHubCredentialArn must be a secret in this stack's account and region (it is in ${account} ${region}): ECR pull-through cache rules use credentials from their own account and region only.`,
      },
    ],
  });
  const uri = `${stack.account}.dkr.ecr.${stack.region}.${stack.urlSuffix}/${prefix}/${PYPISERVER_IMAGE}:${o.imageTag}`;
  return { image: ecs.ContainerImage.fromRegistry(uri), rule };
}

/**
 * How cdk-nag spells an ECR ARN of this stack in a finding id: each unresolved pseudo parameter as
 * `<AWS::Name>`, each one the stack knows (a region-bound stack, e.g. for ALB access logs) literally.
 */
export function nagArn(stack: Stack, resource: string): string {
  const part = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
  return `arn:${part(stack.partition, "Partition")}:ecr:${part(stack.region, "Region")}:${part(stack.account, "AccountId")}:${resource}`;
}

/** Let the task execution role pull through the cache (and create the cache repository on the first pull). */
export function grantCachePull(role: iam.IRole, prefix: string): void {
  const stack = Stack.of(role);
  const repositories = stack.formatArn({
    service: "ecr",
    resource: "repository",
    resourceName: `${prefix}/*`,
  });
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({ actions: ["ecr:GetAuthorizationToken"], resources: ["*"] }),
  );
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [
        "ecr:BatchCheckLayerAvailability",
        "ecr:GetDownloadUrlForLayer",
        "ecr:BatchGetImage",
        "ecr:BatchImportUpstreamImage",
        "ecr:CreateRepository",
      ],
      resources: [repositories],
    }),
  );
  Validations.of(role).acknowledge(
    {
      id: "AwsSolutions-IAM5[Resource::*]",
      reason:
        "ecr:GetAuthorizationToken has no resource-level permissions (the registry login); every image action is scoped to the cache's repositories.",
    },
    {
      id: `AwsSolutions-IAM5[Resource::${nagArn(stack, `repository/${prefix}/*`)}]`,
      reason:
        "The pull-through cache creates one repository per upstream image under the stack's prefix on first pull, so the names below the prefix are not known in advance.",
    },
  );
}
