/**
 * Instance facts the capacity model needs, in one table: vCPUs, memory, architecture and, for the burstable
 * families, the baseline CPU share a vCPU earns credits for.
 *
 * Source: AWS "Amazon EC2 instance type specifications" (docs.aws.amazon.com/ec2/latest/instancetypes/
 * gp.html, co.html, mo.html: vCPUs and memory per size; c = 2 GiB, m = 4 GiB, r = 8 GiB per vCPU from
 * `large` up) and "Key concepts for burstable performance instances" (docs.aws.amazon.com/AWSEC2/latest/
 * UserGuide/burstable-credits-baseline-concepts.html: baseline utilization per vCPU, t3/t3a/t4g alike).
 * Graviton families (a `g` after the generation) are arm64; the rest here are x86_64.
 */

export type Arch = "x86_64" | "arm64";

export interface InstanceFacts {
  readonly instanceType: string;
  readonly vcpus: number;
  /** Nominal memory, MiB (GiB × 1024). */
  readonly memoryMiB: number;
  readonly arch: Arch;
  /**
   * Burstable (T) types: the share of each vCPU it earns credits for (0.2 = 20 %). Above it a `standard`
   * instance is held to it when its credits run out; an `unlimited` one (the T3/T4g default) is billed for
   * surplus credits (FACTS §8).
   */
  readonly baselineShare?: number;
}

interface FamilyRow {
  readonly families: readonly string[];
  /** size → [vCPUs, GiB, baseline share (burstable only)] */
  readonly sizes: Readonly<Record<string, readonly [number, number, number?]>>;
}

const BURSTABLE_SIZES: FamilyRow["sizes"] = {
  nano: [2, 0.5, 0.05],
  micro: [2, 1, 0.1],
  small: [2, 2, 0.2],
  medium: [2, 4, 0.2],
  large: [2, 8, 0.3],
  xlarge: [4, 16, 0.4],
  "2xlarge": [8, 32, 0.4],
};

function fixedSizes(gibPerVcpu: number, largest: "4xlarge" | "8xlarge"): FamilyRow["sizes"] {
  const rows: Record<string, [number, number]> = {};
  for (const [size, vcpus] of [
    ["large", 2],
    ["xlarge", 4],
    ["2xlarge", 8],
    ["4xlarge", 16],
    ["8xlarge", 32],
  ] as const) {
    rows[size] = [vcpus, vcpus * gibPerVcpu];
    if (size === largest) break;
  }
  return rows;
}

/** The table. c5 stops at 4xlarge (its next size is 9xlarge); the others have an 8xlarge. */
const FAMILY_ROWS: readonly FamilyRow[] = [
  { families: ["t3", "t3a", "t4g"], sizes: BURSTABLE_SIZES },
  { families: ["c5"], sizes: fixedSizes(2, "4xlarge") },
  { families: ["c5a", "c6a", "c6i", "c6g", "c7a", "c7i", "c7g"], sizes: fixedSizes(2, "8xlarge") },
  { families: ["m5", "m5a", "m6a", "m6i", "m6g", "m7a", "m7i", "m7g"], sizes: fixedSizes(4, "8xlarge") },
  { families: ["r5", "r5a", "r6a", "r6i", "r6g", "r7a", "r7i", "r7g"], sizes: fixedSizes(8, "8xlarge") },
];

const archOf = (family: string): Arch => (/^[a-z]\d+g/.test(family) ? "arm64" : "x86_64");

export const INSTANCE_FACTS: Readonly<Record<string, InstanceFacts>> = (() => {
  const t: Record<string, InstanceFacts> = {};
  for (const row of FAMILY_ROWS)
    for (const family of row.families)
      for (const [size, [vcpus, gib, baseline]] of Object.entries(row.sizes)) {
        const instanceType = `${family}.${size}`;
        t[instanceType] = {
          instanceType,
          vcpus,
          memoryMiB: gib * 1024,
          arch: archOf(family),
          ...(baseline !== undefined ? { baselineShare: baseline } : {}),
        };
      }
  return t;
})();

export function instanceFacts(instanceType: string): InstanceFacts | undefined {
  return INSTANCE_FACTS[instanceType];
}

/** `c6a.xlarge` → `c6a`. */
export function familyOf(instanceType: string): string {
  return instanceType.split(".")[0] ?? instanceType;
}

/** The sizes of one family, smallest first (by vCPUs, then memory). */
export function familySizes(family: string): InstanceFacts[] {
  return Object.values(INSTANCE_FACTS)
    .filter((f) => familyOf(f.instanceType) === family)
    .sort((a, b) => a.vcpus - b.vcpus || a.memoryMiB - b.memoryMiB);
}
