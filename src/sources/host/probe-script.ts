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
 * MOUNTSTATS_MAX_CHARS) so the whole output stays under PROBE_OUTPUT_LIMIT even with 60 vmstat samples. The
 * second mountstats reading has a budget per judged mount and is printed last, so that even a host with every
 * section at its bound loses only that reading to SSM's cut.
 *
 * It is also kept small on purpose: the SSM runner gzips and base64-encodes it so that the 2,500
 * characters ListCommandInvocations returns per instance usually hold all of it (no GetCommandInvocation
 * per instance). So /proc/meminfo is printed only for MEMINFO_KEYS, and of the mountstats entry only the
 * lines the parser reads (device, opts, age, xprt, the per-op block; not events/bytes/caps/…). The
 * parsers still accept the full formats.
 * stderr is left alone (SSM keeps it separately); the parser reads stdout only.
 */

/** Bumped when the output format changes; printed as `probe=` in the meta section. */
export const PROBE_VERSION = 4;
/** SSM GetCommandInvocation keeps the first 24,000 characters of stdout. */
export const SSM_STDOUT_LIMIT = 24_000;
/** What the script promises to stay under (a margin below the SSM limit). */
export const PROBE_OUTPUT_LIMIT = 22_000;
/** Characters kept of the judged mountstats entries (first reading, all of them together). */
export const MOUNTSTATS_MAX_CHARS = 7_000;
/**
 * Characters kept of the second reading PER JUDGED MOUNT (only what changed since the first is printed, op
 * lines with their padding squeezed). Per mount, not shared: the heavy profile runs 6–12 tasks per host, each
 * with its own task-volume mount, and a shared budget left the later busy mounts unjudged. A busy pypiserver
 * mount moves ~15–25 ops (about 45 characters each squeezed) besides its device, age and xprt lines.
 */
export const MOUNTSTATS_AFTER_MAX_CHARS_PER_MOUNT = 1_600;
/** Characters kept of the one-line-per-NFS-mount listing. */
export const MAX_LISTED_CHARS = 1_200;
/** Most mounts judged on one host (a host with many tasks has one task-volume mount per task). */
export const MAX_JUDGED_MOUNTS = 4;
/** The second reading's bound over all judged mounts. */
export const MOUNTSTATS_AFTER_MAX_CHARS = MOUNTSTATS_AFTER_MAX_CHARS_PER_MOUNT * MAX_JUDGED_MOUNTS;
/** Most NFS mounts listed (one line each) besides the judged ones. */
export const MAX_LISTED_MOUNTS = 16;
/** Where amazon-efs-utils keeps one state file per TLS mount: `<fs-id>.<mount point, / as .>.<port>`. */
export const EFS_UTILS_STATE_DIR = "/var/run/efs";
/**
 * The /proc/meminfo fields the probe prints: the ones the host checks read (MemTotal, MemAvailable,
 * SwapTotal, SwapFree) and the few that explain them. Others are left out to keep the output small.
 */
export const MEMINFO_KEYS = [
  "MemTotal",
  "MemFree",
  "MemAvailable",
  "Buffers",
  "Cached",
  "SwapCached",
  "SwapTotal",
  "SwapFree",
] as const;
/** Most vmstat samples the script accepts (the CLI allows 2–60). */
export const MAX_SAMPLES = 60;
/** Where the cgroup tree is mounted (cgroup v2 unified, or v1 per controller under it). */
export const CGROUP_ROOT = "/sys/fs/cgroup";
/** Most cgroups with a non-zero oom_kill counter printed (most hosts have none; each line ~100 characters). */
export const MAX_OOM_CGROUPS = 8;
/** Default bound on the package-file count (`timeout N find …`), seconds. */
export const DEFAULT_COUNT_LIMIT_SECONDS = 20;

