import { describe, expect, it } from "vitest";
import { Readable } from "node:stream";
import { DescribeServicesCommand } from "@aws-sdk/client-ecs";
import { AwsClients } from "../../../src/sources/aws/clients.js";
import { classifyError } from "../../../src/sources/classify.js";

/** An HTTP handler below the SDK's retry middleware: throttles `throttles` times, then answers. */
function handler(throttles: number) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    metadata: { handlerProtocol: "http/1.1" },
    async handle() {
      calls++;
      const throttled = calls <= throttles;
      const body = throttled
        ? { __type: "ThrottlingException", message: "Rate exceeded" }
        : { services: [{ serviceName: "pypiserver", desiredCount: 2, runningCount: 2 }], failures: [] };
      return {
        response: {
          statusCode: throttled ? 400 : 200,
          reason: throttled ? "Bad Request" : "OK",
          headers: {
            "content-type": "application/x-amz-json-1.1",
            ...(throttled ? { "x-amzn-errortype": "ThrottlingException" } : {}),
          },
          body: Readable.from([Buffer.from(JSON.stringify(body))]),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs() {
      return {};
    },
  };
}

const creds = { accessKeyId: "AKIDTEST", secretAccessKey: "secret" };

describe("AwsClients retries (the real SDK middleware, no mock client)", () => {
  it("retries throttling and succeeds", async () => {
    const h = handler(2);
    const ecs = await new AwsClients({ region: "eu-west-1", maxAttempts: 4, requestHandler: h }).ecs();
    Object.assign(ecs.config, { credentials: async () => creds });
    const r = await ecs.send(new DescribeServicesCommand({ cluster: "c", services: ["s"] }));
    expect(r.services?.[0]?.serviceName).toBe("pypiserver");
    expect(h.calls).toBe(3);
  });

  it("gives up after maxAttempts and the failure classifies as throttled", async () => {
    const h = handler(100);
    const ecs = await new AwsClients({ region: "eu-west-1", maxAttempts: 2, requestHandler: h }).ecs();
    Object.assign(ecs.config, { credentials: async () => creds });
    const err = await ecs
      .send(new DescribeServicesCommand({ cluster: "c", services: ["s"] }))
      .catch((e: unknown) => e);
    expect(h.calls).toBe(2);
    expect(classifyError(err)).toMatchObject({ ok: false, kind: "throttled" });
  });
});
