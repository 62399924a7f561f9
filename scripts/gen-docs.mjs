// Regenerate docs/checks.md (and the README's example policy) from the built registry (run via `npm run docs`, which builds first).
import { readFileSync, writeFileSync } from "node:fs";
import { CHECKS, RETIRED_CHECKS } from "../dist/checks/registry.js";
import { renderChecksDoc } from "../dist/checks/docs.js";
import { SOURCE_FAILURE_HINTS } from "../dist/checks/runner.js";

const path = new URL("../docs/checks.md", import.meta.url);
writeFileSync(path, renderChecksDoc(CHECKS, RETIRED_CHECKS, SOURCE_FAILURE_HINTS));
console.log(`wrote docs/checks.md (${CHECKS.length} checks)`);

// The README's example policy: generated from the sources' grants, between its markers.
const { withPolicyExample } = await import("../dist/sources/aws/policy-example.js");
const readmePath = new URL("../README.md", import.meta.url);
writeFileSync(readmePath, withPolicyExample(readFileSync(readmePath, "utf8")));
console.log("wrote README.md's example IAM policy");