export interface ProbeOptions {
  /** vmstat samples, 1 s apart (the first is the since-boot average). 1–60. */
  samples: number;
  /**
   * Path mode (`discover` false): the mount on exactly this path is judged (`--mount-path`).
   * Discover mode: only this path's state is reported (the stack's user-data mount point, /data/packages).
   */
  mountPath: string;
  /** Directory whose package files are counted; undefined = the judged mount (discover mode). */
  packageDir?: string;
  /**
   * Find the package file system's NFS mounts (by EFS id, the efs-utils TLS port, or any nfs4 mount),
   * preferring the ECS task-volume mounts under /var/lib/ecs/volumes/ that pypiserver actually uses.
   */
  discover?: boolean;
  /** The EFS file system id, when known (task definition, stack outputs, --file-system-id). */
  fileSystemId?: string;
  /** Bound on the package count, seconds (default 20). */
  countLimitSeconds?: number;
  /** Where /proc is (tests point it at a fixture tree). Default /proc. */
  procDir?: string;
  /** Where amazon-efs-utils keeps its state files (tests). Default EFS_UTILS_STATE_DIR. */
  efsStateDir?: string;
  /** Where the cgroup tree is (tests point it at a fixture tree). Default CGROUP_ROOT. */
  cgroupDir?: string;
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
  if (!Number.isInteger(v) || v < min || v > max)
    throw new RangeError(`${name} must be a whole number from ${min} to ${max} (got ${v})`);
  return v;
}

