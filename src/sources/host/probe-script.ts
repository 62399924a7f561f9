/**
 * The host probe: ONE POSIX sh script (dash, busybox sh; no bash-isms) that prints every section the
 * host checks read, each delimited so a parser can tell "absent" from "zero":
 *
 *   ==> pypictl:<section> <==
 *   …output…
 *   <== pypictl:<section> status=ok|failed|missing [exit=N] [reason=…] ==>
 *
 * The same script runs locally (`doctor --local`, piped to `sh -s`) and on fleet hosts over SSM Run
 * Command, whose GetCommandInvocation returns only the first 24,000 characters of stdout: every section
 * is bounded (the mountstats entry is the one for the mount path, zero-count NFS ops dropped, cut at
 * MOUNTSTATS_MAX_CHARS) so the whole output stays under PROBE_OUTPUT_LIMIT even with 60 vmstat samples.
 *
 * It is also kept small on purpose: the SSM runner gzips and base64-encodes it so that the 2,500
 * characters ListCommandInvocations returns per instance usually hold all of it (no GetCommandInvocation
 * per instance). So /proc/meminfo is printed only for MEMINFO_KEYS, and of the mountstats entry only the
 * lines the parser reads (device, opts, age, xprt, the per-op block; not events/bytes/caps/…). The
 * parsers still accept the full formats.
 * stderr is left alone (SSM keeps it separately); the parser reads stdout only.
 */

/** Bumped when the output format changes; printed as `probe=` in the meta section. */
export const PROBE_VERSION = 2;
/** SSM GetCommandInvocation keeps the first 24,000 characters of stdout. */
export const SSM_STDOUT_LIMIT = 24_000;
/** What the script promises to stay under (a margin below the SSM limit). */
export const PROBE_OUTPUT_LIMIT = 22_000;
/** Characters kept of the one mountstats entry. */
export const MOUNTSTATS_MAX_CHARS = 9_000;
/**
 * The /proc/meminfo fields the probe prints: the ones the host checks read (MemTotal, MemAvailable,
 * SwapTotal, SwapFree) and the few that explain them. Others are left out to keep the output small.
 */
export const MEMINFO_KEYS = ["MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "SwapCached", "SwapTotal", "SwapFree"] as const;
/** Most vmstat samples the script accepts (the CLI allows 2–60). */
export const MAX_SAMPLES = 60;
/** Default bound on the package-file count (`timeout N find …`), seconds. */
export const DEFAULT_COUNT_LIMIT_SECONDS = 20;

export interface ProbeOptions {
  /** vmstat samples, 1 s apart (the first is the since-boot average). 1–60. */
  samples: number;
  /** Package volume mount point, e.g. /data/packages. */
  mountPath: string;
  /** Directory whose package files are counted. */
  packageDir: string;
  /** Bound on the package count, seconds (default 20). */
  countLimitSeconds?: number;
  /** Where /proc is (tests point it at a fixture tree). Default /proc. */
  procDir?: string;
}

/** Single-quote a value for POSIX sh: the only character that needs care inside '…' is ' itself. */
export function shellQuote(value: string): string {
  if (value.includes("\0")) throw new RangeError("a shell argument cannot contain a NUL character");
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Drop trailing slashes ("/data/packages/" → "/data/packages"), keep "/" itself. */
export function normalizeMountPath(path: string): string {
  const p = path.replace(/\/+$/, "");
  return p === "" ? "/" : p;
}

/** How the kernel spells a path in /proc/self/mountstats and /proc/mounts (seq_escape of " \t\n\\"). */
export function escapeMountPath(path: string): string {
  return path.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, "0")}`);
}

function wholeNumber(name: string, v: number, min: number, max: number): number {
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${name} must be a whole number from ${min} to ${max} (got ${v})`);
  return v;
}

