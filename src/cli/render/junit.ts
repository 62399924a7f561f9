/** JUnit XML: one testcase per check. fail → <failure>, error → <error>, skip → <skipped>; warn passes with output. */
import type { Report } from "../../checks/report.js";

export function xmlEscape(s: string): string {
  // Characters XML 1.0 cannot carry at all are dropped; the rest are escaped.
  return (
    s
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "")
      .replace(/[<>&"']/g, (ch) => `&${{ "<": "lt", ">": "gt", "&": "amp", '"': "quot", "'": "apos" }[ch]};`)
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
    const body = [
      f.message,
      ...f.hints.map((h) => `hint: ${h}`),
      ...(f.resources ?? []).map((r) => `${r.id} [${r.status}]: ${r.message}`),
    ].join("\n");
    const open = `    <testcase classname="${xmlEscape(cls)}" name="${xmlEscape(`${f.checkId}: ${f.title}`)}">`;
    if (f.status === "fail")
      lines.push(
        open,
        `      <failure message="${xmlEscape(f.message)}" type="${xmlEscape(f.messageId)}">${xmlEscape(body)}</failure>`,
        `    </testcase>`,
      );
    else if (f.status === "error")
      lines.push(
        open,
        `      <error message="${xmlEscape(f.message)}" type="${xmlEscape(f.messageId)}">${xmlEscape(body)}</error>`,
        `    </testcase>`,
      );
    else if (f.status === "skip")
      lines.push(open, `      <skipped message="${xmlEscape(f.message)}"/>`, `    </testcase>`);
    else
      lines.push(
        open,
        `      <system-out>${xmlEscape(`${f.status}: ${body}`)}</system-out>`,
        `    </testcase>`,
      );
  }
  lines.push(`  </testsuite>`, `</testsuites>`);
  return `${lines.join("\n")}\n`;
}
