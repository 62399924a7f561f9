/**
 * Issue 26, item 4: an AWS answer is read up to MAX_AWS_ANSWER_BYTES, no further. The real SDK client (our
 * AwsClients, every middleware) talks HTTP to a server on 127.0.0.1 that answers a GetMetricData with
 * 100 MB of valid, CloudWatch-shaped JSON — as fast as the socket takes it, with or without a
 * Content-Length. Before the cap the whole body was read and parsed (a Date per timestamp), seconds past
 * the run's deadline and gigabytes of heap; now the read stops at the limit and the error names it.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { AwsClients } from "../../../src/sources/aws/clients.js";
import { MAX_AWS_ANSWER_BYTES } from "../../../src/sources/aws/answer-limit.js";
import { classifyError } from "../../../src/sources/classify.js";

const MB = 1_000_000;
const creds = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};

interface Served {
  /** The body's length, all of it. */
  length: number;
  /** Bytes of the body the server got into the socket before the client hung up or it ended. */
  written: number;
  done: Promise<void>;
}

/**
 * A GetMetricData answer of one result with `points` points, as awsJson1_0 spells it (timestamps in epoch
 * seconds); `value` is each point's value as written. Built from a few shared chunks, never held whole.
 */
function metricChunks(points: number, value: string): Buffer[] {
  const per = 32_768;
  const full = Math.floor(points / per);
  const rest = points - full * per;
  const ts = (n: number) => Buffer.from("1764990000,".repeat(n));
  const vs = (n: number) => Buffer.from(`${value},`.repeat(n));
  const tsChunk = ts(per);
  const vsChunk = vs(per);
  return [
    Buffer.from('{"MetricDataResults":[{"Id":"m0","Label":"x","StatusCode":"Complete","Timestamps":['),
    ...Array.from({ length: full }, () => tsChunk),
    ts(rest),
    Buffer.from('1764990000],"Values":['),
    ...Array.from({ length: full }, () => vsChunk),
    vs(rest),
    Buffer.from(`${value}]}],"Messages":[]}`),
  ];
}

function answer(res: import("node:http").ServerResponse, chunks: Buffer[], declare: boolean): Served {
  const length = chunks.reduce((n, c) => n + c.length, 0);
  res.writeHead(200, {
    "content-type": "application/x-amz-json-1.0",
    "x-amzn-requestid": "r1",
    ...(declare ? { "content-length": String(length) } : {}),
  });
  const served: Served = { length, written: 0, done: Promise.resolve() };
  served.done = new Promise((resolve) => {
    let i = 0;
    const more = () => {
      while (i < chunks.length) {
        if (res.destroyed) return resolve();
        const c = chunks[i++]!;
        served.written += c.length;
        if (!res.write(c)) return void res.once("drain", more);
      }
      res.end();
      resolve();
    };
    res.on("close", () => resolve());
    more();
  });
  return served;
}

/** Points of `value` that make an answer of about `bytes`. */
const pointsFor = (bytes: number, value: string) => Math.floor(bytes / (11 + value.length + 1));

let server: Server;
let url = "";
let mode: { points: number; value: string; declare: boolean } = { points: 0, value: "12.5", declare: false };
const served: Served[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => served.push(answer(res, metricChunks(mode.points, mode.value), mode.declare)));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  vi.unstubAllEnvs();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function getMetricData(deadlineMs = 5_000) {
  vi.stubEnv("AWS_ENDPOINT_URL", url);
  const cw = await new AwsClients({ region: "eu-west-1", deadlineAt: Date.now() + deadlineMs }).cloudwatch();
  Object.assign(cw.config, { credentials: async () => creds });
  const started = performance.now();
  const result = await cw
    .send(
      new GetMetricDataCommand({
        StartTime: new Date("2026-12-06T04:00:00Z"),
        EndTime: new Date("2026-12-06T05:00:00Z"),
        MetricDataQueries: [
          {
            Id: "m0",
            MetricStat: {
              Metric: { Namespace: "AWS/ECS", MetricName: "CPUUtilization" },
              Period: 60,
              Stat: "Average",
            },
          },
        ],
      }),
    )
    .then(
      (r) => ({ ok: true as const, r }),
      (e: unknown) => ({ ok: false as const, e }),
    );
  return { ...result, ms: performance.now() - started };
}

