#!/usr/bin/env bash
# Every kind of failure (cp_error.h) from every module that reports one,
# through main.c's one mapping to an exit status: 0 ok, 1 runtime (and an
# interrupted render), 2 bad input.  The kinds' values are not the statuses,
# so a module whose kind skipped the mapping, or a mapping that swapped two
# kinds, fails here.
set -u
bin=${CALFPACE:?run through ctest}
src=${CALFPACE_SOURCE:?run through ctest}
dir=$(mktemp -d /tmp/calfpace-exit-XXXXXX)
trap 'rm -rf "$dir"' EXIT
# No sound server is reachable from here: a live session fails at run time.
export HOME=$dir/home XDG_RUNTIME_DIR=$dir/run XDG_STATE_HOME=$dir/state XDG_CONFIG_HOME=$dir/config
mkdir -p "$HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
unset PULSE_SERVER PIPEWIRE_REMOTE
passed=0 failed=0 skipped=0

# case WHERE STATUS PATTERN -- ARGS: the status, and PATTERN in stderr.
case_() {
    local where=$1 want=$2 pattern=$3; shift 4
    local rc
    timeout 30 "$bin" "$@" </dev/null >"$dir/out" 2>"$dir/err"; rc=$?
    if [ "$rc" = "$want" ] && grep -Eq -- "$pattern" "$dir/err" "$dir/out"; then
        passed=$((passed + 1)); echo "ok: $where: calfpace $* -> $rc"
    else
        failed=$((failed + 1))
        echo "FAIL: $where: calfpace $* -> $rc (want $want, /$pattern/)"; sed 's/^/   | /' "$dir/err"
    fi
}

printf 'name = ;\n' >"$dir/bad.cfg"
mkdir "$dir/folder.wav"

case_ "ok" 0 'total 3:08.6' -- check quick
case_ "main: an option" 2 '--latency takes seconds' -- --latency 9 check quick
case_ "main: a routine not found" 2 'no routine "nosuch"' -- check nosuch
case_ "setup: check" 2 'bad.cfg:1: syntax error' -- check "$dir/bad.cfg"
case_ "setup: render" 2 'bad.cfg:1: syntax error' -- render "$dir/bad.cfg" -o "$dir/x.wav"
case_ "setup: play (live_play)" 2 'bad.cfg:1: syntax error' -- play "$dir/bad.cfg"
case_ "setup: remind" 2 'bad.cfg:1: syntax error' -- remind "$dir/bad.cfg"
case_ "out_file: a name" 2 'unknown file type' -- render quick -o "$dir/x.mp4"
case_ "out_file: a folder" 1 'is a folder' -- render quick -o "$dir/folder.wav"
case_ "out_file: no such folder" 1 'cannot create the file' -- render quick -o "$dir/no/x.wav"
case_ "out_file: ok" 0 'wrote .*x.flac' -- render quick -o "$dir/x.flac"
# stdout that cannot be written: a runtime failure after a command that worked.
rc=0; "$bin" check quick >/dev/full 2>"$dir/err" || rc=$?
if [ "$rc" = 1 ] && grep -q 'cannot write the output' "$dir/err"; then
    passed=$((passed + 1)); echo "ok: main: stdout full -> 1"
else failed=$((failed + 1)); echo "FAIL: main: stdout full -> $rc"; fi

# Without a sound server: live_play's runtime failure, directly and from a
# reminder's child process (its exit code carries the kind back).
"$bin" play quick </dev/null >/dev/null 2>"$dir/err"
if grep -q 'no audio output device' "$dir/err"; then
    case_ "live: no device" 1 'no audio output device' -- play quick
    case_ "reminder: the child's failure" 1 'no audio output device' -- remind none --every 1s --for 2s
else
    skipped=$((skipped + 2)); echo "skip: a sound device is reachable here"
fi
echo "test_exit_status: $passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
