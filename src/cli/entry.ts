/**
 * The process entry (bin/pypictl calls this). `--version` is answered from package.json alone, loading
 * no dependency, because it is what scripts and version probes call in loops; everything else loads the
 * full program. On Node ≥ 22.1 the module compile cache makes later starts faster.
 */
import { isVersionOnly, printVersion } from "./version-entry.js";

export async function run(argv: readonly string[]): Promise<void> {
  if (isVersionOnly(argv)) {
    printVersion();
    return;
  }
  // The SDK writes its Node 20 end-of-support warning straight to stderr, past our I/O host (FACTS §7);
  // engines and the README already say which Node versions are supported.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const mod = (await import("node:module")) as { enableCompileCache?: () => unknown };
  try {
    mod.enableCompileCache?.();
  } catch {
    // The cache is an optimisation only.
  }
  const { main } = await import("./main.js");
  await main(argv);
}
