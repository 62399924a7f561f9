/**
 * A strict JSON reader for files people write by hand and files that hold credentials (config files,
 * `terraform output -json`). Unlike JSON.parse it
 * - refuses duplicate keys (JSON.parse keeps the last one silently, so `"since": "1h", "since": "20d"` hid
 *   the second value from whoever read the top of the file);
 * - refuses `__proto__`, `constructor` and `prototype` keys, which no pypictl file uses and which reach
 *   object prototypes in code that copies keys around;
 * - reports errors by line and column without quoting the file: V8's messages quote the text around the
 *   error (`Unexpected token 'h', "{"password": hunter2…" is not valid JSON`), and these files hold passwords.
 */

export class JsonSyntaxError extends Error {
  override readonly name = "JsonSyntaxError";
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
    /** Dotted path of the object holding a duplicate or forbidden key, when that is the fault. */
    readonly path?: string,
  ) {
    super(`${reason} at line ${line}, column ${column}`);
  }
}

const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

export function parseStrictJson(text: string): unknown {
  let i = 0;
  const fail = (reason: string, at = i, path?: string): never => {
    let line = 1;
    let col = 1;
    for (let k = 0; k < at && k < text.length; k++) {
      if (text.charCodeAt(k) === 10) {
        line++;
        col = 1;
      } else col++;
    }
    throw new JsonSyntaxError(reason, line, col, path);
  };
  const ws = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  const literal = (word: string, v: unknown) => {
    if (text.startsWith(word, i)) {
      i += word.length;
      return v;
    }
    return fail("unexpected character");
  };
  const str = (): string => {
    const start = i;
    i++; // opening quote
    let out = "";
    let run = i;
    while (true) {
      if (i >= text.length) return fail("unterminated string", start);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(run, i);
        i++;
        return out;
      }
      if (c < 0x20) return fail("control character in a string (escape it)");
      if (c === 0x5c) {
        out += text.slice(run, i);
        const e = text[i + 1];
        const simple: Record<string, string> = {
          '"': '"',
          "\\": "\\",
          "/": "/",
          b: "\b",
          f: "\f",
          n: "\n",
          r: "\r",
          t: "\t",
        };
        if (e !== undefined && e in simple) {
          out += simple[e];
          i += 2;
        } else if (e === "u" && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
        } else return fail("invalid escape in a string");
        run = i;
        continue;
      }
      i++;
    }
  };
  const num = (): number => {
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) return fail("unexpected character");
    i += m[0].length;
    return Number(m[0]);
  };
  const value = (path: string, depth: number): unknown => {
    if (depth > 64) return fail("nested too deeply");
    ws();
    const c = text[i];
    if (c === "{") return obj(path, depth);
    if (c === "[") return arr(path, depth);
    if (c === '"') return str();
    if (c === "t") return literal("true", true);
    if (c === "f") return literal("false", false);
    if (c === "n") return literal("null", null);
    if (c === "-" || (c !== undefined && c >= "0" && c <= "9")) return num();
    return fail(c === undefined ? "unexpected end of file" : "unexpected character");
  };
  const obj = (path: string, depth: number): Record<string, unknown> => {
    i++;
    const out: Record<string, unknown> = {};
    ws();
    if (text[i] === "}") {
      i++;
      return out;
    }
    while (true) {
      ws();
      if (text[i] !== '"') return fail("expected a double-quoted property name");
      const keyAt = i;
      const key = str();
      const where = path || "the top level";
      if (FORBIDDEN_KEYS.has(key)) fail(`key "${key}" is not allowed (in ${where})`, keyAt, path);
      if (Object.prototype.hasOwnProperty.call(out, key))
        fail(`duplicate key "${key}" (in ${where})`, keyAt, path);
      ws();
      if (text[i] !== ":") return fail("expected ':' after a property name");
      i++;
      out[key] = value(path ? `${path}.${key}` : key, depth + 1);
      ws();
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "}") {
        i++;
        return out;
      }
      return fail(
        text[i] === undefined ? "unexpected end of file" : "expected ',' or '}' after a property value",
      );
    }
  };
  const arr = (path: string, depth: number): unknown[] => {
    i++;
    const out: unknown[] = [];
    ws();
    if (text[i] === "]") {
      i++;
      return out;
    }
    while (true) {
      out.push(value(`${path}[${out.length}]`, depth + 1));
      ws();
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "]") {
        i++;
        return out;
      }
      return fail(
        text[i] === undefined ? "unexpected end of file" : "expected ',' or ']' after an array element",
      );
    }
  };
  // A UTF-8 byte order mark is what some Windows editors write first; JSON.parse refuses it too.
  const v = value("", 0);
  ws();
  if (i < text.length) fail("unexpected text after the JSON value");
  return v;
}