// First mountstats reading: finds the NFS mounts and picks the ones to judge (the awk is the one place that
// decides, so the package count below uses the same pick). Every NFS mount is listed on one line
// (`pypictl.nfs=<fs-id|-> <role> <mount point> <device>`); the judged ones follow in full, each after a
// `pypictl.entry=<fs-id|-> <role>` line, trimmed to what the parser reads (device, opts, age, xprt and the
// per-op block without zero-count ops) within a character budget.
//  - The file system is known by its EFS DNS name in the device (`fs-….efs.<region>.amazonaws.com:/`, as
//    mount.efs without TLS and the ECS agent's local-driver volumes mount it) or, for amazon-efs-utils TLS
//    mounts (device `127.0.0.1:/`, the kernel's `port=` option, fs/nfs/super.c nfs_show_mount_options),
//    by the port in efs-utils' state file names (PYPICTL_EFS_PORTS, "port=fs-id …").
//  - Role: `task-volume` under /var/lib/ecs/volumes/ (the ECS volume plugin, amazon-ecs-agent
//    ecs-init/volumes) or /var/lib/docker/volumes/ (Docker's local driver); `data-path` on the probe's
//    path (/data/packages, the stack's user-data mount); else `host`.
//  - Pick (discover mode): mounts of PYPICTL_FSID; else EFS-looking mounts whose id is unknown; else,
//    with no id given, any NFS mount. Of those, the task-volume mounts (what pypiserver uses), else the
//    data-path one. Path mode (--mount-path): the last entry mounted exactly on the path, any fstype.
// Paths are compared as the kernel escapes them (\040 for a space); mount points are read from ENVIRON,
// not -v, so awk does not interpret those backslashes. Metadata lines start with "pypictl." (never
// kernel output).
const MOUNTSTATS_AWK = String.raw`
BEGIN {
  mode = ENVIRON["PYPICTL_MODE"]; want = ENVIRON["PYPICTL_MNT_ESC"]; wantfs = ENVIRON["PYPICTL_FSID"]
  max = ENVIRON["PYPICTL_MS_MAX"] + 0; maxj = ENVIRON["PYPICTL_MAX_JUDGED"] + 0
  maxl = ENVIRON["PYPICTL_MAX_LISTED"] + 0; maxlc = ENVIRON["PYPICTL_MAX_LISTED_CHARS"] + 0
  n = split(ENVIRON["PYPICTL_EFS_PORTS"], pp, " ")
  for (i = 1; i <= n; i++) { j = index(pp[i], "="); if (j > 1) portfs[substr(pp[i], 1, j - 1)] = substr(pp[i], j + 1) }
  ne = 0; cur = 0; last = 0
}
/^device / {
  cur = 0
  if ($3 != "mounted" || $4 != "on" || $6 != "with" || $7 != "fstype") next
  nfs = ($8 == "nfs" || $8 == "nfs4")
  if (!nfs && !(mode == "path" && $5 == want)) next
  ne++; cur = ne; perop = 0
  dev[ne] = $2; mnt[ne] = $5; isnfs[ne] = nfs; port[ne] = ""; txt[ne] = $0 "\n"
  if (mode == "path" && $5 == want) last = ne
  next
}
cur {
  if ($0 ~ /per-op statistics/) perop = 1
  if (perop && $0 ~ /^[ \t]+[A-Za-z0-9_]+: 0( |$)/) next
  if (!perop && $1 != "opts:" && $1 != "age:" && $1 != "xprt:") next
  if ($1 == "opts:" && match($2, /(^|,)port=[0-9]+/)) { p = substr($2, RSTART, RLENGTH); sub(/^,?port=/, "", p); port[cur] = p }
  txt[cur] = txt[cur] $0 "\n"
}
END {
  for (i = 1; i <= ne; i++) {
    f = ""
    if (match(dev[i], /fs-[0-9a-f]+\.efs\./)) f = substr(dev[i], RSTART, RLENGTH - 5)
    else if (dev[i] ~ /^(127\.0\.0\.1|localhost):/ && (port[i] in portfs)) f = portfs[port[i]]
    fs[i] = f
    tls = (dev[i] ~ /^(127\.0\.0\.1|localhost):/ && port[i] != "" && port[i] != "2049")
    efs[i] = (f != "" || dev[i] ~ /\.efs\./ || tls)
    role[i] = (mnt[i] ~ /^\/var\/lib\/(ecs|docker)\/volumes\//) ? "task-volume" : (mnt[i] == want ? "data-path" : "host")
  }
  listed = 0; more = 0; lsum = 0
  for (i = 1; i <= ne; i++) if (isnfs[i]) {
    line = "pypictl.nfs=" (fs[i] == "" ? "-" : fs[i]) " " role[i] " " mnt[i] " " dev[i]
    if (listed < maxl && lsum + length(line) < maxlc) { print line; listed++; lsum += length(line) + 1 }
    else more++
  }
  if (more) print "pypictl.nfs_more=" more
  nc = 0; pick = "none"
  if (mode == "path") { if (last) { c[++nc] = last; pick = "path" } }
  else {
    if (wantfs != "") for (i = 1; i <= ne; i++) if (isnfs[i] && fs[i] == wantfs) c[++nc] = i
    if (nc) pick = "fsid"
    if (!nc) for (i = 1; i <= ne; i++) if (isnfs[i] && efs[i] && (wantfs == "" || fs[i] == "")) c[++nc] = i
    if (nc && pick == "none") pick = (wantfs == "" ? "efs" : "efs-unverified")
    if (!nc && wantfs == "") for (i = 1; i <= ne; i++) if (isnfs[i]) c[++nc] = i
    if (nc && pick == "none") pick = "nfs"
    k = 0
    for (j = 1; j <= nc; j++) if (role[c[j]] == "task-volume") d[++k] = c[j]
    if (!k) for (j = 1; j <= nc; j++) if (role[c[j]] == "data-path") d[++k] = c[j]
    if (k) { for (j = 1; j <= k; j++) c[j] = d[j]; nc = k }
  }
  print "pypictl.pick=" pick
  if (nc && mnt[c[1]] !~ /\\/) print "pypictl.count_dir=" mnt[c[1]]
  out = ""; shown = 0; trunc = 0
  for (j = 1; j <= nc && j <= maxj; j++) {
    i = c[j]; head = "pypictl.entry=" (fs[i] == "" ? "-" : fs[i]) " " role[i] "\n"
    if (length(out) + length(head) + length(txt[i]) <= max) { out = out head txt[i]; shown++; continue }
    if (shown > 0) break
    # The first entry alone is over the budget: keep its lines up to it (the parser accepts a cut per-op block).
    out = head; m = split(txt[i], tl, "\n")
    for (t = 1; t < m; t++) { if (length(out) + length(tl[t]) + 1 > max) break; out = out tl[t] "\n" }
    shown = 1; trunc = 1
    break
  }
  if (nc > shown) print "pypictl.not_shown=" (nc - shown)
  print "pypictl.entries=" shown
  if (trunc) print "pypictl.truncated=1"
  printf "%s", out
}
`;

