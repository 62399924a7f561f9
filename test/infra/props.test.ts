/** Props, presets and the capacity formula; config-file and flag validation. Pure: no CDK synthesis. */
import { describe, expect, it } from "vitest";
import { resolveProps, flagFor, PROP_KEYS, type PypiServerStackProps } from "../../src/infra/props.js";
import {
  SIZE_PRESETS,
  tasksPerInstance,
  defaultGunicornWorkers,
  defaultContainerCpu,
} from "../../src/infra/sizing.js";
import { parseDeployConfig, parseDeployFlags, mergeProps } from "../../src/infra/options.js";
import { UsageError } from "../../src/errors.js";

const HTTP = { allowHttp: true } as const;

function usage(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return e as UsageError;
  }
  throw new Error("expected a UsageError");
}

describe("capacity formula (FACTS §1)", () => {
  it("workers = max(2, min(8, ⌊memory/128⌋)), cpu = workers×150+40", () => {
    expect(defaultGunicornWorkers(256)).toBe(2);
    expect(defaultGunicornWorkers(512)).toBe(4);
    expect(defaultGunicornWorkers(4096)).toBe(8);
    expect(defaultContainerCpu(4)).toBe(640);
  });
  it("tasks per instance = min(⌊(MiB−800)/reservation⌋, ⌊(vCPU×1024−128)/cpu⌋)", () => {
    expect(tasksPerInstance("t3.small", 384, 640)).toBe(3); // mem 1248/384=3, cpu 1920/640=3
    expect(tasksPerInstance("c6a.xlarge", 384, 640)).toBe(6); // mem 7392/384=19, cpu 3968/640=6
    expect(tasksPerInstance("t3.micro", 384, 640)).toBe(0);
    expect(tasksPerInstance("x9z.huge", 384, 640)).toBeUndefined();
  });
  it("presets: heavy is 2×c6a.xlarge with 12 → 24 tasks (the module's stress test)", () => {
    const p = resolveProps({ ...HTTP, size: "heavy" });
    expect(p).toMatchObject({
      instanceType: "c6a.xlarge",
      minInstances: 2,
      taskMinCount: 12,
      taskMaxCount: 24,
      containerMemory: 512,
    });
  });
  it("presets: very-heavy has 1024 MiB containers and 8 workers", () => {
    const p = resolveProps({ ...HTTP, size: "very-heavy" });
    expect(p).toMatchObject({
      instanceType: SIZE_PRESETS["very-heavy"].instanceType,
      containerMemory: 1024,
      containerMemoryReservation: 768,
      gunicornWorkers: 8,
      containerCpu: 1240,
    });
    expect(p.taskMinCount).toBe(12);
  });
  it("explicit props override the preset", () => {
    expect(
      resolveProps({ ...HTTP, size: "heavy", instanceType: "c6a.large", taskMinCount: 2 }),
    ).toMatchObject({ instanceType: "c6a.large", taskMinCount: 2, taskMaxCount: 4 });
  });
  it("keep-alive is the ALB idle timeout + 15 s", () => {
    expect(resolveProps({ ...HTTP }).keepAliveSeconds).toBe(75);
    expect(resolveProps({ ...HTTP, albIdleTimeoutSeconds: 300 }).keepAliveSeconds).toBe(315);
  });
});

