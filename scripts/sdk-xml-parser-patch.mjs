// The AWS SDK's XML parser (@aws-sdk/xml-builder, dist-es/xml-parser.js) builds every tag name, attribute
// and text node one character at a time (`text += x[i++]`). On the query-protocol answers doctor reads —
// ELBv2 target health, the auto-scaling group's members, CloudFormation stacks — that is most of the
// parse: a 200-instance DescribeInstances (~0.9 MB as AWS sends it) parses in ~50 ms, or ~16 ms with
// slices instead.
//
// A doctor run parses each answer once, in code V8 has not optimised yet, where a loop over characters
// is slowest. So well-formed answers — elements, attributes, text; what AWS sends — go through a fast
// path whose scanning is done by regular expressions (native code from the first call); it builds the
// same objects the same way. Anything else it meets (comments, CDATA, <? ?> or <! > inside, a malformed
// or truncated document) makes it give up, and the SDK's own parser, patched as above, parses the whole
// document from the start: errors and odd documents are the SDK's, unchanged.
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

const FAST_PATH = `
const FAST_OPEN = /<([^ \\t\\r\\n>\\/!?][^ \\t\\r\\n>\\/]*)((?:[ \\t\\r\\n]+[^= \\t\\r\\n>\\/?]+[ \\t\\r\\n]*=[ \\t\\r\\n]*(?:"[^"]*"|'[^']*'))*)[ \\t\\r\\n]*(\\/?)>/y;
const FAST_ATTR = /[ \\t\\r\\n]+([^= \\t\\r\\n>\\/?]+)[ \\t\\r\\n]*=[ \\t\\r\\n]*(?:"([^"]*)"|'([^']*)')/g;
const FAST_CLOSE = /<\\/([^>]*)>/y;
const FAST_PROLOG = /[ \\t\\r\\n]*(?:<\\?[^]*?\\?>[ \\t\\r\\n]*)?/y;
function fastDecode(s) {
    return s.includes("&") ? AwsXmlParser.prototype.decodeEntities(s) : s;
}
function fastParseXML(xml) {
    const x = xml.replace(/\\r\\n?/g, "\\n");
    FAST_PROLOG.lastIndex = 0;
    FAST_PROLOG.exec(x);
    const st = { x, i: FAST_PROLOG.lastIndex };
    if (x.charCodeAt(st.i) !== 60) {
        return undefined;
    }
    const root = fastElement(st);
    return root === undefined ? undefined : { [root.tag]: root.value };
}
function fastElement(st) {
    const x = st.x;
    FAST_OPEN.lastIndex = st.i;
    const m = FAST_OPEN.exec(x);
    if (m === null) {
        return undefined;
    }
    st.i = FAST_OPEN.lastIndex;
    const tag = m[1];
    let hasAttrs = false;
    const attrs = {};
    if (m[2]) {
        for (const a of m[2].matchAll(FAST_ATTR)) {
            if (a[1] === "__proto__") {
                return undefined;
            }
            attrs[a[1]] = fastDecode(a[2] ?? a[3]);
            hasAttrs = true;
        }
    }
    if (m[3]) {
        return { tag, value: hasAttrs ? attrs : "" };
    }
    const textParts = [];
    const childTags = [];
    let hasElementChild = false;
    for (;;) {
        if (st.i >= x.length) {
            return undefined;
        }
        if (x.charCodeAt(st.i) === 60) {
            const next = x.charCodeAt(st.i + 1);
            if (next === 47) {
                break;
            }
            if (next === 33 || next === 63) {
                return undefined;
            }
            const child = fastElement(st);
            if (child === undefined) {
                return undefined;
            }
            hasElementChild = true;
            childTags.push(child);
        }
        else {
            const end = x.indexOf("<", st.i);
            if (end === -1) {
                return undefined;
            }
            textParts.push(fastDecode(x.slice(st.i, end)));
            st.i = end;
        }
    }
    FAST_CLOSE.lastIndex = st.i;
    const c = FAST_CLOSE.exec(x);
    if (c === null || c[1].trim() !== tag) {
        return undefined;
    }
    st.i = FAST_CLOSE.lastIndex;
    if (!hasAttrs && textParts.length === 0 && !hasElementChild) {
        return { tag, value: "" };
    }
    if (!hasAttrs && !hasElementChild) {
        const text = textParts.length === 1 ? textParts[0] : textParts.join("");
        if (text.trim() === "" && text.includes("\\n")) {
            return { tag, value: "" };
        }
        return { tag, value: text };
    }
    const obj = {};
    for (const text of textParts) {
        if (text.trim() === "" && text.includes("\\n")) {
            continue;
        }
        obj["#text"] = "#text" in obj ? obj["#text"] + text : text;
    }
    for (const child of childTags) {
        if (child.tag === "__proto__") {
            writeKey(obj);
        }
        if (child.tag in obj) {
            if (Array.isArray(obj[child.tag])) {
                obj[child.tag].push(child.value);
            }
            else {
                obj[child.tag] = [obj[child.tag], child.value];
            }
        }
        else {
            obj[child.tag] = child.value;
        }
    }
    for (const [k, v] of Object.entries(attrs)) {
        obj[k] = v;
    }
    return { tag, value: obj };
}
`;

REPLACEMENTS.push([
  `export function parseXML(xml) {
    const state = new AwsXmlParser(xml);
    return state.parse();
}`,
  `export function parseXML(xml) {
    const fast = fastParseXML(xml);
    if (fast !== undefined) {
        return fast;
    }
    const state = new AwsXmlParser(xml);
    return state.parse();
}
${FAST_PATH}`,
]);

/** The parser's source with the loops above replaced; throws when one does not match exactly once. */
export function patchXmlParser(source) {
  let out = source;
  for (const [from, to] of REPLACEMENTS) {
    const n = out.split(from).length - 1;
    if (n !== 1)
      throw new Error(`@aws-sdk/xml-builder xml-parser.js: expected 1 match, found ${n}, for:\n${from}`);
    out = out.replace(from, () => to);
  }
  return out;
}