// The awk program that prints the last mountstats entry mounted exactly on $PYPICTL_MNT_ESC (read from
// ENVIRON, not -v, so awk does not interpret the backslashes of \040), keeps of the header only the lines
// the parser reads (device, opts, age, xprt, "per-op statistics"), drops per-op lines whose op count is 0,
// and stops at a character budget. Metadata lines start with "pypictl." (never kernel output).
const MOUNTSTATS_AWK = `
BEGIN { want = ENVIRON["PYPICTL_MNT_ESC"]; max = ENVIRON["PYPICTL_MS_MAX"] + 0; cur = 0; found = 0; buf = ""; trunc = 0 }
/^device / {
  cur = 0
  if (index($0, " mounted on " want " with fstype ") > 0) { cur = 1; found++; buf = ""; trunc = 0; perop = 0 }
}
cur == 1 {
  if ($0 ~ /per-op statistics/) perop = 1
  if (perop && $0 ~ /^[ \\t]+[A-Za-z0-9_]+: 0( |$)/) next
  if (!perop && $0 !~ /^device / && $1 != "opts:" && $1 != "age:" && $1 != "xprt:") next
  if (trunc || length(buf) + length($0) + 1 > max) { trunc = 1; next }
  buf = buf $0 "\\n"
}
END {
  print "pypictl.entries=" found
  if (trunc) print "pypictl.truncated=1"
  printf "%s", buf
}`;

// Prints the /proc/meminfo lines whose field is in PYPICTL_MEMINFO_KEYS (space-separated).
const MEMINFO_AWK = `
BEGIN { n = split(ENVIRON["PYPICTL_MEMINFO_KEYS"], k, " "); for (i = 1; i <= n; i++) keep[k[i] ":"] = 1 }
$1 in keep`;

// Counts lines from find; the last line "//pypictl-rc=N" carries find's (or timeout's) exit status.
const COUNT_AWK = `
/^\\/\\/pypictl-rc=/ { rc = substr($0, 14); next }
{ n++ }
END { print "pypictl.files=" (n + 0); print "pypictl.find_exit=" rc }`;

