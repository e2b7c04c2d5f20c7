#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in build-fuzz/ and runs each for
# SECONDS (default 60) on a scratch copy of its seed corpus, so the committed
# corpus never grows.  Exits non-zero when a target finds a crash, a leak, a
# timeout or an out-of-memory; the input is left in build-fuzz/artifacts/.
#   tests/fuzz/run.sh [SECONDS] [TARGET...]     (targets: routine clip userconf history include)
#   CALFPACE_FUZZ_JOBS=N  run the targets N at a time (default: all at once
#                         when there are enough cores, else one at a time)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(routine clip)
build=$root/build-fuzz

command -v clang >/dev/null || { echo "run.sh: clang is needed (apt-get install clang)"; exit 1; }
CC=clang cmake -S "$here" -B "$build" -DCALFPACE_FUZZ=ON >/dev/null || exit 1
cmake --build "$build" -j"$(nproc)" >/dev/null || { cmake --build "$build" -j1; exit 1; }

work=$(mktemp -d /tmp/calfpace-fuzz-XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$build/artifacts"
jobs=${CALFPACE_FUZZ_JOBS:-$(( $(nproc) >= ${#targets[@]} ? ${#targets[@]} : 1 ))}

run_one() {
    local t=$1 extra=()
    mkdir -p "$work/$t"
    cp "$here/corpus/$t/"* "$work/$t/"
    [ -f "$here/$t.dict" ] && extra+=(-dict="$here/$t.dict")
    # detect_leaks: the loaders own every byte they allocate; lsan.supp lists
    # the libraries' own leaks (libconfig's lexer on some syntax errors).
    ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
    LSAN_OPTIONS=suppressions="$root/tools/lsan.supp":print_suppressions=0 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build/fuzz_$t" "$work/$t" "${extra[@]}" \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" \
        >"$work/$t.log" 2>&1
    local rc=$?
    local execs speed
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$t.log" | grep -o '[0-9]*$')
    speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$work/$t.log" | grep -o '[0-9]*$')
    local cov
    cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$work/$t.log" | tail -1)
    cp "$work/$t.log" "$build/fuzz_$t.log"
    if [ "$rc" = 0 ]; then
        echo "ok: fuzz_$t: ${execs:-?} runs in ${seconds} s, ${speed:-?} exec/s, $cov, corpus $(find "$work/$t" -type f | wc -l) files"
    else
        echo "FAIL: fuzz_$t exited $rc after ${execs:-?} runs; log $build/fuzz_$t.log"
        grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error|artifact_prefix|Test unit written|    #[0-9]+ )' \
            "$work/$t.log" | head -30 | sed 's/^/   | /'
    fi
    return "$rc"
}

failed=0
if [ "$jobs" -gt 1 ]; then
    pids=()
    for t in "${targets[@]}"; do run_one "$t" >"$work/$t.summary" & pids+=($!); done
    for i in "${!pids[@]}"; do
        wait "${pids[$i]}" || failed=$((failed + 1))
        cat "$work/${targets[$i]}.summary"
    done
else
    for t in "${targets[@]}"; do run_one "$t" || failed=$((failed + 1)); done
fi
echo "$(( ${#targets[@]} - failed )) passed, $failed failed"
[ "$failed" = 0 ]
