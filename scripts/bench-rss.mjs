// `node --import scripts/bench-rss.mjs …`: on exit, write the process's peak RSS (KiB) to $BENCH_RSS_FILE.
import { writeFileSync } from "node:fs";

process.on("exit", () => {
  if (process.env.BENCH_RSS_FILE)
    writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});