// Second mountstats reading, after the vmstat window: for each entry the first reading printed (its exact
// device line, from PYPICTL_MS1), the device, age and xprt lines and only the per-op lines that changed
// (an op missing here did not move), their padding squeezed ("\tGETATTR: 1 2 …"; the parser trims). Each
// entry has its own budget (PYPICTL_MS2_MAX characters): an entry over it is printed up to it and marked
// `pypictl.cut=1` on the line after its lines, so only that mount loses its deltas.
const MOUNTSTATS_AFTER_AWK = String.raw`
BEGIN {
  max = ENVIRON["PYPICTL_MS2_MAX"] + 0
  n = split(ENVIRON["PYPICTL_MS1"], L, "\n"); d = ""; per = 0
  for (i = 1; i <= n; i++) {
    l = L[i]
    if (l ~ /^device /) { d = l; want[d] = 1; per = 0; continue }
    if (d == "") continue
    if (l ~ /per-op statistics/) { per = 1; continue }
    if (per && l ~ /^[ \t]+[A-Za-z0-9_]+:/) { split(l, w, " "); before[d SUBSEP w[1]] = l }
  }
  found = 0; cur = 0; buf = ""; eb = ""; ecut = 0; ncut = 0
}
# At each device line the entry before it (if judged) joins the output; END does the same for the last one
# (no awk functions: see probe-script tests).
/^device / {
  if (cur) { buf = buf eb; if (ecut) { buf = buf "pypictl.cut=1\n"; ncut++ } }
  cur = ($0 in want); perop = 0; ecut = 0; eb = ""
  if (cur) { found++; dl = $0; eb = $0 "\n" }
  next
}
cur {
  o = ""
  if ($0 ~ /per-op statistics/) { perop = 1; o = $0 }
  else if (!perop) { if ($1 == "age:" || $1 == "xprt:") o = $0 }
  else {
    k = dl SUBSEP $1
    if (k in before) { if (before[k] != $0) o = $0 }
    else if ($0 !~ /^[ \t]+[A-Za-z0-9_]+: 0( |$)/) o = $0
    if (o != "") { o = "\t" $1; for (f = 2; f <= NF; f++) o = o " " $f }
  }
  if (o != "") { if (ecut || length(eb) + length(o) + 1 > max) ecut = 1; else eb = eb o "\n" }
}
END {
  if (cur) { buf = buf eb; if (ecut) { buf = buf "pypictl.cut=1\n"; ncut++ } }
  print "pypictl.entries=" found
  if (ncut) print "pypictl.cut_entries=" ncut
  printf "%s", buf
}
`;

// Per-second count of tasks (threads too) in uninterruptible sleep (state D), and how many of those wait
// in the NFS/SUNRPC client (wchan). vmstat's \`b\` is the kernel's nr_iowait() (fs/proc/stat.c,
// procs_blocked), which counts only io_schedule() sleepers: a task waiting for a LOOKUP/GETATTR/READDIR
// reply sleeps in rpc_wait_bit_killable → schedule() and shows in neither \`b\` nor \`wa\` — only as D.
const BLOCKED_AWK = String.raw`
{ s = $0; sub(/^.*\) /, "", s); t++ }
substr(s, 1, 1) == "D" {
  d++; w = ""; f = ENVIRON["PYPICTL_PROC"] "/" $1 "/wchan"
  if ((getline w < f) > 0 && w ~ /rpc|nfs/) n++
  close(f)
}
END { if (t) printf "%d/%d", d, n; else printf "-" }`;

// gunicorn's processes: pypiserver runs gunicorn in-process (bottle's GunicornServer), so the arbiter and
// every worker it forks carry "gunicorn" on their command line (--server gunicorn; with setproctitle the
// title is "gunicorn: worker […]"). A worker is one whose parent is one of them. Input: one pid per line.
// Output "<processes> <workers>". The grep that found them looks for 'gunicor[n]', which its own command
// line does not contain.
const GUNICORN_AWK = String.raw`
{ pid[NR] = $1; is[$1] = 1 }
END {
  w = 0
  for (i = 1; i <= NR; i++) {
    f = ENVIRON["PYPICTL_PROC"] "/" pid[i] "/stat"; l = ""
    if ((getline l < f) > 0) { sub(/^.*\) /, "", l); split(l, x, " "); if (x[2] in is) w++ }
    close(f)
  }
  # The name is split so that this program's own command line does not match the grep running beside it.
  printf "%s=%d %d\n", "pypictl.gunicor" "n", NR, w
}`;

