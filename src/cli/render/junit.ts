/** JUnit XML: one testcase per check. fail → <failure>, error → <error>, skip → <skipped>; warn passes with output. */
import type { Report } from "../../checks/report.js";
import { inertText } from "./inert.js";

export function xmlEscape(s: string): string {
  // Whatever XML 1.0 cannot carry (controls, lone surrogates, U+FFFE/U+FFFF — XML 1.0 §2.2 Char) or a
  // terminal would act on is shown escaped (render/inert.ts), so the document is valid for any input;
  // the five specials become entities.
  return inertText(s).replace(
    /[<>&"']/g,
    (ch) => `&${{ "<": "lt", ">": "gt", "&": "amp", '"': "quot", "'": "apos" }[ch]};`,
  );
}

export function renderJunit(report: Report): string {
  const s = report.summary;
  const lines = [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="pypictl doctor" tests="${s.total}" failures="${s.fail}" errors="${s.error}" skipped="${s.skip}" timestamp="${report.generatedAt}">`,
    `  <testsuite name="pypictl doctor" tests="${s.total}" failures="${s.fail}" errors="${s.error}" skipped="${s.skip}" timestamp="${report.generatedAt}">`,
  ];
  for (const f of report.findings) {
    const cls = `pypictl.${f.checkId.split(".")[0]}`;
    // One line per part: each part escaped on its own, the line breaks between them are the report's.
    const body = [
      f.message,
      ...f.hints.map((h) => `hint: ${h}`),
      ...(f.resources ?? []).map((r) => `${r.id} [${r.status}]: ${r.message}`),
    ]
      .map(xmlEscape)
      .join("\n");
    const open = `    <testcase classname="${xmlEscape(cls)}" name="${xmlEscape(`${f.checkId}: ${f.title}`)}">`;
    if (f.status === "fail")
      lines.push(
        open,
        `      <failure message="${xmlEscape(f.message)}" type="${xmlEscape(f.messageId)}">${body}</failure>`,
        `    </testcase>`,
      );
    else if (f.status === "error")
      lines.push(
        open,
        `      <error message="${xmlEscape(f.message)}" type="${xmlEscape(f.messageId)}">${body}</error>`,
        `    </testcase>`,
      );
    else if (f.status === "skip")
      lines.push(open, `      <skipped message="${xmlEscape(f.message)}"/>`, `    </testcase>`);
    else lines.push(open, `      <system-out>${f.status}: ${body}</system-out>`, `    </testcase>`);
  }
  lines.push(`  </testsuite>`, `</testsuites>`);
  return `${lines.join("\n")}\n`;
}