/** Build the probe script. Values are shell-quoted; nothing from the caller is interpreted by the shell. */
export function buildProbeScript(opts: ProbeOptions): string {
  const samples = wholeNumber("samples", opts.samples, 1, MAX_SAMPLES);
  const limit = wholeNumber("countLimitSeconds", opts.countLimitSeconds ?? DEFAULT_COUNT_LIMIT_SECONDS, 1, 3600);
  const mount = normalizeMountPath(opts.mountPath);
  const proc = opts.procDir ?? "/proc";
  return `# pypictl host probe v${PROBE_VERSION} (POSIX sh). Read-only: prints facts, changes nothing.
PYPICTL_SAMPLES=${samples}
PYPICTL_MNT=${shellQuote(mount)}
PYPICTL_MNT_ESC=${shellQuote(escapeMountPath(mount))}
PYPICTL_PKG=${shellQuote(opts.packageDir)}
PYPICTL_PROC=${shellQuote(proc)}
PYPICTL_COUNT_LIMIT=${limit}
PYPICTL_MS_MAX=${MOUNTSTATS_MAX_CHARS}
PYPICTL_MEMINFO_KEYS=${shellQuote(MEMINFO_KEYS.join(" "))}
LC_ALL=C
PATH="\${PATH:-/usr/bin:/bin}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
export LC_ALL PATH PYPICTL_MNT_ESC PYPICTL_MS_MAX PYPICTL_MEMINFO_KEYS
PYPICTL_MOUNTSTATS_AWK=${shellQuote(MOUNTSTATS_AWK)}
PYPICTL_COUNT_AWK=${shellQuote(COUNT_AWK)}
PYPICTL_MEMINFO_AWK=${shellQuote(MEMINFO_AWK)}

pypictl_begin() { printf '==> pypictl:%s <==\\n' "$1"; }
pypictl_end() { printf '<== pypictl:%s status=%s%s ==>\\n' "$1" "$2" "\${3:+ $3}"; }
pypictl_has() { command -v "$1" >/dev/null 2>&1; }
pypictl_done() { if [ "$2" -eq 0 ]; then pypictl_end "$1" ok "exit=0"; else pypictl_end "$1" failed "exit=$2"; fi; }
pypictl_path_state() { if [ -d "$1" ]; then echo dir; elif [ -e "$1" ]; then echo other; else echo absent; fi; }
pypictl_file() {
  pypictl_begin "$1"
  if [ -r "$2" ]; then cat "$2"; pypictl_done "$1" $?; else pypictl_end "$1" missing "reason=no-file:$2"; fi
}

pypictl_begin meta
printf 'probe=%s\\n' ${PROBE_VERSION}
printf 'hostname=%s\\n' "$( (hostname || uname -n || cat "$PYPICTL_PROC/sys/kernel/hostname") 2>/dev/null | head -n 1)"
printf 'kernel=%s\\n' "$(uname -r 2>/dev/null)"
printf 'time=%s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ 2>/dev/null)"
printf 'samples=%s\\n' "$PYPICTL_SAMPLES"
printf 'mount_path=%s\\n' "$PYPICTL_MNT"
printf 'package_dir=%s\\n' "$PYPICTL_PKG"
pypictl_end meta ok

pypictl_begin vmstat
if pypictl_has vmstat; then
  if vmstat -w 1 1 >/dev/null 2>&1; then vmstat -w 1 "$PYPICTL_SAMPLES"; else vmstat 1 "$PYPICTL_SAMPLES"; fi
  pypictl_done vmstat $?
else
  pypictl_end vmstat missing "reason=no-command:vmstat"
fi

pypictl_begin free
if pypictl_has free; then free -m; pypictl_done free $?; else pypictl_end free missing "reason=no-command:free"; fi

pypictl_begin meminfo
if [ -r "$PYPICTL_PROC/meminfo" ]; then
  awk "$PYPICTL_MEMINFO_AWK" "$PYPICTL_PROC/meminfo"
  pypictl_done meminfo $?
else
  pypictl_end meminfo missing "reason=no-file:$PYPICTL_PROC/meminfo"
fi
pypictl_file loadavg "$PYPICTL_PROC/loadavg"

pypictl_begin nproc
if pypictl_has nproc; then nproc; pypictl_done nproc $?
elif pypictl_has getconf; then getconf _NPROCESSORS_ONLN; pypictl_done nproc $?
elif [ -r "$PYPICTL_PROC/cpuinfo" ]; then grep -c '^processor' "$PYPICTL_PROC/cpuinfo"; pypictl_done nproc $?
else pypictl_end nproc missing "reason=no-command:nproc"
fi

pypictl_begin mount
printf 'pypictl.path_state=%s\\n' "$(pypictl_path_state "$PYPICTL_MNT")"
if [ -r "$PYPICTL_PROC/self/mountstats" ]; then
  awk "$PYPICTL_MOUNTSTATS_AWK" "$PYPICTL_PROC/self/mountstats"
  pypictl_done mount $?
else
  pypictl_end mount missing "reason=no-file:$PYPICTL_PROC/self/mountstats"
fi

pypictl_begin packages
pypictl_state=$(pypictl_path_state "$PYPICTL_PKG")
if [ "$pypictl_state" = dir ] && { [ ! -r "$PYPICTL_PKG" ] || [ ! -x "$PYPICTL_PKG" ]; }; then pypictl_state=unreadable; fi
printf 'pypictl.dir_state=%s\\n' "$pypictl_state"
if [ "$pypictl_state" = dir ]; then
  # Old busybox spells it \`timeout -t N\`: use timeout only if the modern form works.
  if pypictl_has timeout && timeout 5 true >/dev/null 2>&1; then
    printf 'pypictl.limit_seconds=%s\\n' "$PYPICTL_COUNT_LIMIT"
    { timeout "$PYPICTL_COUNT_LIMIT" find "$PYPICTL_PKG" -type f ! -name '.*' 2>/dev/null; echo "//pypictl-rc=$?"; } | awk "$PYPICTL_COUNT_AWK"
  else
    { find "$PYPICTL_PKG" -type f ! -name '.*' 2>/dev/null; echo "//pypictl-rc=$?"; } | awk "$PYPICTL_COUNT_AWK"
  fi
fi
pypictl_end packages ok
`;
}
