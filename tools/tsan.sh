#!/usr/bin/env bash
# ThreadSanitizer on the threads calfpace runs: the control ring between two
# threads (tests/test_control), then a live session on a private null sink
# with keys and reloads (the control thread, the audio-start thread and
# PortAudio's callback thread at once).  Builds in build-tsan/; the tests
# take about 30 s.  A race report fails it; tools/tsan.supp says what is
# suppressed and why.
#   CALFPACE_TSAN_DIR  where to build (default: build-tsan)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${CALFPACE_TSAN_DIR:-build-tsan}
cmake -S . -B "$build" -DCALFPACE_TSAN=ON -DCALFPACE_WERROR=ON >/dev/null
cmake --build "$build" -j2 --target calfpace test_control
export TSAN_OPTIONS="halt_on_error=1:exitcode=66:second_deadlock_stack=1:suppressions=$PWD/tools/tsan.supp"
"$build/tests/test_control"
# The session's reports go to files (tsan_session.sh sets log_path and shows
# them): while PortAudio starts, the thread starting it sends stderr to
# /dev/null (the backends' probing noise), and a report printed to stderr
# then is lost, leaving only the exit status 66.
bash tests/live/pulse-session.sh bash tests/live/tsan_session.sh "$build/calfpace"
