#!/usr/bin/env node
// `npm run build`, second step: bundle the compiled CLI (dist/cli/entry.js) and the AWS SDK clients it
// uses into dist/bundle/, so a run reads a few files instead of hundreds and the SDK's unused operations
// and schemas are tree-shaken away (the EC2 client alone is 2 MB of schemas; doctor uses one operation).
//
// - Code splitting keeps every lazy `import()` lazy: `--version` loads only the entry chunk, `--help` only
//   the command table, and a run only the sources, SDK clients and renderers it selected.
// - Only packages known to be safe are bundled (BUNDLED below: the SDK, commander, chalk, smol-toml, and
//   whatever those import). Everything else stays an ordinary import from node_modules — above all the CDK
//   libraries, which read their own files from disk and break when bundled (FACTS §7).
// - Code that finds files relative to itself (`import.meta.url`, `.dirname`, `.filename`) is rewritten to
//   resolve from where tsc put it in dist/, so `new URL("../package.json", import.meta.url)` still means
//   the package root. A bundled *dependency* doing so fails the build (mark it external instead).
// - The split ES modules are then folded into ONE CommonJS file, dist/bundle/pypictl.cjs: each chunk a
//   function in a table, evaluated on first require (so lazy stays lazy). One file is one read and one
//   V8 compile, and a CommonJS script can use V8's code cache on Node 20, which ES modules cannot
//   (module.enableCompileCache is Node ≥ 22.1): src/cli/bundle-loader.ts loads it with the cache.
// bin/pypictl runs dist/bundle/pypictl.cjs when present and dist/cli/entry.js otherwise.
import { build, transform } from "esbuild";
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const bundleDir = join(dist, "bundle");
// The ES module chunks are an intermediate step; a sibling of dist/bundle, so that paths relative to a
// chunk (the import.meta rewrite below) are the same from either folder.
const outdir = join(dist, ".bundle-esm");

/** Bare specifiers our code may pull into the bundle (package name or scope prefix). */
const BUNDLED = ["@aws-sdk/", "@smithy/", "@aws-crypto/", "@aws/", "commander", "chalk", "smol-toml"];
const packageOf = (spec) =>
  spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : spec.split("/")[0];
const allowed = (spec) => BUNDLED.some((p) => (p.endsWith("/") ? spec.startsWith(p) : packageOf(spec) === p));
const inNodeModules = (file) => file.split(sep).includes("node_modules");

const selective = {
  name: "bundle-only-safe-packages",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith("node:") || args.kind === "entry-point") return undefined;
      // A bundled package's own dependencies come with it; our code's imports only when allow-listed.
      if (inNodeModules(args.importer) || allowed(args.path)) return undefined;
      return { path: args.path, external: true };
    });
  },
};

// `(await import("@aws-sdk/client-ec2")).EC2Client` keeps the whole package: a dynamic import's namespace
// cannot be tree-shaken. Such imports of SDK clients from our code are routed through a small module that
// re-exports just the names the importer reads, which esbuild can shake (the SDK is sideEffects: false).
const DYNAMIC_SDK = /^@aws-sdk\/client-[a-z0-9-]+$/;
function namesRead(source, spec) {
  const q = spec.replace(/[-/\\^$*+?.()|[\]{}]/g, "\\$&");
  const all = source.match(new RegExp(`import\\(\\s*"${q}"\\s*\\)`, "g")) ?? [];
  const member = [...source.matchAll(new RegExp(`\\(await import\\("${q}"\\)\\)\\.(\\w+)`, "g"))];
  const destructured = [
    ...source.matchAll(new RegExp(`const \\{([^}]*)\\} = await import\\("${q}"\\)`, "g")),
  ];
  // Any other use (a namespace kept in a variable) needs the whole module.
  if (member.length + destructured.length !== all.length) return undefined;
  const names = new Set(member.map((m) => m[1]));
  for (const m of destructured)
    for (const part of m[1].split(",")) if (part.trim()) names.add(part.split(":")[0].trim());
  return [...names];
}
const slimSdk = {
  name: "slim-dynamic-sdk-imports",
  setup(b) {
    b.onResolve({ filter: DYNAMIC_SDK }, (args) => {
      if (args.kind !== "dynamic-import" || inNodeModules(args.importer)) return undefined;
      const names = namesRead(readFileSync(args.importer, "utf8"), args.path);
      if (!names) return undefined;
      return {
        path: `${args.path}?${names.sort().join(",")}`,
        namespace: "sdk-slim",
        pluginData: { spec: args.path, names, resolveDir: dirname(args.importer) },
      };
    });
    b.onLoad({ filter: /.*/, namespace: "sdk-slim" }, (args) => ({
      contents: `export { ${args.pluginData.names.join(", ")} } from ${JSON.stringify(args.pluginData.spec)};`,
      loader: "js",
      resolveDir: args.pluginData.resolveDir,
    }));
  },
};

