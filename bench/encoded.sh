#!/usr/bin/env bash
# bench/encoded.sh: the shipped routine (config/calf-pump.cfg, 11.5 minutes)
# rendered to MP3 and Opus at the default bitrates: size, encoding time, and
# the click timing and chapters after decoding (test_encoded with the shipped
# routine, which the suite leaves out for time).  Run from a built tree:
#   bench/encoded.sh [BUILD_DIR]   (default build)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build}
bin=$build/calfpace
out=$(mktemp -d /tmp/calfpace-bench-encoded-XXXXXX)
trap 'rm -rf "$out"' EXIT
for ext in wav flac ogg mp3 opus; do
    start=$(date +%s.%N)
    "$bin" render "$root/config/calf-pump.cfg" -o "$out/session.$ext" --quiet
    end=$(date +%s.%N)
    printf '%-5s %8.2f MB  %6.2f s to encode  %s chapters\n' "$ext" \
        "$(echo "$(stat -c %s "$out/session.$ext") / 1000000" | bc -l)" "$(echo "$end - $start" | bc -l)" \
        "$(ffprobe -v error -show_chapters -of csv "$out/session.$ext" | grep -c '^chapter')"
done
CALFPACE=$bin CALFPACE_SOURCE=$root CALFPACE_ENCODE_SHIPPED=1 "$build/tests/test_encoded" |
    grep -E 'clicks|chapters|speech|checks'
