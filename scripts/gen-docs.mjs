// Regenerate docs/checks.md from the built registry (run via `npm run docs`, which builds first).
import { writeFileSync } from "node:fs";
import { CHECKS, RETIRED_CHECKS } from "../dist/checks/registry.js";
import { renderChecksDoc } from "../dist/checks/docs.js";
import { SOURCE_FAILURE_HINTS } from "../dist/checks/runner.js";

const path = new URL("../docs/checks.md", import.meta.url);
writeFileSync(path, renderChecksDoc(CHECKS, RETIRED_CHECKS, SOURCE_FAILURE_HINTS));
console.log(`wrote docs/checks.md (${CHECKS.length} checks)`);
