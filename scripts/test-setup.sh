#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian 12 machine, then the npm packages:
#   - Debian's twine (real uploads in the creds integration tests) and procps (vmstat, free for host probes)
#   - busybox (the host probe runs under a busybox-only toolset in its tests)
#   - python3 with pip (real installs against the test index) and bcrypt (the container start script's
#     htpasswd step runs for real in test/infra/container-script.test.ts)
#   - Debian's chromium (the HTML report's browser test drives it with playwright-core)
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v twine >/dev/null 2>&1 || need+=(twine)
command -v vmstat >/dev/null 2>&1 || need+=(procps)
# busybox: the probe is tested under a busybox-only shell and toolset (no vmstat), as on minimal hosts
command -v busybox >/dev/null 2>&1 || need+=(busybox)
python3 -m pip --version >/dev/null 2>&1 || need+=(python3-pip)
/usr/bin/python3 -c 'import bcrypt' >/dev/null 2>&1 || need+=(python3-bcrypt)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ "${#need[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

npm ci --no-audit --no-fund
