import { afterEach, describe, expect, it } from "vitest";
import { gzipSync } from "node:zlib";
import {
  GetCommandInvocationCommand,
  ListCommandInvocationsCommand,
  SendCommandCommand,
} from "@aws-sdk/client-ssm";
import {
  installFleet,
  scenario,
  instanceId,
  wrappedOutput,
  fleetTarget,
  type Fleet,
} from "../../fixtures/aws/sim.mjs";
import { probeDocumentContent, probeDocumentNamePrefix } from "../../../src/sources/host/probe-document.js";
import { gatherFleet, NOW, PROBE_STDOUT } from "../fleet/harness.js";
import {
  decodeOutput,
  GET_STDOUT_LIMIT,
  LIST_OUTPUT_LIMIT,
  wrapScript,
} from "../../../src/sources/aws/ssm-probe.js";
import type { HostProbeEvidence } from "../../../src/sources/host/model.js";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { DescribeAutoScalingGroupsCommand } from "@aws-sdk/client-auto-scaling";
import { ListContainerInstancesCommand } from "@aws-sdk/client-ecs";

let fleet: Fleet | undefined;
afterEach(() => fleet?.restore());

const SMALL = PROBE_STDOUT.replace(
  /==> pypictl:mount <==[\s\S]*?<== pypictl:mount status=ok exit=0 ==>/,
  "==> pypictl:mount <==\npypictl.path_state=absent\npypictl.entries=0\n<== pypictl:mount status=ok exit=0 ==>",
);

function hosts(ev: Record<string, unknown>): HostProbeEvidence["hosts"] {
  const r = ev["host.probe"] as { ok: boolean; value: HostProbeEvidence; message?: string };
  if (!r.ok) throw new Error(r.message);
  return r.value.hosts;
}

