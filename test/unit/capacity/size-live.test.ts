/**
 * `pypictl size` end to end against the simulated fleet (strict aws-sdk-client-mock stubs for every client,
 * the Price List among them): the stack is read, the fleet discovered, 14 days of load gathered in 3
 * calls, the cost of current and recommended priced, and the evidence saved replays to the same report.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type Server } from "node:http";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import { GetMetricDataCommand, type GetMetricDataCommandInput } from "@aws-sdk/client-cloudwatch";
import { GetProductsCommand, PricingClient, type GetProductsCommandInput } from "@aws-sdk/client-pricing";
import { installFleet, scenario, type Fleet } from "../../fixtures/aws/sim.mjs";
import { runCli } from "../../../src/cli/main.js";
import { captureIo } from "../../helpers/io.js";
import { assertValidSizeReport } from "../../helpers/schema.js";
import type { SizeReport } from "../../../src/capacity/size-report.js";
import { welcomePage } from "../../fixtures/aws/loopback.mjs";

/** The index on 127.0.0.1 (stack output IndexUrl): pypiserver's front page with `files` packages. */
let index: Server;
let indexUrl = "";
let files = 120;
const indexRequests: Array<{ url?: string; authorization?: string }> = [];
beforeAll(async () => {
  index = createServer((req, res) => {
    indexRequests.push({ url: req.url, authorization: req.headers.authorization });
    res.writeHead(req.url === "/" ? 200 : 404, { "content-type": "text/html" });
    res.end(req.url === "/" ? welcomePage(files) : "Not Found");
  });
  await new Promise<void>((r) => index.listen(0, "127.0.0.1", r));
  indexUrl = `http://127.0.0.1:${(index.address() as { port: number }).port}`;
});
afterAll(async () => {
  index.closeAllConnections();
  await new Promise<void>((r) => index.close(() => r()));
});

const NOW = new Date(Math.floor(Date.now() / 300_000) * 300_000);
const PRICES: Record<string, string> = { "c6a.large": "0.0864000000", "c6a.xlarge": "0.1728000000" };

let fleet: Fleet | undefined;
const pricing = mockClient(PricingClient);
const saved = { ...process.env };
beforeEach(() => {
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: "AKIDTEST", AWS_SECRET_ACCESS_KEY: "secret" });
  pricing.reset();
  pricing.onAnyCommand().rejects(new Error("unexpected command in strict mock"));
  pricing.on(GetProductsCommand).callsFake(async (input: GetProductsCommandInput) => {
    const type = input.Filters!.find((f) => f.Field === "instanceType")!.Value!;
    return {
      FormatVersion: "aws_v1",
      PriceList: [
        JSON.stringify({
          product: { attributes: { instanceType: type } },
          terms: {
            OnDemand: {
              "X.JRTCKXETXF": {
                priceDimensions: {
                  "X.JRTCKXETXF.6YS6EN2CT7": { unit: "Hrs", pricePerUnit: { USD: PRICES[type] } },
                },
              },
            },
          },
        }),
      ],
    };
  });
});
afterEach(() => {
  fleet?.restore();
  pricing.reset();
  process.env = { ...saved };
});

/** A medium-sized fleet's week with CI bursts of 450/min at 16:00 UTC, host CPU 95 % in them. */
function busyCloudwatch(f: Fleet): number[] {
  const calls: number[] = [];
  f.mocks.cloudwatch.on(GetMetricDataCommand).callsFake(async (input: GetMetricDataCommandInput) => {
    const start = input.StartTime!.getTime();
    const end = input.EndTime!.getTime();
    calls.push(input.MetricDataQueries!.length);
    return {
      MetricDataResults: input.MetricDataQueries!.map((q) => {
        const p = q.MetricStat!.Period! * 1000;
        const ts: Date[] = [];
        const vs: number[] = [];
        for (let t = start; t < end; t += p) {
          const d = new Date(t);
          const burst = d.getUTCHours() === 16 && d.getUTCMinutes() < 10;
          const v: Record<string, number> = {
            requests: burst ? 450 : 40,
            p95: burst ? 11 : 0.7,
            taskMemory: 70,
            runningTasks: 6,
            efsIo: 10,
            efsMetered: 1048576 * 60,
            efsPermitted: 100 * 1048576,
          };
          const label = q.Label!;
          if (label === "elb5xx" || label === "target5xx") continue; // published only when non-zero
          ts.push(d);
          vs.push(
            label.startsWith("hostCpu.")
              ? burst || (d.getUTCHours() === 16 && d.getUTCMinutes() < 15)
                ? 95
                : 15
              : v[label]!,
          );
        }
        return { Id: q.Id, Label: q.Label, StatusCode: "Complete", Timestamps: ts, Values: vs };
      }),
      Messages: [],
    };
  });
  return calls;
}