// cgroup OOM kills that need not stop a task: a memory cgroup at its limit OOM-kills one process (the whole
// cgroup only with memory.oom.group = 1, Documentation/admin-guide/cgroup-v2.rst), and gunicorn forks a new
// worker. cgroup v2 memory.events "oom_kill" (kills by any OOM killer in the cgroup and, unless mounted with
// memory_localevents, its descendants); cgroup v1 memory.oom_control "oom_kill" (kernel 4.13+). Prints
// "<count> <path below the cgroup root>" for non-zero counters only.
const OOM_AWK = String.raw`
$1 == "oom_kill" && $2 > 0 {
  f = FILENAME; r = ENVIRON["PYPICTL_CGROUP"]
  if (index(f, r "/") == 1) f = substr(f, length(r) + 2)
  print $2, f
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

/** The largest package-count bound the script accepts, seconds. */
export const MAX_COUNT_LIMIT_SECONDS = 3600;

/**
 * The probe's inputs as the shell words the script assigns, already quoted (or, in the SSM probe document,
 * `{{ parameter }}` placeholders inside the quotes: probe-document.ts).
 */
export interface ProbeWords {
  samples: string;
  mode: string;
  mountPath: string;
  mountPathEscaped: string;
  packageDir: string;
  fileSystemId: string;
  procDir: string;
  efsStateDir: string;
  cgroupDir: string;
  countLimitSeconds: string;
}

/** The options checked and turned into the words the script assigns. */
export function probeWords(opts: ProbeOptions): ProbeWords {
  const samples = wholeNumber("samples", opts.samples, 1, MAX_SAMPLES);
  const limit = wholeNumber(
    "countLimitSeconds",
    opts.countLimitSeconds ?? DEFAULT_COUNT_LIMIT_SECONDS,
    1,
    MAX_COUNT_LIMIT_SECONDS,
  );
  const mount = normalizeMountPath(opts.mountPath);
  const fsid = opts.fileSystemId ?? "";
  if (fsid && !/^fs-[0-9a-f]{8,40}$/.test(fsid))
    throw new RangeError(`fileSystemId must look like fs-0123abcd (got ${JSON.stringify(fsid)})`);
  return {
    samples: String(samples),
    mode: opts.discover ? "discover" : "path",
    mountPath: shellQuote(mount),
    mountPathEscaped: shellQuote(escapeMountPath(mount)),
    packageDir: shellQuote(opts.packageDir ?? ""),
    fileSystemId: shellQuote(fsid),
    procDir: shellQuote(opts.procDir ?? "/proc"),
    efsStateDir: shellQuote(opts.efsStateDir ?? EFS_UTILS_STATE_DIR),
    cgroupDir: shellQuote(opts.cgroupDir ?? CGROUP_ROOT),
    countLimitSeconds: String(limit),
  };
}

/** Build the probe script. Values are shell-quoted; nothing from the caller is interpreted by the shell. */
export function buildProbeScript(opts: ProbeOptions): string {
  return probeScriptFrom(probeWords(opts));
}

/** The script around its input words (the one text both doctor and the stack's SSM document use). */
export function probeScriptFrom(w: ProbeWords): string {
  return `# pypictl host probe v${PROBE_VERSION} (POSIX sh). Read-only: prints facts, changes nothing.
PYPICTL_SAMPLES=${w.samples}
PYPICTL_MODE=${w.mode}
PYPICTL_MNT=${w.mountPath}
PYPICTL_MNT_ESC=${w.mountPathEscaped}
PYPICTL_PKG=${w.packageDir}
PYPICTL_FSID=${w.fileSystemId}
PYPICTL_PROC=${w.procDir}
PYPICTL_EFS_STATE=${w.efsStateDir}
PYPICTL_CGROUP=${w.cgroupDir}
PYPICTL_MAX_OOM=${MAX_OOM_CGROUPS}
PYPICTL_COUNT_LIMIT=${w.countLimitSeconds}
PYPICTL_MS_MAX=${MOUNTSTATS_MAX_CHARS}
PYPICTL_MS2_MAX=${MOUNTSTATS_AFTER_MAX_CHARS_PER_MOUNT}
PYPICTL_MAX_JUDGED=${MAX_JUDGED_MOUNTS}
PYPICTL_MAX_LISTED=${MAX_LISTED_MOUNTS}
PYPICTL_MAX_LISTED_CHARS=${MAX_LISTED_CHARS}
PYPICTL_MEMINFO_KEYS=${shellQuote(MEMINFO_KEYS.join(" "))}
LC_ALL=C
PATH="\${PATH:-/usr/bin:/bin}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
export LC_ALL PATH PYPICTL_CGROUP PYPICTL_MODE PYPICTL_MNT_ESC PYPICTL_FSID PYPICTL_PROC PYPICTL_MS_MAX PYPICTL_MS2_MAX PYPICTL_MAX_JUDGED PYPICTL_MAX_LISTED PYPICTL_MAX_LISTED_CHARS PYPICTL_MEMINFO_KEYS
PYPICTL_MOUNTSTATS_AWK=${shellQuote(MOUNTSTATS_AWK)}
PYPICTL_MOUNTSTATS_AFTER_AWK=${shellQuote(MOUNTSTATS_AFTER_AWK)}
PYPICTL_BLOCKED_AWK=${shellQuote(BLOCKED_AWK)}
PYPICTL_COUNT_AWK=${shellQuote(COUNT_AWK)}
PYPICTL_MEMINFO_AWK=${shellQuote(MEMINFO_AWK)}
PYPICTL_GUNICORN_AWK=${shellQuote(GUNICORN_AWK)}
PYPICTL_OOM_AWK=${shellQuote(OOM_AWK)}