describe("host probe over SSM", () => {
  it("sends AWS-RunShellScript to at most 50 instances per call, with MaxErrors 100% and bounded concurrency", async () => {
    fleet = installFleet(scenario({ instances: 120, probeStdout: SMALL }), NOW);
    const ev = await gatherFleet(["host.probe"]);
    const sends = fleet.mocks.ssm.commandCalls(SendCommandCommand).map((c) => c.args[0].input);
    expect(sends.map((s) => s.InstanceIds!.length).sort()).toEqual([20, 50, 50]);
    for (const s of sends) {
      expect(s.DocumentName).toBe("AWS-RunShellScript");
      expect(s.MaxErrors).toBe("100%");
      expect(Number(s.MaxConcurrency)).toBeLessThanOrEqual(50);
      expect(s.Parameters!.commands![0]).toContain("pypictl-gz64:begin");
    }
    expect(new Set(sends.flatMap((s) => s.InstanceIds)).size).toBe(120);
    const h = hosts(ev);
    expect(h).toHaveLength(120);
    expect(h.every((x) => x.ok)).toBe(true);
    // Compressed output fits the listing: no per-instance GetCommandInvocation.
    expect(fleet.mocks.ssm.commandCalls(GetCommandInvocationCommand)).toHaveLength(0);
    expect(fleet.mocks.ssm.commandCalls(ListCommandInvocationsCommand)[0]!.args[0].input).toMatchObject({
      Details: true,
      MaxResults: 50,
    });
  });

  it("polls until invocations end", async () => {
    fleet = installFleet(scenario({ instances: 2, probeStdout: SMALL, ssm: { pendingPolls: 2 } }), NOW);
    const h = hosts(await gatherFleet(["host.probe"]));
    expect(fleet.mocks.ssm.commandCalls(ListCommandInvocationsCommand)).toHaveLength(3);
    expect(h.every((x) => x.ok)).toBe(true);
  });

  it("fetches output too long for the listing with GetCommandInvocation", async () => {
    fleet = installFleet(scenario({ instances: 2, probeStdout: PROBE_STDOUT }), NOW);
    const h = hosts(await gatherFleet(["host.probe"]));
    expect(fleet.mocks.ssm.commandCalls(GetCommandInvocationCommand)).toHaveLength(2);
    expect(h[0]).toMatchObject({ ok: true, host: instanceId(0) });
    expect(h[0]!.ok && h[0]!.truncated).toBeFalsy();
  });

  it("reports not-managed, undeliverable, timed-out and failed instances by id with the likely cause", async () => {
    const [a, b, c, d, e] = [0, 1, 2, 3, 4].map(instanceId);
    fleet = installFleet(
      scenario({
        instances: 5,
        probeStdout: SMALL,
        ssm: { notManaged: [a!], status: { [b!]: "Undeliverable", [c!]: "TimedOut", [d!]: "Failed" } },
      }),
      NOW,
    );
    const h = Object.fromEntries(hosts(await gatherFleet(["host.probe"])).map((x) => [x.host, x]));
    expect(h[a!]).toMatchObject({ ok: false, kind: "unreachable" });
    expect((h[a!] as { message: string }).message).toMatch(
      /not managed by SSM.*AmazonSSMManagedInstanceCore/,
    );
    expect((h[b!] as { message: string }).message).toMatch(
      /could not be delivered.*SSM agent.*AmazonSSMManagedInstanceCore/,
    );
    expect(h[c!]).toMatchObject({ ok: false, kind: "timeout" });
    expect((h[d!] as { message: string }).message).toMatch(/ended Failed: [^]*vmstat: not found/);
    expect(h[e!]).toMatchObject({ ok: true });
    // The batch was re-sent without the unmanaged instance.
    const sends = fleet.mocks.ssm.commandCalls(SendCommandCommand).map((x) => x.args[0].input.InstanceIds);
    expect(sends).toEqual([
      [a, b, c, d, e],
      [b, c, d, e],
    ]);
  });

  it("turns instances still running at the budget into timeout results", async () => {
    fleet = installFleet(scenario({ instances: 1, probeStdout: SMALL, ssm: { pendingPolls: 1000 } }), NOW);
    const h = hosts(await gatherFleet(["host.probe"], undefined, { settings: { ssmBudgetMs: 50 } }));
    expect(h[0]).toMatchObject({ ok: false, kind: "timeout" });
  });

  it("detects output cut at 24,000 characters and passes it on as truncated, not mis-parsed", async () => {
    const huge = PROBE_STDOUT.replace(
      "==> pypictl:packages <==",
      `==> pypictl:filler <==\n${"x".repeat(30_000)}\n<== pypictl:filler status=ok ==>\n==> pypictl:packages <==`,
    );
    fleet = installFleet(scenario({ instances: 1, probeStdout: huge, ssm: { raw: true } }), NOW);
    const h = hosts(await gatherFleet(["host.probe"]));
    expect(h[0]).toMatchObject({ ok: true, truncated: true });
  });

  it("fails the source when fleet.instances failed, keeping the cause", async () => {
    fleet = installFleet(scenario(), NOW);
    // Both ways of listing the instances denied: the group's denial is the cause reported.
    fleet.mocks.autoscaling
      .on(DescribeAutoScalingGroupsCommand)
      .rejects(
        Object.assign(
          new Error(
            "User: arn:aws:iam::1:user/x is not authorized to perform: autoscaling:DescribeAutoScalingGroups",
          ),
          { name: "AccessDenied" },
        ),
      );
    fleet.mocks.ecs
      .on(ListContainerInstancesCommand)
      .rejects(
        Object.assign(
          new Error("User: arn:aws:iam::1:user/x is not authorized to perform: ecs:ListContainerInstances"),
          { name: "AccessDeniedException" },
        ),
      );
    const ev = await gatherFleet(["host.probe"]);
    expect(ev["host.probe"]).toMatchObject({
      ok: false,
      kind: "access-denied",
      action: "autoscaling:DescribeAutoScalingGroups",
    });
  });
});

