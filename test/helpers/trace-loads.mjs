// `node --import ./test/helpers/trace-loads.mjs …`: appends every module the process loads to $TRACE_LOADS_FILE:
// ES modules by their resolved URL, CommonJS files by path (the CDK libraries are loaded by require from
// the bundle), and each chunk of the one-file bundle (dist/bundle/pypictl.cjs) by its chunk path, which
// the bundle announces on a diagnostics channel when it evaluates the chunk.
// Used to prove that commands do not load heavy packages they do not need.
import { appendFileSync } from "node:fs";
import { register, createRequire } from "node:module";
import { subscribe } from "node:diagnostics_channel";

const out = process.env.TRACE_LOADS_FILE;
const note = (what) => out && appendFileSync(out, `${what}\n`);

register(
  `data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (process.env.TRACE_LOADS_FILE) appendFileSync(process.env.TRACE_LOADS_FILE, r.url + "\\n");
  return r;
}`)}`,
);

subscribe("pypictl:bundle-chunk", (m) => note(m.file));

const Module = createRequire(import.meta.url)("node:module");
const load = Module._load;
Module._load = function (request, parent, isMain) {
  try {
    if (!request.startsWith("node:")) note(Module._resolveFilename(request, parent, isMain));
  } catch {
    // Not resolvable: the real load below says why.
  }
  return load.apply(this, arguments);
};
