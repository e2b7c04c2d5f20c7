#!/usr/bin/env bash
# bench/setup-size.sh: what tools/setup.sh installs on a minimal Debian,
# for playing (tools/setup.sh) and for the tests besides (--tests).
# apt-get simulates each install on an empty system (a private, empty dpkg
# status; nothing is installed, no root needed) without Recommends, as
# setup.sh installs; the packages of priority required and important (a
# minimal Debian system) are left out, and the Installed-Size of the rest
# is summed.  Reads the package lists from tools/setup.sh; needs apt's
# package lists (apt-get update).
set -euo pipefail
cd "$(dirname "$0")/.."
eval "$(sed -n '/^play_packages=(/,/^)/p;/^test_packages=(/,/^)/p' tools/setup.sh)"
empty=$(mktemp)
trap 'rm -f "$empty"' EXIT

# The packages apt would install on an empty system for "$@", sorted.
would_install() {
    apt-get -o Dir::State::status="$empty" -o Debug::NoLocking=1 -s \
        --no-install-recommends install "$@" 2>/dev/null | awk '/^Inst / { print $2 }' | sort -u
}
# KB installed by the packages on stdin.
size_kb() {
    mapfile -t pkgs
    ((${#pkgs[@]})) || { echo 0; return; }
    apt-cache show --no-all-versions "${pkgs[@]}" 2>/dev/null |
        awk '/^Installed-Size:/ { t += $2 } END { print t + 0 }'
}
mapfile -t base_list < <(apt-cache dumpavail |
    awk '/^Package:/ { p = $2 } /^Priority: (required|important)/ { print p }' | sort -u)
base=$(would_install "${base_list[@]}")
play=$(comm -23 <(would_install "${play_packages[@]}") <(echo "$base"))
both=$(comm -23 <(would_install "${play_packages[@]}" "${test_packages[@]}") <(echo "$base"))
tests=$(comm -23 <(echo "$both") <(echo "$play"))
p=$(size_kb <<<"$play") t=$(size_kb <<<"$tests") b=$(size_kb <<<"$both")
printf 'tools/setup.sh (to build and play):  %4d packages, %4d MB installed\n' "$(grep -c . <<<"$play")" $((p / 1024))
printf 'tools/setup.sh --tests, besides:     %4d packages, %4d MB installed\n' "$(grep -c . <<<"$tests")" $((t / 1024))
printf 'both (what setup.sh installed before the split): %d MB\n' $((b / 1024))
