/**
 * An adopted file system's throughput read from EFS (strict aws-sdk-client-mock: DescribeFileSystems only)
 * and reported in the plan: bursting under a heavy preset warns with FACTS.md §4's numbers, other modes are
 * notes, a failed read is a warning (never a pass), a missing file system is flagged for deploy to stop on.
 * Shapes as EFS answers (efs-2015-02-01: FileSystemDescription; FileSystemNotFound 404).
 */
import { afterEach, describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import { DescribeFileSystemsCommand, EFSClient, type FileSystemDescription } from "@aws-sdk/client-efs";
import {
  adoptedFileSystemFindings,
  burstingBaselineMibps,
  readAdoptedFileSystem,
} from "../../../src/infra/adopted-fs.js";
import { resolveProps, type PypiServerStackProps } from "../../../src/infra/props.js";
import { layerProps } from "../../../src/infra/layers.js";
import { formatPlan, planProps } from "../../../src/infra/plan.js";

const efsMock = mockClient(EFSClient);
const efs = new EFSClient({ region: "eu-west-1" });
afterEach(() => efsMock.reset());
const strict = () => efsMock.onAnyCommand().rejects(new Error("unexpected EFS call"));
const sdkError = (name: string, message: string, status = 400) =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });

const FS = "fs-0123456789abcdef0";
const GIB = 1024 ** 3;
function description(over: Partial<FileSystemDescription>): FileSystemDescription {
  return {
    OwnerId: "123456789012",
    CreationToken: "pypictl",
    FileSystemId: FS,
    CreationTime: new Date("2026-01-01T00:00:00Z"),
    LifeCycleState: "available",
    NumberOfMountTargets: 0,
    SizeInBytes: { Value: 20 * GIB },
    PerformanceMode: "generalPurpose",
    Encrypted: true,
    ThroughputMode: "elastic",
    Tags: [],
    ...over,
  };
}
const props = (p: PypiServerStackProps) => resolveProps({ allowHttp: true, fileSystemId: FS, ...p });

describe("readAdoptedFileSystem", () => {
  it("reads mode, provisioned MiB/s and size with one DescribeFileSystems for that id", async () => {
    strict();
    efsMock.on(DescribeFileSystemsCommand, { FileSystemId: FS }).resolves({
      FileSystems: [description({ ThroughputMode: "provisioned", ProvisionedThroughputInMibps: 64 })],
    });
    expect(await readAdoptedFileSystem(efs, FS)).toEqual({
      read: true,
      id: FS,
      throughputMode: "provisioned",
      provisionedMibps: 64,
      sizeBytes: 20 * GIB,
    });
    expect(efsMock.calls()).toHaveLength(1);
  });

  it("FileSystemNotFound: not found (deploy stops on it)", async () => {
    strict();
    efsMock
      .on(DescribeFileSystemsCommand)
      .rejects(sdkError("FileSystemNotFound", `File system '${FS}' does not exist.`, 404));
    expect(await readAdoptedFileSystem(efs, FS)).toMatchObject({ read: false, notFound: true });
  });

  it("AccessDenied and throttling: not read, not 'not found'", async () => {
    strict();
    efsMock
      .on(DescribeFileSystemsCommand)
      .rejectsOnce(
        sdkError(
          "AccessDeniedException",
          "User is not authorized to perform: elasticfilesystem:DescribeFileSystems",
          403,
        ),
      )
      .rejectsOnce(sdkError("ThrottlingException", "Rate exceeded"));
    expect(await readAdoptedFileSystem(efs, FS)).toMatchObject({
      read: false,
      notFound: false,
      problem: expect.stringMatching(/^AccessDeniedException/),
    });
    expect(await readAdoptedFileSystem(efs, FS)).toMatchObject({ read: false, notFound: false });
  });
});

