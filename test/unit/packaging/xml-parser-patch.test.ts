// The bundle's patched copy of the SDK's XML parser (scripts/sdk-xml-parser-patch.mjs) must parse every
// document exactly as the original does — same objects, same errors — only faster.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain ES module of the build scripts, without types
import { patchXmlParser } from "../../../scripts/sdk-xml-parser-patch.mjs";

type Parse = (xml: string) => unknown;
const require = createRequire(import.meta.url);
const originalFile = join(
  dirname(require.resolve("@aws-sdk/xml-builder/package.json")),
  "dist-es",
  "xml-parser.js",
);
const original = readFileSync(originalFile, "utf8");
const dir = mkdtempSync(join(tmpdir(), "pypictl-xml-"));

async function load(name: string, text: string): Promise<Parse> {
  const file = join(dir, name);
  writeFileSync(file, text);
  return ((await import(pathToFileURL(file).href)) as { parseXML: Parse }).parseXML;
}

/** The parse's result, or the error it throws, as comparable data. */
const outcome = (parse: Parse, xml: string) => {
  try {
    return { ok: parse(xml) };
  } catch (e) {
    return { error: (e as Error).message };
  }
};

// Pieces that exercise every patched loop: names, attributes (both quotes, entities), text with and
// without entities, CDATA, comments, processing instructions, whitespace and newlines.
const name = fc.constantFrom("a", "b", "member", "Item", "x:y", "__proto__", "n-1");
const text = fc.constantFrom(
  "",
  " ",
  "\n  ",
  "plain",
  "a &amp; b",
  "&lt;tag&gt;",
  "&#65;&#x42;",
  "&unknown;",
  "&",
  "x\r\ny",
  "é€",
);
const attr = fc
  .tuple(name, fc.constantFrom('"', "'"), text)
  .map(([n, q, v]) => ` ${n}=${q}${v.replace(q, "")}${q}`);
const element: fc.Memo<string> = fc.memo((depth) =>
  depth <= 1
    ? fc.oneof(
        text,
        fc.tuple(name, fc.array(attr, { maxLength: 2 })).map(([n, a]) => `<${n}${a.join("")}/>`),
      )
    : fc
        .tuple(
          name,
          fc.array(attr, { maxLength: 2 }),
          fc.array(
            fc.oneof(
              element(depth - 1),
              text,
              fc.constant("<![CDATA[<raw> & ]]>"),
              fc.constant("<!-- c -->"),
              fc.constant("<?pi x?>"),
            ),
            { maxLength: 4 },
          ),
        )
        .map(([n, a, kids]) => `<${n}${a.join("")}>${kids.join("")}</${n}>`),
);
const document = fc
  .tuple(fc.constantFrom("", '<?xml version="1.0"?>\n', "<!-- head -->"), element(4))
  .map(([h, e]) => h + e);
// Damage: cut anywhere, or a character dropped or doubled.
const damaged = fc.tuple(document, fc.nat(), fc.constantFrom("cut", "drop", "double")).map(([d, at, how]) => {
  const i = d.length ? at % d.length : 0;
  return how === "cut"
    ? d.slice(0, i)
    : how === "drop"
      ? d.slice(0, i) + d.slice(i + 1)
      : d.slice(0, i) + d[i] + d.slice(i);
});

describe("the bundle's faster SDK XML parser", () => {
  it("applies to the installed SDK (each replacement matches once)", () => {
    expect(() => patchXmlParser(original)).not.toThrow();
    expect(patchXmlParser(original)).not.toBe(original);
  });

  it("parses every generated document, whole or damaged, exactly as the original", async () => {
    const before = await load("original.mjs", original);
    const after = await load("patched.mjs", patchXmlParser(original));
    fc.assert(
      fc.property(fc.oneof(document, damaged), (xml) => {
        expect(outcome(after, xml)).toEqual(outcome(before, xml));
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 3000) },
    );
  });

  it("takes its fast path on answers shaped as AWS sends them (no fallback needed)", async () => {
    const patched = patchXmlParser(original) as string;
    // The same module with the fallback to the SDK's parser replaced by a throw: only the fast path left.
    const fallback = "    const state = new AwsXmlParser(xml);\n    return state.parse();\n}";
    expect(patched.split(fallback)).toHaveLength(2);
    const fastOnly = await load(
      "fast-only.mjs",
      patched.replace(fallback, '    throw new Error("fell back");\n}'),
    );
    const before = await load("original-2.mjs", original);
    const member = (i: number) =>
      `<member><InstanceId>i-0${i}</InstanceId><InstanceType>t3.small</InstanceType><AvailabilityZone>eu-west-1a</AvailabilityZone>` +
      `<LifecycleState>InService</LifecycleState><HealthStatus>Healthy</HealthStatus><LaunchTemplate><LaunchTemplateId>lt-1</LaunchTemplateId>` +
      `<Version>3</Version></LaunchTemplate><ProtectedFromScaleIn>false</ProtectedFromScaleIn><Empty/><Note>a &amp; b &lt;c&gt;</Note></member>`;
    const answers = [
      `<?xml version="1.0" encoding="UTF-8"?>\n<DescribeAutoScalingGroupsResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/"><DescribeAutoScalingGroupsResult><AutoScalingGroups><member><Instances>${[1, 2, 3].map(member).join("")}</Instances></member></AutoScalingGroups></DescribeAutoScalingGroupsResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></DescribeAutoScalingGroupsResponse>`,
      `<DescribeTargetHealthResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/">\r\n  <DescribeTargetHealthResult>\n    <TargetHealthDescriptions>\n      <member><Target><Id>i-1</Id><Port>80</Port></Target></member>\n    </TargetHealthDescriptions>\n  </DescribeTargetHealthResult>\n</DescribeTargetHealthResponse>\n`,
      `<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>r1</RequestID></Response>`,
    ];
    for (const xml of answers) expect(fastOnly(xml)).toEqual(before(xml));
  });

  it("refuses a parser it does not know (an SDK update), naming the file", () => {
    expect(() => patchXmlParser(original.replace("tag += p.x[p.i++];", "tag = tag + p.x[p.i++];"))).toThrow(
      /xml-parser\.js: expected 1 match, found 0/,
    );
  });
});