pypictl_begin() { printf '==> pypictl:%s <==\\n' "$1"; }
pypictl_end() { printf '<== pypictl:%s status=%s%s ==>\\n' "$1" "$2" "\${3:+ $3}"; }
pypictl_has() { command -v "$1" >/dev/null 2>&1; }
pypictl_done() { if [ "$2" -eq 0 ]; then pypictl_end "$1" ok "exit=0"; else pypictl_end "$1" failed "exit=$2"; fi; }
pypictl_path_state() { if [ -d "$1" ]; then echo dir; elif [ -e "$1" ]; then echo other; else echo absent; fi; }
pypictl_uptime() { if [ -r "$PYPICTL_PROC/uptime" ]; then awk '{ print "pypictl.uptime=" $1; exit }' "$PYPICTL_PROC/uptime"; fi; }
# "D/N": tasks in state D and those of them waiting on NFS; "-" when no task stat file could be read.
pypictl_blocked() { cat "$PYPICTL_PROC"/[0-9]*/task/[0-9]*/stat 2>/dev/null | awk "$PYPICTL_BLOCKED_AWK"; }
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

# First mountstats reading, just before the sampling window.
pypictl_begin mount
printf 'pypictl.mode=%s\\n' "$PYPICTL_MODE"
printf 'pypictl.path_state=%s\\n' "$(pypictl_path_state "$PYPICTL_MNT")"
if [ -n "$PYPICTL_FSID" ]; then printf 'pypictl.fsid=%s\\n' "$PYPICTL_FSID"; fi
PYPICTL_EFS_PORTS=$(ls "$PYPICTL_EFS_STATE" 2>/dev/null | awk '/^fs-[0-9a-f]+[.].*[.][0-9]+$/ { n = split($0, p, "."); printf "%s=%s ", p[n], p[1] }')
export PYPICTL_EFS_PORTS
PYPICTL_MS1=
if [ -r "$PYPICTL_PROC/self/mountstats" ]; then
  pypictl_uptime
  PYPICTL_MS1=$(awk "$PYPICTL_MOUNTSTATS_AWK" "$PYPICTL_PROC/self/mountstats")
  pypictl_rc=$?
  printf '%s\\n' "$PYPICTL_MS1"
  pypictl_done mount $pypictl_rc
else
  pypictl_end mount missing "reason=no-file:$PYPICTL_PROC/self/mountstats"
fi
export PYPICTL_MS1

# The sampling window: vmstat in the background (its lines go straight to stdout) while the blocked-task
# count is taken once a second; the loop prints nothing until vmstat is done.
pypictl_begin vmstat
pypictl_vm=
if pypictl_has vmstat; then
  if vmstat -w 1 1 >/dev/null 2>&1; then vmstat -w 1 "$PYPICTL_SAMPLES" & else vmstat 1 "$PYPICTL_SAMPLES" & fi
  pypictl_vm=$!
fi
PYPICTL_BLOCKED=
pypictl_i=1
while :; do
  PYPICTL_BLOCKED="$PYPICTL_BLOCKED $(pypictl_blocked)"
  [ "$pypictl_i" -ge "$PYPICTL_SAMPLES" ] && break
  pypictl_i=$((pypictl_i + 1))
  sleep 1
done
if [ -n "$pypictl_vm" ]; then
  wait "$pypictl_vm"
  pypictl_done vmstat $?
else
  pypictl_end vmstat missing "reason=no-command:vmstat"