describe("what the plan says about the adopted file system", () => {
  it("bursting baseline: 50 KiB/s per GiB, at least 1 MiB/s (FACTS §4)", () => {
    expect(burstingBaselineMibps(1 * GIB)).toBe(1);
    expect(burstingBaselineMibps(20 * GIB)).toBe(1); // 0.98 MiB/s → the 1 MiB/s floor
    expect(burstingBaselineMibps(200 * GIB)).toBeCloseTo(9.77, 2);
    expect(burstingBaselineMibps(2048 * GIB)).toBe(100);
  });

  it("bursting under heavy: a warning with the baseline for its size, the burst ceiling and the fix", () => {
    const f = adoptedFileSystemFindings(props({ size: "heavy" }), {
      read: true,
      id: FS,
      throughputMode: "bursting",
      sizeBytes: 200 * GIB,
    });
    expect(f.warnings).toHaveLength(1);
    expect(f.warnings[0]).toMatch(
      /adopted file system fs-0123456789abcdef0 uses bursting throughput: baseline 9\.8 MiB\/s for its 200 GiB \(50 KiB\/s per GiB stored, at least 1 MiB\/s\), up to 100 MiB\/s only while burst credits last\. The heavy preset is sized for 200–500 packages/,
    );
    expect(f.warnings[0]).toContain(
      `aws efs update-file-system --file-system-id ${FS} --throughput-mode elastic`,
    );
    expect(f.warnings[0]).toContain("--efs-throughput-mode bursting for the burst-credit alarm");
    expect(f.notes).toEqual([]);
  });

  it("bursting on light: a note with the same numbers, no warning", () => {
    const f = adoptedFileSystemFindings(props({}), {
      read: true,
      id: FS,
      throughputMode: "bursting",
      sizeBytes: 20 * GIB,
    });
    expect(f.warnings).toEqual([]);
    expect(f.notes[0]).toMatch(/baseline 1\.0 MiB\/s for its 20 GiB/);
    expect(f.notes[0]).toMatch(/--efs-throughput-mode bursting adds the burst-credit alarm/);
  });

  it("elastic and provisioned are notes; a prop that differs from the file system says it only picks alarms", () => {
    expect(
      adoptedFileSystemFindings(props({}), { read: true, id: FS, throughputMode: "elastic", sizeBytes: GIB }),
    ).toEqual({
      notes: [`adopted file system ${FS} uses elastic throughput (1.0 GiB stored).`],
      warnings: [],
    });
    const prov = adoptedFileSystemFindings(props({ size: "heavy" }), {
      read: true,
      id: FS,
      throughputMode: "provisioned",
      provisionedMibps: 128,
    });
    expect(prov.warnings).toEqual([]);
    expect(prov.notes[0]).toMatch(/provisioned throughput: 128 MiB\/s/);
    expect(prov.notes[1]).toMatch(
      /efsThroughputMode elastic differs from the adopted file system's provisioned: .*only picks the alarms/,
    );
    const wrongAlarm = adoptedFileSystemFindings(props({ efsThroughputMode: "bursting" }), {
      read: true,
      id: FS,
      throughputMode: "elastic",
    });
    expect(wrongAlarm.notes[1]).toMatch(/burst-credit alarm means nothing outside bursting mode/);
  });

  it("a failed read is a warning naming the IAM action; not found says the stack cannot mount it", () => {
    const denied = adoptedFileSystemFindings(props({}), {
      read: false,
      id: FS,
      notFound: false,
      problem: "AccessDeniedException: not authorized",
    });
    expect(denied.warnings[0]).toMatch(
      /could not read the adopted file system .*grant elasticfilesystem:DescribeFileSystems\): its throughput mode is unknown/,
    );
    const gone = adoptedFileSystemFindings(props({}), {
      read: false,
      id: FS,
      notFound: true,
      problem: "FileSystemNotFound: x",
    });
    expect(gone.warnings[0]).toMatch(/does not exist in this account and region .*cannot mount it/);
  });

  it("not read (synth --stack): a note pointing at diff/deploy, no guess", () => {
    const f = adoptedFileSystemFindings(props({}), undefined);
    expect(f.warnings).toEqual([]);
    expect(f.notes[0]).toMatch(/its throughput mode is its own .* `pypictl diff` and `deploy` read it/);
  });

  it("no adopted file system: nothing", () => {
    expect(adoptedFileSystemFindings(resolveProps({ allowHttp: true }), undefined)).toEqual({
      notes: [],
      warnings: [],
    });
  });

  it("the plan text prints it as a warning line", () => {
    const layered = layerProps({ flags: { allowHttp: true, size: "heavy", fileSystemId: FS } });
    const plan = planProps(undefined, resolveProps(layered.props), layered, {
      update: false,
      facts: { fileSystem: { read: true, id: FS, throughputMode: "bursting", sizeBytes: 20 * GIB } },
    });
    expect(formatPlan("pypiserver", plan)).toMatch(
      /\nwarning: adopted file system fs-0123456789abcdef0 uses bursting throughput: baseline 1\.0 MiB\/s/,
    );
  });
});
