#!/usr/bin/env bash
# Builds calfpace with AddressSanitizer and UndefinedBehaviorSanitizer (and
# LeakSanitizer, which comes with ASan) in build-asan/, warnings as errors,
# and runs the whole ctest suite there.  Extra arguments go to ctest, e.g.
#   tools/sanitize.sh -R test_badinput
#   CALFPACE_ASAN_DIR  where to build (default: build-asan)
#
# A sanitizer report makes the process exit 86, so it is never mistaken for
# calfpace's own exit 1 or 2 in a test that expects those.  tools/lsan.supp
# lists the leaks that belong to libraries (libconfig, libvorbis, and the
# sound server's client libraries in the live test), never calfpace's.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${CALFPACE_ASAN_DIR:-build-asan}
cmake -S . -B "$build" -DCALFPACE_SANITIZE=ON -DCALFPACE_WERROR=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
export ASAN_OPTIONS=detect_leaks=1:fast_unwind_on_malloc=0:exitcode=86:halt_on_error=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_init_order=1:detect_invalid_pointer_pairs=1
export LSAN_OPTIONS=suppressions=$PWD/tools/lsan.supp:print_suppressions=0:exitcode=86
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=86
# live_hands_clean preloads its own malloc, which ASan's runtime (it must come
# first) refuses; the plain suite runs it.  The PipeWire runs repeat their
# PulseAudio twins on another server, not other code: the plain suite has them.
# test_heard, test_loudness and test_trim measure the shipped sound files
# with their own tools and run no calfpace code.
# The newer live tests check timing windows (keys, reminders, job control,
# the desk, the hostile reload); under ASan the process runs two to three
# times slower and those windows would measure the sanitizer, so they run in
# the plain suite only.  live_play, live_keys and live_signals keep the live
# path (callback, session loop, keys, reloads, signals) under ASan here, and
# tools/tsan.sh runs a live session with keys and reloads under TSan.
timing='live_(remind|remind_soak|moves|desk|jobs|firstuse|hostile_reload|mpris|stream_name)$'
ctest --test-dir "$build" --output-on-failure \
    -E "live_hands_clean|_pipewire\$|^test_(heard|loudness|trim)\$|$timing" "$@"