describe("pypictl size (live, simulated fleet)", () => {
  it("reads the stack, sizes the fleet, prices both configurations and saves replayable evidence", async () => {
    fleet = installFleet(scenario({ instances: 2, desired: 6, running: 6, indexUrl }), NOW);
    const calls = busyCloudwatch(fleet);
    const dir = mkdtempSync(join(tmpdir(), "pypictl-size-live-"));
    const io = captureIo();
    const code = await runCli(
      [
        "size",
        "--stack",
        "pypiserver",
        "--region",
        "eu-west-1",
        "--format",
        "json",
        "--save-evidence",
        join(dir, "ev.json"),
        "-q",
      ],
      io,
    );
    expect(io.stderr.text).toBe("");
    expect(code).toBe(0);
    const r = JSON.parse(io.stdout.text) as SizeReport;
    assertValidSizeReport(r);
    expect(calls).toHaveLength(r.metricCalls!);
    expect(r.metricCalls).toBeLessThanOrEqual(3);
    expect(r.verdict).toBe("undersized");
    expect(r.recommended.instanceType).toBe("c6a.xlarge");
    expect(r.cost).toMatchObject({
      available: true,
      currency: "USD",
      hourly: { "c6a.large": 0.0864, "c6a.xlarge": 0.1728 },
      currentMonthly: Math.round(0.0864 * 730 * r.current.minHosts * 100) / 100,
      recommendedMonthly: Math.round(0.1728 * 730 * r.recommended.minHosts * 100) / 100,
    });
    expect(r.apply[0]).toMatch(/^pypictl deploy --stack pypiserver /);
    // The package count from the index's front page, asked without credentials; 120 files cost nothing extra.
    expect(r.observed.packages).toMatchObject({ files: 120, carryFactor: 1, extraMsPerRequest: 0 });
    expect(indexRequests.at(-1)).toEqual({ url: "/", authorization: undefined });

    const again = captureIo();
    expect(await runCli(["size", "--replay", join(dir, "ev.json"), "--format", "json"], again)).toBe(0);
    const replayed = JSON.parse(again.stdout.text) as SizeReport;
    expect(replayed.changes).toEqual(r.changes);
    expect(replayed.observed.packages).toEqual(r.observed.packages);
    expect(replayed.cost).toMatchObject({ available: false });
  });

  it("--no-cost makes no Price List call and says so", async () => {
    fleet = installFleet(scenario({ instances: 2, desired: 6, running: 6, indexUrl }), NOW);
    busyCloudwatch(fleet);
    const io = captureIo();
    const code = await runCli(
      ["size", "--stack", "pypiserver", "--region", "eu-west-1", "--no-cost", "-q"],
      io,
    );
    expect(code).toBe(0);
    expect(io.stdout.text).toContain("Cost: not shown — --no-cost");
    expect(pricing.commandCalls(GetProductsCommand)).toHaveLength(0);
  });

  it("a large package count lowers what every configuration carries, and the reason says so", async () => {
    fleet = installFleet(scenario({ instances: 2, desired: 6, running: 6, indexUrl }), NOW);
    busyCloudwatch(fleet);
    const run = async () => {
      const io = captureIo();
      expect(
        await runCli(
          ["size", "--stack", "pypiserver", "--region", "eu-west-1", "--no-cost", "--format", "json", "-q"],
          io,
        ),
      ).toBe(0);
      return JSON.parse(io.stdout.text) as SizeReport;
    };
    files = 120;
    const few = await run();
    files = 40_000;
    const many = await run();
    files = 120;
    assertValidSizeReport(many);
    expect(many.observed.packages).toMatchObject({ files: 40_000, extraMsPerRequest: 553 });
    expect(many.current.capacity.requestsPerMinute).toBeLessThan(
      few.current.capacity.requestsPerMinute * 0.7,
    );
    for (const p of many.profiles)
      expect(p.carriesPerMinute).toBeLessThan(few.profiles.find((x) => x.size === p.size)!.carriesPerMinute);
    expect(many.changes.map((c) => c.reason).join(" ")).toMatch(
      /at 40,000 package files \(every request walks them/,
    );
  });

  it("an index that cannot be read costs only the package count, said so", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    fleet = installFleet(
      scenario({ instances: 2, desired: 6, running: 6, indexUrl: `http://127.0.0.1:${port}` }),
      NOW,
    );
    busyCloudwatch(fleet);
    const io = captureIo();
    expect(
      await runCli(["size", "--stack", "pypiserver", "--region", "eu-west-1", "--no-cost", "-q"], io),
    ).toBe(0);
    expect(io.stdout.text).toMatch(/UNDERSIZED/);
    expect(io.stdout.text).toContain(
      `package count: not read, because GET http://127.0.0.1:${port}/: refused`,
    );
  });
});
