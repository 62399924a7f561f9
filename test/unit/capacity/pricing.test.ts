/**
 * The Price List lookup against a strict aws-sdk-client-mock stub, answering the way GetProducts does:
 * `PriceList` is an array of JSON strings, one product each (pricing-2017-10-15 service model; the AWS
 * Price List docs' example product), called on the us-east-1 endpoint with the fleet's region as a filter.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mockClient } from "aws-sdk-client-mock";
import { GetProductsCommand, PricingClient, type GetProductsCommandInput } from "@aws-sdk/client-pricing";
import { AwsClientPool } from "../../../src/sources/aws/pool.js";
import { hourlyPriceOf, onDemandHourly, PRICING_REGION } from "../../../src/sources/aws/pricing.js";

/** One product as the Price List API returns it (trimmed attributes, real structure and codes). */
function product(instanceType: string, usd: string, region = "eu-west-1"): string {
  const sku = `SKU${instanceType.replace(/\W/g, "")}`;
  return JSON.stringify({
    product: {
      productFamily: "Compute Instance",
      attributes: {
        instanceType,
        regionCode: region,
        operatingSystem: "Linux",
        tenancy: "Shared",
        preInstalledSw: "NA",
        licenseModel: "No License required",
        capacitystatus: "Used",
        vcpu: "2",
        memory: "4 GiB",
        servicecode: "AmazonEC2",
      },
      sku,
    },
    serviceCode: "AmazonEC2",
    terms: {
      OnDemand: {
        [`${sku}.JRTCKXETXF`]: {
          priceDimensions: {
            [`${sku}.JRTCKXETXF.6YS6EN2CT7`]: {
              unit: "Hrs",
              endRange: "Inf",
              description: `$${usd} per On Demand Linux ${instanceType} Instance Hour`,
              appliesTo: [],
              rateCode: `${sku}.JRTCKXETXF.6YS6EN2CT7`,
              beginRange: "0",
              pricePerUnit: { USD: usd },
            },
          },
          sku,
          effectiveDate: "2026-11-01T00:00:00Z",
          offerTermCode: "JRTCKXETXF",
          termAttributes: {},
        },
      },
      Reserved: {},
    },
    version: "20261101000000",
    publicationDate: "2026-11-01T00:00:00Z",
  });
}

const field = (input: GetProductsCommandInput, name: string) =>
  input.Filters?.find((f) => f.Field === name)?.Value;

const pricing = mockClient(PricingClient);
beforeEach(() => {
  pricing.reset();
  pricing.onAnyCommand().rejects(new Error("unexpected command in strict mock"));
});
afterEach(() => pricing.reset());

describe("Price List", () => {
  it("reads the on-demand hourly price from the JSON strings of PriceList, on the us-east-1 endpoint", async () => {
    const regions: string[] = [];
    pricing.on(GetProductsCommand).callsFake(async (input: GetProductsCommandInput, getClient) => {
      regions.push(await getClient().config.region());
      const type = field(input, "instanceType")!;
      expect(input.ServiceCode).toBe("AmazonEC2");
      expect(field(input, "regionCode")).toBe("eu-west-1");
      expect(field(input, "operatingSystem")).toBe("Linux");
      return {
        FormatVersion: "aws_v1",
        PriceList: [product(type, type === "c6a.large" ? "0.0864000000" : "0.1728000000")],
      };
    });
    const r = await onDemandHourly(new AwsClientPool(), {}, "eu-west-1", ["c6a.large", "c6a.xlarge"]);
    expect(r).toEqual({ hourly: { "c6a.large": 0.0864, "c6a.xlarge": 0.1728 }, errors: {} });
    expect(regions).toEqual([PRICING_REGION, PRICING_REGION]);
    expect(pricing.commandCalls(GetProductsCommand)).toHaveLength(2);
  });

  it("an empty PriceList or a denied call is no price, with the reason; it never throws", async () => {
    pricing.on(GetProductsCommand).callsFake(async (input: GetProductsCommandInput) => {
      if (field(input, "instanceType") === "t3.small")
        throw Object.assign(new Error("User is not authorized to perform: pricing:GetProducts"), {
          name: "AccessDeniedException",
          $metadata: { httpStatusCode: 400 },
        });
      return { FormatVersion: "aws_v1", PriceList: [] };
    });
    const r = await onDemandHourly(new AwsClientPool(), {}, "eu-west-1", ["t3.small", "m7g.large"]);
    expect(r.hourly).toEqual({});
    expect(r.errors["t3.small"]).toMatch(/^access-denied/);
    expect(r.errors["m7g.large"]).toBe("no single on-demand Linux price for m7g.large in eu-west-1");
  });

  it("hourlyPriceOf: ignores other products and refuses two different prices", () => {
    expect(hourlyPriceOf([product("c6a.large", "0.0765000000")], "c6a.large")).toBe(0.0765);
    expect(hourlyPriceOf([product("c6a.xlarge", "0.1530000000")], "c6a.large")).toBeUndefined();
    expect(
      hourlyPriceOf([product("c6a.large", "0.0765"), product("c6a.large", "0.0864")], "c6a.large"),
    ).toBeUndefined();
    expect(hourlyPriceOf(["not json", product("c6a.large", "0.0765")], "c6a.large")).toBe(0.0765);
  });
});
