import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // Vitest's default is one worker per core minus one: a single worker on the 2-core CI machine, where
    // most files wait on child processes, sockets and timers rather than the CPU. Three workers take the
    // suite from ~420 s to ~160 s there; the timing tests (start-up ratio, deadlines) hold with margin.
    maxWorkers: 3,
    // The SDK's Node 20 end-of-support notice would repeat in every test that builds a client.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
  },
});
