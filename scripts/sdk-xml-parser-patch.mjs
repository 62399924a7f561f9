// The AWS SDK's XML parser (@aws-sdk/xml-builder, dist-es/xml-parser.js) builds every tag name, attribute
// and text node one character at a time (`text += x[i++]`). On the query-protocol answers doctor reads —
// ELBv2 target health, EC2 instances, CloudFormation stacks — that is most of the parse: a 200-instance
// DescribeInstances (~0.9 MB as AWS sends it) parses in ~50 ms, or ~16 ms with slices instead.
//
// scripts/build-bundle.mjs applies this to the bundled copy only. Each replacement must match exactly
// once, or the build fails: an SDK update that rewrites the parser is then noticed, never half-patched.
// test/unit/packaging/xml-parser-patch.test.ts checks the patched parser against the original on
// generated documents (entities, CDATA, comments, attributes, whitespace, malformed input).
export const XML_PARSER_FILE = /[\\/]@aws-sdk[\\/]xml-builder[\\/]dist-es[\\/]xml-parser\.js$/;

const REPLACEMENTS = [
  [
    `        let tag = "";
        while (p.i < p.z && !" \\t\\r\\n>/".includes(p.x[p.i])) {
            tag += p.x[p.i++];
        }`,
    `        const tagStart = p.i;
        while (p.i < p.z && !" \\t\\r\\n>/".includes(p.x[p.i])) {
            ++p.i;
        }
        const tag = p.x.slice(tagStart, p.i);`,
  ],
  [
    `            let name = "";
            while (p.i < p.z && !"= \\t\\r\\n>/?".includes(p.x[p.i])) {
                name += p.x[p.i++];
            }`,
    `            const nameStart = p.i;
            while (p.i < p.z && !"= \\t\\r\\n>/?".includes(p.x[p.i])) {
                ++p.i;
            }
            const name = p.x.slice(nameStart, p.i);`,
  ],
  [
    `        let value = "";
        while (p.i < p.z && p.x[p.i] !== quote) {
            value += p.x[p.i++];
        }`,
    `        let valueEnd = p.x.indexOf(quote, p.i);
        if (valueEnd === -1) {
            valueEnd = p.z;
        }
        const value = p.x.slice(p.i, valueEnd);
        p.i = valueEnd;`,
  ],
  [
    `                let text = "";
                while (p.i < p.z && p.x[p.i] !== "<") {
                    text += p.x[p.i++];
                }`,
    `                let textEnd = p.x.indexOf("<", p.i);
                if (textEnd === -1) {
                    textEnd = p.z;
                }
                const text = p.x.slice(p.i, textEnd);
                p.i = textEnd;`,
  ],
  [
    `    decodeEntities(s) {
        return s.replace(`,
    `    decodeEntities(s) {
        if (!s.includes("&")) {
            return s;
        }
        return s.replace(`,
  ],
];

/** The parser's source with the loops above replaced; throws when one does not match exactly once. */
export function patchXmlParser(source) {
  let out = source;
  for (const [from, to] of REPLACEMENTS) {
    const n = out.split(from).length - 1;
    if (n !== 1) throw new Error(`@aws-sdk/xml-builder xml-parser.js: expected 1 match, found ${n}, for:\n${from}`);
    out = out.replace(from, () => to);
  }
  return out;
}
