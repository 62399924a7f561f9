/**
 * The pypiserver image through an ECR pull-through cache of Docker Hub (`dockerHubCredentialArn`): the rule
 * AWS requires (upstream docker-hub at registry-1.docker.io, a credential named ecr-pullthroughcache/…), the
 * image URI in the cache, pull rights for the task execution role (with BatchImportUpstreamImage and
 * CreateRepository, scoped to the stack's cache repositories), the service waiting for the rule, and a
 * template rule that stops a deploy whose credential is in another account or region. Without the prop the
 * image comes from Docker Hub as before. cfn-lint and the wiring test cover it through test/infra/matrix.ts.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { Match } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { synth, only, containerDefinition, type Synthesized } from "./helpers.js";
import { DOCKER_HUB_CREDENTIAL } from "./matrix.js";
import { cachePrefix } from "../../src/infra/image-cache.js";
import { resolveProps } from "../../src/infra/props.js";

let direct: Synthesized;
let cached: Synthesized;

beforeAll(() => {
  direct = synth({ allowHttp: true });
  cached = synth(
    { allowHttp: true, dockerHubCredentialArn: DOCKER_HUB_CREDENTIAL },
    { stackName: "pypi-prod" },
  );
}, 60_000);

const prefix = cachePrefix("pypi-prod");
const ruleId = (s: Synthesized) =>
  Object.entries(s.json.Resources).find(([, r]) => r.Type === "AWS::ECR::PullThroughCacheRule")![0];
const executionPolicy = (s: Synthesized) =>
  Object.entries(s.json.Resources).find(
    ([id, r]) => r.Type === "AWS::IAM::Policy" && id.startsWith("TaskExecutionRole"),
  )![1].Properties!.PolicyDocument as {
    Statement: Array<{ Action: string | string[]; Resource: unknown }>;
  };

describe("without dockerHubCredentialArn", () => {
  it("the image comes from Docker Hub; no cache rule, no ECR rights for the execution role", () => {
    expect(containerDefinition(direct).Image).toBe("pypiserver/pypiserver:v2.4.1");
    direct.template.resourceCountIs("AWS::ECR::PullThroughCacheRule", 0);
    expect(JSON.stringify(executionPolicy(direct))).not.toContain("ecr:");
  });
});

describe("with dockerHubCredentialArn", () => {
  it("a pull-through cache rule for Docker Hub with the credential, under a per-stack prefix", () => {
    cached.template.hasResourceProperties("AWS::ECR::PullThroughCacheRule", {
      UpstreamRegistry: "docker-hub",
      UpstreamRegistryUrl: "registry-1.docker.io",
      CredentialArn: DOCKER_HUB_CREDENTIAL,
      EcrRepositoryPrefix: prefix,
    });
    expect(prefix).toMatch(/^pypictl-pypi-prod-[0-9a-f]{8}$/);
  });

  it("the task pulls pypiserver/pypiserver:<tag> from the cache in this account and region (no library/ for a non-official image)", () => {
    expect(containerDefinition(cached).Image).toEqual({
      "Fn::Join": [
        "",
        [
          { Ref: "AWS::AccountId" },
          ".dkr.ecr.",
          { Ref: "AWS::Region" },
          ".",
          { Ref: "AWS::URLSuffix" },
          `/${prefix}/pypiserver/pypiserver:v2.4.1`,
        ],
      ],
    });
  });

  it("the execution role may pull through the cache: import upstream and create the repository, scoped to the prefix", () => {
    const statements = executionPolicy(cached).Statement;
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: "ecr:GetAuthorizationToken", Resource: "*" }),
    );
    const pull = statements.find((st) => [st.Action].flat().includes("ecr:BatchImportUpstreamImage"))!;
    expect([pull.Action].flat().sort()).toEqual([
      "ecr:BatchCheckLayerAvailability",
      "ecr:BatchGetImage",
      "ecr:BatchImportUpstreamImage",
      "ecr:CreateRepository",
      "ecr:GetDownloadUrlForLayer",
    ]);
    expect(JSON.stringify(pull.Resource)).toBe(
      JSON.stringify({
        "Fn::Join": [
          "",
          [
            "arn:",
            { Ref: "AWS::Partition" },
            ":ecr:",
            { Ref: "AWS::Region" },
            ":",
            { Ref: "AWS::AccountId" },
            `:repository/${prefix}/*`,
          ],
        ],
      }),
    );
    // The task definition runs with that role (the ECS agent pulls ECR images with it).
    const role = Object.entries(cached.json.Resources).find(
      ([id, r]) => r.Type === "AWS::IAM::Role" && id.startsWith("TaskExecutionRole"),
    )![0];
    cached.template.hasResourceProperties("AWS::ECS::TaskDefinition", {
      ExecutionRoleArn: { "Fn::GetAtt": [role, "Arn"] },
    });
  });

  it("the service starts tasks only after the rule exists", () => {
    expect((only(cached, "AWS::ECS::Service") as { DependsOn?: string[] }).DependsOn).toContain(
      ruleId(cached),
    );
  });

  it("a deploy into another account or region than the credential's stops at the template rule, saying why", () => {
    const rules = cached.json.Rules as Record<
      string,
      { Assertions: Array<{ Assert: unknown; AssertDescription: string }> }
    >;
    const rule = Object.values(rules).find((r) =>
      r.Assertions[0]!.AssertDescription.includes("dockerHubCredentialArn"),
    )!;
    expect(rule.Assertions[0]!.Assert).toEqual({
      "Fn::And": [
        { "Fn::Equals": [{ Ref: "AWS::Region" }, "eu-west-1"] },
        { "Fn::Equals": [{ Ref: "AWS::AccountId" }, "123456789012"] },
      ],
    });
  });

  it("cdk-nag: clean, with the two ECR wildcards acknowledged for their reasons", () => {
    const report = new AwsSolutionsChecks().validateScope(cached.stack);
    expect(report.violations.filter((v) => v.severity === "error").map((v) => v.ruleName)).toEqual([]);
  });
});

describe("cache prefix", () => {
  it("fits ECR's pattern and 30 characters for any stack name, and differs between stack names", () => {
    const names = [
      "pypiserver",
      "pypi-prod",
      "A",
      "a--b",
      "Very-Long-Stack-Name-For-The-Staging-Index-Of-Team-42",
      "x".repeat(128),
      "pypiserver2",
    ];
    const prefixes = names.map(cachePrefix);
    for (const p of prefixes) {
      expect(p.length).toBeLessThanOrEqual(30);
      expect(p).toMatch(/^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/);
    }
    expect(new Set(prefixes).size).toBe(names.length);
  });
});

describe("validation", () => {
  it("the credential must be a secret named ecr-pullthroughcache/… (what ECR accepts)", () => {
    expect(() =>
      resolveProps({
        allowHttp: true,
        dockerHubCredentialArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dockerhub-AbCdEf",
      }),
    ).toThrow(
      /dockerHubCredentialArn \(--docker-hub-credential-arn\): must be a Secrets Manager secret ARN whose name starts with ecr-pullthroughcache\//,
    );
    expect(
      resolveProps({ allowHttp: true, dockerHubCredentialArn: DOCKER_HUB_CREDENTIAL }).dockerHubCredentialArn,
    ).toBe(DOCKER_HUB_CREDENTIAL);
  });
});

describe("the cache changes only where the image comes from", () => {
  it("nothing else about the task changes with the cache", () => {
    const a = { ...containerDefinition(direct) } as Record<string, unknown>;
    const b = { ...containerDefinition(cached) } as Record<string, unknown>;
    delete a.Image;
    delete b.Image;
    expect(JSON.stringify(b).replaceAll(/"Ref":"[A-Za-z0-9]+"/g, "")).toBe(
      JSON.stringify(a).replaceAll(/"Ref":"[A-Za-z0-9]+"/g, ""),
    );
    cached.template.hasResourceProperties("AWS::ECS::TaskDefinition", {
      ContainerDefinitions: [Match.objectLike({ Name: "pypiserver" })],
    });
  });
});

describe("with ALB access logs (a region-bound stack)", () => {
  it("synthesizes: the cdk-nag acknowledgement names the repositories' ARN with the resolved region", () => {
    const s = synth(
      { allowHttp: true, albAccessLogs: true, dockerHubCredentialArn: DOCKER_HUB_CREDENTIAL },
      { stackName: "pypi-prod", env: { region: "eu-west-1" } },
    );
    expect(JSON.stringify(s.json)).toContain(`:ecr:eu-west-1:`);
    expect(JSON.stringify(s.json)).toContain(`repository/${prefix}/*`);
  }, 30_000);
});
