// `node --import ./test/helpers/trace-loads.mjs …`: appends every resolved module URL to $TRACE_LOADS_FILE.
// Used to prove that commands do not load heavy packages they do not need.
import { register } from "node:module";

register(
  `data:text/javascript,${encodeURIComponent(`
import { appendFileSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (process.env.TRACE_LOADS_FILE) appendFileSync(process.env.TRACE_LOADS_FILE, r.url + "\\n");
  return r;
}`)}`,
);