describe("validation names the prop and its flag", () => {
  const cases: Array<[PypiServerStackProps, RegExp]> = [
    [{ ...HTTP, containerMemory: 100 }, /containerMemory \(--container-memory\): must be ≥ 256 \(got 100\)/],
    [
      { ...HTTP, containerMemory: 600, containerMemoryReservation: 700 },
      /containerMemoryReservation .*must be ≤ containerMemory \(600\)/,
    ],
    [{ ...HTTP, imageTag: "latest" }, /imageTag \(--image-tag\): "latest" is not allowed/],
    [
      { ...HTTP, efsThroughputMode: "provisioned" },
      /efsProvisionedMibps .*required when efsThroughputMode is provisioned/,
    ],
    [
      { ...HTTP, efsProvisionedMibps: 10 },
      /efsProvisionedMibps .*only applies when efsThroughputMode is provisioned/,
    ],
    [{ ...HTTP, minInstances: 5, maxInstances: 3 }, /maxInstances .*must be ≥ minInstances \(5\)/],
    [{ ...HTTP, taskMinCount: 10, taskMaxCount: 5 }, /taskMaxCount .*must be ≥ taskMinCount/],
    [
      { ...HTTP, instanceType: "x9z.huge" },
      /taskMinCount \(--task-min-count\): must be given for instance type x9z.huge/,
    ],
    [{ ...HTTP, instanceType: "t3.micro" }, /a t3.micro cannot hold one task/],
    [
      { ...HTTP, instanceType: "t3.micro", containerMemory: 1024, taskMinCount: 1 },
      /1024 MiB does not fit on t3.micro/,
    ],
    [
      {},
      /HTTPS needs a certificate: give --certificate-arn, or --domain-name with --hosted-zone-id .* or --allow-http/,
    ],
    [
      {
        certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc",
        domainName: "pypi.example.com",
        allowHttp: true,
      },
      /allowHttp .*conflicts/,
    ],
    [{ hostedZoneId: "Z0123456789ABC" }, /hostedZoneId .*needs domainName/],
    [
      { domainName: "pypi.example.com", hostedZoneId: "Z0123456789ABC", hostedZoneName: "other.org" },
      /does not contain domainName/,
    ],
    [{ ...HTTP, allowedCidrs: ["10.0.0.0/33"] }, /allowedCidrs .*IPv4 CIDRs .*10\.0\.0\.0\/33/],
    [{ ...HTTP, vpcId: "vpc-0123456789abcdef0", natGateways: 2 }, /natGateways .*only applies to a new VPC/],
    [{ ...HTTP, efsTransitionToIaDays: 10 as never }, /efsTransitionToIaDays .*must be one of 1, 7, 14, 30/],
    [{ ...HTTP, size: "huge" as never }, /size \(--size\): must be one of light, medium, heavy, very-heavy/],
    [{ ...HTTP, alarmEmail: "nobody" }, /alarmEmail .*must be an e-mail address/],
    [{ ...HTTP, certificateArn: "arn:aws:iam::1:role/x" }, /certificateArn .*must be an ACM certificate ARN/],
  ];
  it.each(cases)("%j", (props, message) => {
    expect(usage(() => resolveProps(props)).message).toMatch(message);
  });
  it("unknown programmatic prop", () => {
    expect(usage(() => resolveProps({ ...HTTP, containerMemroy: 1 } as never)).message).toMatch(
      /unknown stack prop "containerMemroy"/,
    );
  });
  it("warnings: plain HTTP, open CIDR, cached-dir with several tasks", () => {
    const w = resolveProps({ ...HTTP, backend: "cached-dir" }).warnings.join("\n");
    expect(w).toMatch(/plain HTTP/);
    expect(w).toMatch(/0\.0\.0\.0\/0/);
    expect(w).toMatch(/cached-dir/);
    expect(
      resolveProps({
        certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc",
        domainName: "pypi.example.com",
        allowedCidrs: ["10.0.0.0/8"],
      }).warnings,
    ).toEqual([]);
  });
  it("hostedZoneName defaults to the domain minus its first label", () => {
    expect(
      resolveProps({ domainName: "pypi.corp.example.com", hostedZoneId: "Z0123456789ABC" }).hostedZoneName,
    ).toBe("corp.example.com");
  });
});

describe("config file `deploy` section", () => {
  it("accepts every prop key, typed", () => {
    expect(
      parseDeployConfig(
        { containerMemory: 1024, allowedCidrs: ["10.0.0.0/8"], allowHttp: true, size: "medium" },
        "pypictl.json",
      ),
    ).toEqual({
      containerMemory: 1024,
      allowedCidrs: ["10.0.0.0/8"],
      allowHttp: true,
      size: "medium",
    });
  });
  it("errors name the file and dotted path", () => {
    expect(usage(() => parseDeployConfig({ containerMemory: 100 }, "pypictl.json")).message).toBe(
      "pypictl.json: deploy.containerMemory: must be ≥ 256 (got 100)",
    );
    expect(usage(() => parseDeployConfig({ containerMemory: "512" }, "pypictl.json")).message).toBe(
      "pypictl.json: deploy.containerMemory: must be a number",
    );
    expect(usage(() => parseDeployConfig({ allowHttp: "yes" }, "p.json")).message).toBe(
      "p.json: deploy.allowHttp: must be true or false",
    );
    expect(usage(() => parseDeployConfig([], "p.json")).message).toBe("p.json: deploy: must be an object");
  });
  it("unknown keys rejected by name", () => {
    expect(usage(() => parseDeployConfig({ containerMemroy: 512 }, "pypictl.json")).message).toMatch(
      /pypictl.json: deploy: unknown key "deploy.containerMemroy"\. Did you mean "containerMemory"\? \(allowed here: size, instanceType/,
    );
  });
});

describe("flags", () => {
  it("every prop has a kebab-case flag", () => {
    expect(flagFor("containerMemoryReservation")).toBe("--container-memory-reservation");
    expect(new Set(PROP_KEYS.map(flagFor)).size).toBe(PROP_KEYS.length);
  });
  it("parse numbers, booleans and CIDR lists", () => {
    expect(
      parseDeployFlags({
        containerMemory: "1024",
        allowHttp: true,
        allowedCidrs: ["10.0.0.0/8,192.168.0.0/16", "172.16.0.0/12"],
      }),
    ).toEqual({
      containerMemory: 1024,
      allowHttp: true,
      allowedCidrs: ["10.0.0.0/8", "192.168.0.0/16", "172.16.0.0/12"],
    });
  });
  it("errors name the flag", () => {
    expect(usage(() => parseDeployFlags({ containerMemory: "lots" })).message).toBe(
      '--container-memory: must be a number (got "lots")',
    );
    expect(usage(() => parseDeployFlags({ minInstances: "1.5" })).message).toBe(
      "--min-instances: must be a whole number (got 1.5)",
    );
    expect(usage(() => parseDeployFlags({ vpcId: "my-vpc" })).message).toMatch(
      /^--vpc-id: must be a VPC id like vpc-0123abcd/,
    );
  });
  it("flags override the config file", () => {
    expect(mergeProps({ containerMemory: 512, size: "heavy" }, { containerMemory: 1024 })).toEqual({
      containerMemory: 1024,
      size: "heavy",
    });
  });
});
