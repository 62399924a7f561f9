/** host.package-count: how many package files pypiserver's simple-dir backend rescans per request. */
import { defineCheck, limitRef, renderMessage } from "../model.js";
import { HOST_PACKAGE_COUNT } from "./thresholds.js";
import { HOST_COMMON_MESSAGES, guards, judgeHosts, sectionError, sectionOf } from "./common.js";

const MESSAGES = {
  ...HOST_COMMON_MESSAGES,
  many: "{{atLeast}}{{files}} package files in {{dir}}, more than {{limit}}: simple-dir rescans and re-hashes every file on each listing",
  ok: "{{files}} package files in {{dir}} (limit {{limit}})",
  "dir-absent":
    "could not count packages, {{dir}} does not exist. On a pypiserver host the package volume is not mounted (see host.efs-mount); elsewhere point --package-dir at the package directory",
  "dir-not-dir": "could not count packages, {{dir}} exists but is not a directory",
  "no-volume":
    "nothing to count: no package volume is mounted on this host (see host.efs-mount); --package-dir counts a directory you name",
  "dir-unreadable":
    "could not count packages, {{dir}} is not readable by this user (run the probe as root or the pypiserver user)",
  incomplete:
    "could not finish counting {{dir}}: {{files}} files found before the count stopped ({{why}}); that is not over {{limit}}, so the total is unknown",
};

const HINTS = {
  cache:
    "Cache the listings in front of pypiserver: a CloudFront caching layer before the ALB for /simple/ and /packages/ (short TTL; pypiserver's `--cache-control <seconds>` sets the header it honours).",
  "cached-dir":
    'With a single task, switch the backend: `backend: "cached-dir"` (stack) / pypiserver `--backend cached-dir` (the Terraform module hard-codes `--backend simple-dir`); at 1,500 files /simple/ goes from 23 ms to 2.8 ms, at 10,000 from 140 ms to 13.7 ms. Not with several tasks on EFS: its cache is invalidated by file-system notifications, which do not cross hosts.',
  "hash-off":
    'Stop re-hashing every file per listing: `hashAlgo: "off"` (stack) / `--hash-algo off` (clients then get links without #sha256=).',
  efs: 'Check EFS keeps up with the metadata load: `pypictl doctor --only efs` (PercentIOLimit > 80 % sustained → `efs_throughput_mode = "elastic"`); prune old versions if many are dead weight.',
  "by-hand":
    "Count by hand on the host: `find {{dir}} -type f | wc -l` (EFS listing is slow when throttled: see `pypictl doctor --only efs`).",
};

export const packageCount = defineCheck({
  id: "host.package-count",
  title: "Package count",
  description:
    "Counts the package files (regular, non-hidden, recursive, time-bounded) on each host where they really are: in the mount host.efs-mount judges (the ECS task volume under /var/lib/ecs/volumes/ on a Terraform-module host), or in --package-dir. pypiserver's simple-dir backend rescans and re-hashes the whole directory on every listing request: about 14 µs per file, 23 ms at 1,500 files, 140 ms at 10,000.",
  playbooks: ["slow-listing"],
  needs: ["host.probe"],
  scope: "host",
  thresholds: HOST_PACKAGE_COUNT,
  messages: MESSAGES,
  hints: HINTS,
  evaluate(ctx) {
    const limit = ctx.limits.maxPackages;
    return judgeHosts(
      ctx,
      {
        messages: MESSAGES,
        worse: "higher",
        threshold: ({ limits }) => limitRef(limits, "maxPackages", "count"),
      },
      ({ host, snapshot }) => {
        const s = sectionOf(snapshot, "packages", guards.packages);
        if (!s.ok) return sectionError(host, "the package count", s.error);
        const { dir, dirState, files, complete } = s.value;
        const shown = dir || "the package directory";
        // Probe v3 counts in the mount it judged; with none found there is nothing to count (not a zero).
        if (dirState === "none") return { status: "skip", messageId: "no-volume", data: {} };
        if (dirState === "absent") return { status: "error", messageId: "dir-absent", data: { dir: shown } };
        if (dirState === "other") return { status: "error", messageId: "dir-not-dir", data: { dir: shown } };
        if (dirState === "unreadable")
          return { status: "error", messageId: "dir-unreadable", data: { dir: shown } };
        if (dirState !== "dir")
          return sectionError(
            host,
            "the package count",
            `unknown directory state ${JSON.stringify(dirState)}`,
          );
        const observed = { value: files, unit: "count" };
        const data = { files, dir: shown, limit, atLeast: complete ? "" : "at least " };
        if (files > limit)
          return {
            status: "warn",
            messageId: "many",
            data,
            observed,
            hints: [HINTS.cache, HINTS["cached-dir"], HINTS["hash-off"], HINTS.efs],
          };
        if (!complete) {
          const why =
            s.value.limitSeconds !== undefined
              ? `it ran into its ${s.value.limitSeconds} s limit or hit unreadable subdirectories`
              : "find reported errors";
          return {
            status: "error",
            messageId: "incomplete",
            data: { ...data, why },
            hints: [renderMessage(HINTS["by-hand"], { dir: shown })],
          };
        }
        return { status: "pass", messageId: "ok", data, observed };
      },
    );
  },
});