describe("output decoding", () => {
  it("decodes the wrapped form, and says 'cut' when the listing cut it", () => {
    expect(decodeOutput(wrappedOutput("hello"), LIST_OUTPUT_LIMIT)).toEqual({
      kind: "complete",
      stdout: "hello",
    });
    const long = wrappedOutput(randomBytes(4000).toString("hex")).slice(0, 2500);
    expect(decodeOutput(long, LIST_OUTPUT_LIMIT)).toEqual({ kind: "cut" });
  });

  it("decodes a payload cut at 24,000 characters as far as it goes", () => {
    const text = Array.from({ length: 40_000 }, (_, i) => `line ${i} ${(i * 7919) % 10007}`).join("\n");
    const wrapped =
      `pypictl-gz64:begin\n${gzipSync(Buffer.from(text)).toString("base64")}\npypictl-gz64:end\n`.slice(
        0,
        GET_STDOUT_LIMIT,
      );
    const d = decodeOutput(wrapped, GET_STDOUT_LIMIT);
    expect(d.kind).toBe("partial");
    expect(d.kind === "partial" && text.startsWith(d.stdout) && d.stdout.length > 20_000).toBe(true);
  });

  it("takes plain output (host without gzip) as is, cut when it reaches the limit", () => {
    expect(decodeOutput("==> pypictl:meta <==\n", GET_STDOUT_LIMIT)).toEqual({
      kind: "complete",
      stdout: "==> pypictl:meta <==\n",
    });
    expect(decodeOutput("a".repeat(24_000), GET_STDOUT_LIMIT).kind).toBe("partial");
    expect(decodeOutput("a".repeat(2_500), LIST_OUTPUT_LIMIT).kind).toBe("cut");
    expect(decodeOutput("out\n----------ERROR-------\nerr", GET_STDOUT_LIMIT)).toEqual({
      kind: "complete",
      stdout: "out",
    });
  });

  it("the wrapper runs under sh and round-trips the script's stdout", () => {
    const script = "echo '==> pypictl:meta <=='\necho \"it's $((1+1))\"\n";
    const out = execFileSync("sh", ["-c", wrapScript(script)]).toString();
    expect(decodeOutput(out, GET_STDOUT_LIMIT)).toEqual({
      kind: "complete",
      stdout: "==> pypictl:meta <==\nit's 2\n",
    });
  });
});

describe("host probe over SSM with the fleet's probe document", () => {
  const current = `${probeDocumentNamePrefix()}0a1b2c3d-0000-4000-8000-000000000000`;

  it("sends the stack's probe document with constrained parameters, no script and no shell", async () => {
    fleet = installFleet(scenario({ instances: 3, probeStdout: SMALL }), NOW);
    const h = hosts(await gatherFleet(["host.probe"], fleetTarget({ probeDocument: current })));
    expect(h.every((x) => x.ok)).toBe(true);
    const sends = fleet.mocks.ssm.commandCalls(SendCommandCommand).map((c) => c.args[0].input);
    expect(sends).toHaveLength(1);
    expect(sends[0]!.DocumentName).toBe(current);
    expect(Object.keys(sends[0]!.Parameters!).sort()).toEqual(
      Object.keys(probeDocumentContent().parameters).sort(),
    );
    expect(sends[0]!.Parameters!.fileSystemId).toEqual(["fs-0123456789abcdef0"]);
    expect(JSON.stringify(sends[0]!.Parameters)).not.toContain("pypictl-gz64");
  });

  it("falls back to AWS-RunShellScript for another version's document, saying why when that is denied", async () => {
    fleet = installFleet(scenario({ instances: 1, probeStdout: SMALL }), NOW);
    const old = "pypictl-probe-v1-0000000000-0a1b2c3d-0000-4000-8000-000000000000";
    const h = hosts(await gatherFleet(["host.probe"], fleetTarget({ probeDocument: old })));
    expect(h.every((x) => x.ok)).toBe(true);
    const send = fleet.mocks.ssm.commandCalls(SendCommandCommand)[0]!.args[0].input;
    expect(send.DocumentName).toBe("AWS-RunShellScript");
    fleet.restore();

    fleet = installFleet(scenario({ instances: 1, probeStdout: SMALL }), NOW);
    fleet.mocks.ssm.on(SendCommandCommand).rejects(
      Object.assign(new Error("User is not authorized to perform: ssm:SendCommand"), {
        name: "AccessDeniedException",
      }),
    );
    const ev = await gatherFleet(["host.probe"], fleetTarget({ probeDocument: old }));
    const r = ev["host.probe"] as { ok: boolean; message?: string };
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/another pypictl version's .*pypictl deploy/);
  });

  it("sends the script itself when the options do not fit the document (a mount path with a space)", async () => {
    fleet = installFleet(scenario({ instances: 1, probeStdout: SMALL }), NOW);
    await gatherFleet(["host.probe"], fleetTarget({ probeDocument: current }), {
      settings: { mountPath: "/data/my packages", mountPathGiven: true },
    });
    const send = fleet.mocks.ssm.commandCalls(SendCommandCommand)[0]!.args[0].input;
    expect(send.DocumentName).toBe("AWS-RunShellScript");
    expect(send.Parameters!.commands![0]).toContain("'/data/my packages'");
  });
});
