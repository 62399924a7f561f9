/**
 * The wrapper around the host probe when it runs over SSM Run Command: the probe's stdout comes back
 * gzipped and base64-encoded between two markers, so it usually fits in the 2,500 characters
 * ListCommandInvocations returns per instance. Light (no SDK): the stack's probe document uses it too.
 */
export const WRAP_BEGIN = "pypictl-gz64:begin";
export const WRAP_END = "pypictl-gz64:end";
const HEREDOC = "__PYPICTL_PROBE_SCRIPT__";

/** Wrap the probe so its stdout comes back gzipped and base64-encoded between markers when the host can. */
export function wrapScript(script: string): string {
  if (script.split("\n").includes(HEREDOC))
    throw new Error("probe script contains the here-document delimiter");
  return [
    'f=$(mktemp 2>/dev/null || echo "/tmp/pypictl-probe.$$")',
    `cat > "$f" <<'${HEREDOC}'`,
    script.replace(/\n?$/, ""),
    HEREDOC,
    "if command -v gzip >/dev/null 2>&1 && command -v base64 >/dev/null 2>&1; then",
    `  printf '%s\\n' '${WRAP_BEGIN}'`,
    `  sh "$f" | gzip -9c | base64 | tr -d '\\n'`,
    `  printf '\\n%s\\n' '${WRAP_END}'`,
    "else",
    '  sh "$f"',
    "fi",
    'rm -f "$f"',
  ].join("\n");
}