// The SDK's schema tables write keys as `{ [_xN]: _TSa }` with `const _xN = "xmlName"`: esbuild cannot tell
// such a computed key is side-effect free, so it keeps every schema of the service (1 MB for EC2). Spelling
// the constant out (`{ "xmlName": _TSa }`) lets unused schemas fall away; the objects are the same.
const inlineSchemaKeys = {
  name: "inline-sdk-schema-keys",
  setup(b) {
    b.onLoad(
      { filter: /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/][^\\/]+\.js$/ },
      (args) => {
        const text = readFileSync(args.path, "utf8");
        const strings = new Map(
          [...text.matchAll(/^const (_\w+) = ("[^"\\\n]*");$/gm)].map((m) => [m[1], m[2]]),
        );
        return {
          contents: text.replace(/\[(_\w+)\]:/g, (all, name) =>
            strings.has(name) ? `${strings.get(name)}:` : all,
          ),
          loader: "js",
        };
      },
    );
  },
};

const IMPORT_META = /\bimport\.meta\.(url|dirname|filename)\b/g;
const relocate = {
  name: "keep-import-meta-paths",
  setup(b) {
    b.onLoad({ filter: /\.m?js$/ }, (args) => {
      const text = readFileSync(args.path, "utf8");
      if (!text.includes("import.meta.")) return undefined;
      if (inNodeModules(args.path)) {
        // The SDK reads nothing relative to itself today; if an allow-listed package starts to, its files
        // would not be where the bundle looks. Keep such a package external.
        if (/\bimport\.meta\.url\b/.test(text) && /new URL\(|readFile|fileURLToPath/.test(text))
          throw new Error(
            `${relative(root, args.path)} locates files relative to itself: remove its package from BUNDLED in scripts/build-bundle.mjs`,
          );
        return undefined;
      }
      const rel = relative(outdir, args.path).split(sep).join("/");
      const url = `new URL(${JSON.stringify(rel)}, import.meta.url).href`;
      const contents =
        `import { fileURLToPath as __pypictlPath } from "node:url";\n` +
        text.replace(IMPORT_META, (_, what) =>
          what === "url"
            ? url
            : what === "filename"
              ? `__pypictlPath(${url})`
              : `__pypictlPath(new URL(".", ${url})).replace(/[\\\\/]$/, "")`,
        );
      return { contents, loader: "js", resolveDir: dirname(args.path) };
    });
  },
};

rmSync(outdir, { recursive: true, force: true });
rmSync(bundleDir, { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: { pypictl: join(dist, "cli", "entry.js") },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // The SDK ships ES modules (dist-es) next to CommonJS; the ES build tree-shakes.
  mainFields: ["module", "main"],
  conditions: ["module", "import", "node"],
  // Every output in one folder: the import.meta rewrite above assumes outdir depth for all chunks.
  chunkNames: "[name]-[hash]",
  plugins: [slimSdk, selective, inlineSchemaKeys, relocate],
  legalComments: "none",
  // Whitespace and syntax only: identifiers keep their names (class names are read at run time, e.g.
  // a command's constructor.name in the call log).
  minifySyntax: true,
  minifyWhitespace: true,
  metafile: true,
  logLevel: "warning",
});

/**
 * One chunk as the body of a CommonJS module function. `import()` becomes a require in a promise (a
 * script compiled by node:vm has no dynamic-import host); `import.meta.url` is the chunk's own URL,
 * passed in. Bundled CommonJS (commander) calling require() for Node built-ins gets the table's `require`.
 */
async function chunkFunction(name, text) {
  const r = await transform(text, {
    format: "cjs",
    platform: "node",
    target: "node20",
    supported: { "dynamic-import": false },
    define: { "import.meta.url": "__chunkUrl" },
    minifySyntax: true,
    minifyWhitespace: true,
    logLevel: "silent",
  });
  if (r.warnings.length) throw new Error(`${name}: ${r.warnings.map((w) => w.text).join("; ")}`);
  if (
    /\bimport\.meta\b|\bimport\(/.test(
      r.code.replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g, '""'),
    )
  )
    throw new Error(`${name}: import.meta or import() is left after the CommonJS transform`);
  return `${JSON.stringify(name)}: function (exports, require, module, __chunkUrl) {\n${r.code}}`;
}

const chunks = readdirSync(outdir)
  .filter((f) => f.endsWith(".js"))
  .sort();
const table = await Promise.all(
  chunks.map(async (f) => chunkFunction(f, readFileSync(join(outdir, f), "utf8"))),
);
// The table's require: a chunk by "./name", anything else (node: built-ins, the CDK libraries) from
// node_modules as usual. Each chunk is evaluated once, on its first require, and announced on a
// diagnostics channel (free with no subscriber) so tests can see which chunks a command loads.
const registry = `"use strict";
const __chunks = {
${table.join(",\n")}
};
const __base = require("node:url").pathToFileURL(__dirname + "/").href;
const __loaded = Object.create(null);
const __loads = require("node:diagnostics_channel").channel("pypictl:bundle-chunk");
function __require(spec) {
  if (!spec.startsWith("./")) return require(spec);
  const name = spec.slice(2);
  const done = __loaded[name];
  if (done) return done.exports;
  const chunk = __chunks[name];
  if (!chunk) throw new Error("pypictl bundle: no chunk " + name);
  const m = { exports: {} };
  __loaded[name] = m;
  if (__loads.hasSubscribers) __loads.publish({ chunk: name, file: __dirname + "/" + name });
  chunk.call(m.exports, m.exports, __require, m, __base + name);
  return m.exports;
}
module.exports = __require("./pypictl.js");
`;
// esbuild leaves some non-ASCII (comments, template literals); escaped, the file is pure ASCII: it reads as
// latin1 into a one-byte string (UTF-8 with a few two-byte characters costs ~20 ms to decode, 2× memory).
// An escape would change a String.raw template's value: none may hold non-ASCII.
for (const m of registry.matchAll(/String\.raw`((?:[^`\\]|\\.)*)`/g))
  if (/[^\x00-\x7f]/.test(m[1]))
    throw new Error(`a String.raw template holds non-ASCII text: ${m[1].slice(0, 80)}`);
const ascii = registry.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
mkdirSync(bundleDir, { recursive: true });
writeFileSync(join(bundleDir, "pypictl.cjs.tmp"), ascii);
renameSync(join(bundleDir, "pypictl.cjs.tmp"), join(bundleDir, "pypictl.cjs"));
// bin/pypictl is CommonJS (starting Node's ES module loader costs ~15 ms a run): its two small companions,
// the bundle's loader and the `--version` answer, are CommonJS builds of their compiled modules.
await build({
  absWorkingDir: root,
  entryPoints: {
    loader: join(dist, "cli", "bundle-loader.js"),
    version: join(dist, "cli", "version-entry.js"),
  },
  outdir: bundleDir,
  outExtension: { ".js": ".cjs" },
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node20",
  plugins: [relocate],
  // The relocated `new URL(…, import.meta.url)` (version.js finding package.json) from the file's own path.
  banner: { js: 'const __pypictlSelfUrl = require("node:url").pathToFileURL(__filename).href;' },
  define: { "import.meta.url": "__pypictlSelfUrl" },
  legalComments: "none",
  logLevel: "warning",
});
// Which source modules each chunk holds: lets tests map a loaded chunk back to its packages.
const inputs = Object.fromEntries(
  Object.entries(result.metafile.outputs).map(([file, o]) => [relative(outdir, file), Object.keys(o.inputs)]),
);
writeFileSync(join(bundleDir, "inputs.json"), JSON.stringify(inputs));
rmSync(outdir, { recursive: true, force: true });
console.log(
  `bundle: ${chunks.length} chunks, ${(ascii.length / 1048576).toFixed(1)} MiB in ${relative(root, join(bundleDir, "pypictl.cjs"))}`,
);
