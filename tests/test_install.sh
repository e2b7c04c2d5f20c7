#!/usr/bin/env bash
# 'cmake --install' as a user does it: to a prefix given at install time
# (not the configured one), and to a user-local prefix in $HOME.  The
# reminder's systemd unit must land where systemd looks for that prefix and
# start the binary that was installed with it; the installed binary must
# find its routines and sounds.
set -u
build=${CALFPACE_BUILD:?run through ctest}
dir=$(mktemp -d /tmp/calfpace-install-XXXXXX)
trap 'rm -rf "$dir"' EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
verify() { # verify UNIT: systemd's own check, where systemd-analyze is there
    command -v systemd-analyze >/dev/null || { echo "skip: no systemd-analyze"; return 0; }
    mkdir -p "$dir/run" && chmod 700 "$dir/run"
    if out=$(cd / && XDG_RUNTIME_DIR="$dir/run" systemd-analyze --user verify "$1" 2>&1) && [ -z "$out" ]; then
        ok "systemd-analyze --user verify $1"
    else
        fail "systemd-analyze --user verify $1"; echo "$out" | sed 's/^/   | /'
    fi
}

# A prefix given at install time.
p=$dir/prefix
if cmake --install "$build" --prefix "$p" >"$dir/log" 2>&1; then ok "cmake --install --prefix $p"; else
    fail "cmake --install --prefix $p"; sed 's/^/   | /' "$dir/log"; fi
unit=$p/lib/systemd/user/calfpace-remind.service
if [ -f "$unit" ]; then ok "the unit is in PREFIX/lib/systemd/user"; else
    fail "no $unit"; find "$p" -name '*.service' | sed 's/^/   | /'; fi
if grep -qx "ExecStart=$p/bin/calfpace remind.*" "$unit" 2>/dev/null; then ok "ExecStart names $p/bin/calfpace"; else
    fail "ExecStart does not name $p/bin/calfpace"; grep Exec "$unit" 2>/dev/null | sed 's/^/   | /'; fi
verify "$unit"
if grep -qvx "$p/.*" "$build/install_manifest.txt"; then
    fail "files installed outside $p:"; grep -vx "$p/.*" "$build/install_manifest.txt" | sed 's/^/   | /'
else ok "everything went under $p"; fi
if (cd / && env -u CALFPACE_DATA "$p/bin/calfpace" check quick >"$dir/out" 2>&1) && grep -q total "$dir/out"; then
    ok "the installed binary finds the shipped routine 'quick'"; else
    fail "the installed binary: check quick"; sed 's/^/   | /' "$dir/out"; fi

# Messages of the installed binary name installed paths, tidy, and never
# the source tree it was built from.
src=$(cd "$(dirname "$0")/.." && pwd)
(cd / && env -u CALFPACE_DATA "$p/bin/calfpace" check evening) >"$dir/out" 2>&1
if grep -q "$p/share/calfpace/config/evening.cfg" "$dir/out" && ! grep -q '/\.\./' "$dir/out" &&
    ! grep -qF "$src" "$dir/out"; then ok "an unknown routine: looked in $p/share/calfpace/config"; else
    fail "an unknown routine's message"; sed 's/^/   | /' "$dir/out"; fi
(cd / && env -u CALFPACE_DATA "$p/bin/calfpace" --help) >"$dir/out" 2>&1
if grep -q "see $p/share/doc/calfpace/routine-format.md" "$dir/out"; then ok "--help names the installed routine format"; else
    fail "--help does not name $p/share/doc/calfpace/routine-format.md"; tail -2 "$dir/out" | sed 's/^/   | /'; fi

# A user-local install: ~/.local, where the user's systemd finds units in
# ~/.local/share/systemd/user.
home=$dir/home
mkdir -p "$home"
if HOME=$home cmake --install "$build" --prefix "$home/.local" >"$dir/log" 2>&1; then ok "cmake --install --prefix ~/.local"; else
    fail "cmake --install --prefix ~/.local"; sed 's/^/   | /' "$dir/log"; fi
unit=$home/.local/share/systemd/user/calfpace-remind.service
if [ -f "$unit" ] && grep -qx "ExecStart=$home/.local/bin/calfpace remind.*" "$unit"; then
    ok "a user-local unit is in ~/.local/share/systemd/user and starts ~/.local/bin/calfpace"; else
    fail "no user-local unit at $unit"; find "$home" -name '*.service' | sed 's/^/   | /'; fi
verify "$unit"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