fi

pypictl_begin blocked
case "$PYPICTL_BLOCKED" in
  *-*) pypictl_end blocked missing "reason=no-file:$PYPICTL_PROC/[pid]/task/[tid]/stat" ;;
  *) printf 'pypictl.samples=%s\\n' "\${PYPICTL_BLOCKED# }"; pypictl_end blocked ok ;;
esac

# Second mountstats reading: the counters of the same mounts right after the window. Taken now, printed last:
# its size grows with the number of busy mounts (a budget per mount), so should a host with every section at
# its bound pass the 24,000 characters SSM keeps, the cut falls on this reading alone.
pypictl_ms2_rc=missing
if [ -r "$PYPICTL_PROC/self/mountstats" ] && [ -n "$PYPICTL_MS1" ]; then
  PYPICTL_MS2=$(pypictl_uptime; awk "$PYPICTL_MOUNTSTATS_AFTER_AWK" "$PYPICTL_PROC/self/mountstats")
  pypictl_ms2_rc=$?
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

# gunicorn's workers: what NFS waiters are judged against (host.iowait).
pypictl_begin procs
grep -l 'gunicor[n]' "$PYPICTL_PROC"/[0-9]*/cmdline 2>/dev/null | sed -n 's,^.*/\\([0-9][0-9]*\\)/cmdline$,\\1,p' | awk "$PYPICTL_GUNICORN_AWK"
pypictl_end procs ok

# OOM kills counted by the memory cgroups (containers' cgroups sit a few levels below the root).
pypictl_begin oom
if [ -f "$PYPICTL_CGROUP/cgroup.controllers" ]; then printf 'pypictl.cgroup=v2\n'
elif [ -d "$PYPICTL_CGROUP/memory" ]; then printf 'pypictl.cgroup=v1\n'
else printf 'pypictl.cgroup=none\n'; fi
find "$PYPICTL_CGROUP" -maxdepth 6 \\( -name memory.events -o -name memory.oom_control \\) 2>/dev/null | xargs -r awk "$PYPICTL_OOM_AWK" 2>/dev/null | awk -v max="$PYPICTL_MAX_OOM" 'NR <= max { print } END { if (NR > max) print "pypictl.more=" NR - max }'
pypictl_end oom ok

# The package count: --package-dir, or the judged mount (the first mountstats reading names it).
pypictl_begin packages
pypictl_pkg="$PYPICTL_PKG"
if [ -z "$pypictl_pkg" ]; then pypictl_pkg=$(printf '%s\\n' "$PYPICTL_MS1" | sed -n 's/^pypictl[.]count_dir=//p' | head -n 1); fi
if [ -z "$pypictl_pkg" ]; then
  printf 'pypictl.dir_state=none\\n'
else
  printf 'pypictl.dir=%s\\n' "$pypictl_pkg"
  pypictl_state=$(pypictl_path_state "$pypictl_pkg")
  if [ "$pypictl_state" = dir ] && { [ ! -r "$pypictl_pkg" ] || [ ! -x "$pypictl_pkg" ]; }; then pypictl_state=unreadable; fi
  printf 'pypictl.dir_state=%s\\n' "$pypictl_state"
  if [ "$pypictl_state" = dir ]; then
    # Old busybox spells it \`timeout -t N\`: use timeout only if the modern form works.
    if pypictl_has timeout && timeout 5 true >/dev/null 2>&1; then
      printf 'pypictl.limit_seconds=%s\\n' "$PYPICTL_COUNT_LIMIT"
      { timeout "$PYPICTL_COUNT_LIMIT" find "$pypictl_pkg" -type f ! -name '.*' 2>/dev/null; echo "//pypictl-rc=$?"; } | awk "$PYPICTL_COUNT_AWK"
    else
      { find "$pypictl_pkg" -type f ! -name '.*' 2>/dev/null; echo "//pypictl-rc=$?"; } | awk "$PYPICTL_COUNT_AWK"
    fi
  fi
fi
pypictl_end packages ok

pypictl_begin mount_after
if [ "$pypictl_ms2_rc" = missing ]; then
  pypictl_end mount_after missing "reason=no-file:$PYPICTL_PROC/self/mountstats"
else
  printf '%s\\n' "$PYPICTL_MS2"
  pypictl_done mount_after $pypictl_ms2_rc
fi
`;
}
