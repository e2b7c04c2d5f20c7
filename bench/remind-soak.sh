#!/usr/bin/env bash
# remind-soak.sh [STALLS]: the reminder service over many lost streams.
#
# Runs 'calfpace remind --every 1s none' against a private PulseAudio null
# sink and stops the server (SIGSTOP) in the middle of each prompt, STALLS
# times (default 200, about 17 minutes), printing the service's resident
# memory, threads and open descriptors every 20 stalls; it fails unless all
# three stay flat.  CI runs the same test with 5 stalls (ctest -R
# live_remind_soak).  Needs a build in build/ (tools/setup.sh).
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$here/..
exec bash "$src/tests/live/pulse-session.sh" bash "$src/tests/live/remind_soak_test.sh" \
    "${CALFPACE:-$src/build/calfpace}" "${1:-200}"