/** The failure's one line, as a finding shows it (classify.ts). */
const message = (r: { ok: boolean; e?: unknown }) =>
  (classifyError(r.ok ? undefined : r.e) as { message: string }).message;

describe("an AWS answer larger than MAX_AWS_ANSWER_BYTES", () => {
  it("100 MB without a Content-Length: the read stops at the limit, well inside --timeout 5, naming it", async () => {
    mode = { points: pointsFor(100 * MB, "12.5"), value: "12.5", declare: false };
    const before = served.length;
    const r = await getMetricData(5_000);
    expect(r.ok).toBe(false);
    // One request: an answer too large is not retried (the same endpoint would send it again).
    expect(served.length - before).toBe(1);
    await served.at(-1)!.done;
    // The connection was dropped at the limit: at most the limit plus what the kernel's socket buffers held.
    expect(served.at(-1)!.written).toBeLessThan(MAX_AWS_ANSWER_BYTES + 8 * MB);
    expect(r.ms).toBeLessThan(4_000);
    expect(classifyError(!r.ok && r.e)).toMatchObject({ ok: false, kind: "malformed" });
    expect(message(r)).toBe(
      `the answer to GetMetricData from ${url} is larger than 8 MiB, the limit on one AWS answer (MAX_AWS_ANSWER_BYTES); none of it was used`,
    );
  });

  it("100 MB with a Content-Length: refused before reading the body", async () => {
    mode = { points: pointsFor(100 * MB, "12.5"), value: "12.5", declare: true };
    const r = await getMetricData(5_000);
    expect(r.ok).toBe(false);
    await served.at(-1)!.done;
    const says = Math.round((served.at(-1)!.length / 2 ** 20) * 10) / 10;
    expect(served.at(-1)!.written).toBeLessThan(8 * MB);
    expect(r.ms).toBeLessThan(2_000);
    expect(message(r)).toMatch(
      /^the answer to GetMetricData from http:\/\/127\.0\.0\.1:\d+ is larger than 8 MiB, the limit on one AWS answer \(MAX_AWS_ANSWER_BYTES, its Content-Length says ([\d.]+) MiB\)/,
    );
    expect(message(r).match(/says ([\d.]+) MiB/)?.[1]).toBe(String(says));
  });

  it("the largest real answer (100,800 points of 17-digit doubles, 2.9 MB) still arrives whole and parses", async () => {
    // CloudWatch's most per call ("a total of as many as 100,800 data points", GetMetricData reference).
    for (const declare of [false, true]) {
      mode = { points: 100_800 - 1, value: "37.12345678901234", declare };
      const r = await getMetricData(5_000);
      expect(r.ok, String(!r.ok && r.e)).toBe(true);
      expect(served.at(-1)!.length).toBeGreaterThan(2.9 * MB);
      const result = r.ok ? r.r.MetricDataResults?.[0] : undefined;
      expect(result?.Timestamps?.length).toBe(100_800);
      expect(result?.Values?.length).toBe(result?.Timestamps?.length);
      expect(result?.Timestamps?.[0]).toEqual(new Date(1764990000 * 1000));
    }
  });

  it("just under the limit: read and parsed inside a 5 s deadline", async () => {
    mode = { points: pointsFor(MAX_AWS_ANSWER_BYTES - 1024, "1"), value: "1", declare: false };
    const r = await getMetricData(5_000);
    expect(r.ok, String(!r.ok && r.e)).toBe(true);
    expect(r.ms).toBeLessThan(5_000);
  });
});
