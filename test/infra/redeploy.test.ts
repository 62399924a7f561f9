/**
 * Redeploy after destroy: the first stack's kept resources (file system, backup vault, secret) are adopted by
 * the second deploy's template, which creates nothing that collides with them (no second file system, no
 * vault or secret under a name the kept ones hold), and mounts the same file system on the hosts and tasks.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { synth, type Synthesized } from "./helpers.js";
import { KEPT } from "./matrix.js";

let first: Synthesized;
let second: Synthesized;
let secondFsOnly: Synthesized;

beforeAll(() => {
  first = synth({ allowHttp: true });
  second = synth({ allowHttp: true, ...KEPT });
  secondFsOnly = synth({ allowHttp: true, fileSystemId: KEPT.fileSystemId });
}, 60_000);

const RETAINED = new Set(["Retain", "RetainExceptOnCreate"]);

/** Literal names (…Name properties that are plain strings) by resource type; `retainedOnly`: what destroy keeps. */
function literalNames(s: Synthesized, retainedOnly = false): string[] {
  return Object.values(s.json.Resources)
    .filter((r) => !retainedOnly || RETAINED.has((r as { DeletionPolicy?: string }).DeletionPolicy ?? ""))
    .flatMap((r) =>
      Object.entries(r.Properties ?? {})
        .filter(([k, v]) => /Name$/.test(k) && typeof v === "string")
        .map(([k, v]) => `${r.Type}.${k}=${String(v)}`),
    );
}

describe("redeploy after destroy", () => {
  it("the first stack keeps exactly the file system, the vault and the secret (and deletes them only if its create fails)", () => {
    const kept = Object.values(first.json.Resources)
      .filter((r) => RETAINED.has((r as { DeletionPolicy?: string }).DeletionPolicy ?? ""))
      .map((r) => `${r.Type}:${(r as { DeletionPolicy?: string }).DeletionPolicy}`)
      .sort();
    expect(kept).toEqual([
      "AWS::Backup::BackupVault:RetainExceptOnCreate",
      "AWS::EFS::FileSystem:RetainExceptOnCreate",
      "AWS::SecretsManager::Secret:RetainExceptOnCreate",
    ]);
  });

  it("the second deploy adopts the kept file system: no new one, mount targets/access point/task volume/host mount on it", () => {
    for (const s of [second, secondFsOnly]) {
      s.template.resourceCountIs("AWS::EFS::FileSystem", 0);
      s.template.resourceCountIs("AWS::EFS::MountTarget", 2);
      s.template.allResourcesProperties("AWS::EFS::MountTarget", { FileSystemId: KEPT.fileSystemId });
      s.template.hasResourceProperties("AWS::EFS::AccessPoint", {
        FileSystemId: KEPT.fileSystemId,
        RootDirectory: { Path: "/packages" },
      });
      const task = JSON.stringify(
        Object.values(s.json.Resources).find((r) => r.Type === "AWS::ECS::TaskDefinition"),
      );
      expect(task).toContain(`"FilesystemId":"${KEPT.fileSystemId}"`);
      expect(
        JSON.stringify(Object.values(s.json.Resources).find((r) => r.Type === "AWS::EC2::LaunchTemplate")),
      ).toContain(`${KEPT.fileSystemId}:/ /data/packages efs`);
      expect(s.json.Outputs.FileSystemId).toMatchObject({ Value: KEPT.fileSystemId });
    }
  });

  it("the hosts (whose user data mounts the adopted file system) wait for its new mount targets", () => {
    for (const s of [second, secondFsOnly]) {
      const mountTargets = Object.entries(s.json.Resources)
        .filter(([, r]) => r.Type === "AWS::EFS::MountTarget")
        .map(([id]) => id);
      const asg = Object.values(s.json.Resources).find(
        (r) => r.Type === "AWS::AutoScaling::AutoScalingGroup",
      ) as { DependsOn?: string[] };
      expect(mountTargets).toHaveLength(2);
      expect(asg.DependsOn).toEqual(expect.arrayContaining(mountTargets));
    }
  });

  it("adopts the kept vault and secret when given; otherwise makes new ones whose names cannot collide", () => {
    second.template.resourceCountIs("AWS::Backup::BackupVault", 0);
    second.template.hasResourceProperties("AWS::Backup::BackupPlan", {
      BackupPlan: { BackupPlanRule: [{ TargetBackupVault: KEPT.backupVaultName }] } as never,
    });
    second.template.resourceCountIs("AWS::SecretsManager::Secret", 0);
    expect(JSON.stringify(second.json)).toContain(KEPT.secretArn);
    expect(second.json.Outputs.SecretArn).toMatchObject({ Value: KEPT.secretArn });
    // Not adopted: a new vault named after this stack's UUID, a secret with a generated name.
    secondFsOnly.template.resourceCountIs("AWS::Backup::BackupVault", 1);
    expect(JSON.stringify(secondFsOnly.template.findResources("AWS::Backup::BackupVault"))).toContain(
      "AWS::StackId",
    );
  });

  it("no named resource of the second template collides with one the first stack kept", () => {
    const firstNames = new Set(literalNames(first, true));
    for (const s of [second, secondFsOnly])
      expect(literalNames(s).filter((n) => firstNames.has(n))).toEqual([]);
  });
});
