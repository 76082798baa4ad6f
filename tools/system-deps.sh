#!/usr/bin/env bash
# Makes sure the Debian packages the test suite needs (.ci/apt-packages.txt) are installed.
# Run by `npm test` (pretest) and by .ci/run. As root it installs what is missing with apt-get;
# otherwise it names the missing packages and the one command that installs them.
set -euo pipefail
cd "$(dirname "$0")/.."

list=.ci/apt-packages.txt
mapfile -t wanted < <(grep -v '^\s*#' "$list" | tr -s ' \t' '\n' | grep -v '^$')
missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
  echo "system-deps: the tests need these Debian packages, and this machine has no apt-get: ${missing[*]}" >&2
  exit 1
fi
if [ "$(id -u)" != 0 ]; then
  echo "system-deps: the tests need these Debian packages: ${missing[*]}" >&2
  echo "system-deps: install them once with: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "system-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
