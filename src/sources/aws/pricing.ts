/**
 * On-demand hourly prices of EC2 instance types from the AWS Price List Query API (pricing:GetProducts).
 * The API answers only from its own endpoints (us-east-1, eu-central-1, ap-south-1: Price List API docs,
 * "Using the AWS Price List Query API"), whatever the fleet's region; the fleet's region is a filter.
 * GetProducts returns `PriceList` as an array of JSON *strings*, one product each, with its terms:
 * terms.OnDemand.<sku.offerTermCode>.priceDimensions.<rateCode>.pricePerUnit.USD, unit "Hrs".
 */
import { classifyError } from "../classify.js";
import type { AwsClientPool } from "./pool.js";

/** The Price List endpoint region pypictl calls. */
export const PRICING_REGION = "us-east-1";
export const PRICING_SOURCE_ID = "size.pricing";

/** Filters for a Linux, shared-tenancy, on-demand, no-license instance as an ECS-optimized AMI runs it. */
export function productFilters(instanceType: string, regionCode: string) {
  const f = (Field: string, Value: string) => ({ Type: "TERM_MATCH" as const, Field, Value });
  return [
    f("instanceType", instanceType),
    f("regionCode", regionCode),
    f("operatingSystem", "Linux"),
    f("tenancy", "Shared"),
    f("preInstalledSw", "NA"),
    f("licenseModel", "No License required"),
    f("capacitystatus", "Used"),
  ];
}

interface PriceDoc {
  product?: { attributes?: Record<string, string> };
  terms?: {
    OnDemand?: Record<
      string,
      { priceDimensions?: Record<string, { unit?: string; pricePerUnit?: Record<string, string> }> }
    >;
  };
}

/**
 * The hourly USD price in a GetProducts PriceList (array of JSON strings): the one on-demand "Hrs"
 * dimension of the matching product. Several different prices (filters too loose) → undefined.
 */
export function hourlyPriceOf(priceList: readonly unknown[], instanceType: string): number | undefined {
  const prices = new Set<number>();
  for (const item of priceList) {
    let doc: PriceDoc;
    try {
      doc = JSON.parse(typeof item === "string" ? item : String(item)) as PriceDoc;
    } catch {
      continue;
    }
    if (doc.product?.attributes?.instanceType !== instanceType) continue;
    for (const term of Object.values(doc.terms?.OnDemand ?? {}))
      for (const dim of Object.values(term.priceDimensions ?? {})) {
        const usd = Number(dim.pricePerUnit?.USD);
        if (dim.unit === "Hrs" && Number.isFinite(usd) && usd > 0) prices.add(usd);
      }
  }
  return prices.size === 1 ? [...prices][0] : undefined;
}

export interface PriceLookup {
  hourly: Record<string, number>;
  /** Why a type has no price, by type. */
  errors: Record<string, string>;
}

/** One GetProducts per instance type (two for `size`: current and recommended). Never throws. */
export async function onDemandHourly(
  pool: AwsClientPool,
  who: { profile?: string | undefined },
  regionCode: string,
  instanceTypes: readonly string[],
  deadlineAt?: number,
): Promise<PriceLookup> {
  const out: PriceLookup = { hourly: {}, errors: {} };
  const clients = pool.for(
    { region: PRICING_REGION, profile: who.profile },
    deadlineAt !== undefined ? { deadlineAt } : {},
  );
  const { GetProductsCommand } = await import("@aws-sdk/client-pricing");
  const pricing = await clients.pricing();
  await Promise.all(
    [...new Set(instanceTypes)].map(async (type) => {
      try {
        const r = await pricing.send(
          new GetProductsCommand({
            ServiceCode: "AmazonEC2",
            FormatVersion: "aws_v1",
            Filters: productFilters(type, regionCode),
            MaxResults: 10,
          }),
        );
        const price = hourlyPriceOf(r.PriceList ?? [], type);
        if (price === undefined)
          out.errors[type] = `no single on-demand Linux price for ${type} in ${regionCode}`;
        else out.hourly[type] = price;
      } catch (e) {
        const f = classifyError(e, "pricing:GetProducts");
        out.errors[type] = f.ok ? String(e) : `${f.kind}: ${f.message}`;
      }
    }),
  );
  return out;
}
