#!/usr/bin/env bash
# bench/heard.sh [SOUNDDIR]: what a listener hears of the shipped sounds.
#   - the English clips through tools/heard.py (pocketsphinx en-us, closed set
#     of all phrases): quiet and in speech-shaped noise at +10 and +5 dB,
#     three noise segments per clip;
#   - the loudness (ITU-R BS.1770, tools/loudness.c) of the spoken clips,
#     English and German, and of the clicks.
# Needs a build (tools/setup.sh) for build/tests/loudness.  A few minutes on
# two cores; run it with nice on a shared machine.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
sounds=${1:-$here/sounds}
loudness=${LOUDNESS:-$here/build/tests/loudness}
[[ -x $loudness ]] || { echo "bench/heard.sh: no $loudness (run tools/setup.sh)" >&2; exit 1; }

echo "== recogniser: $sounds/*.ogg (English)"
nice /usr/bin/python3 "$here/tools/heard.py" --seeds 3 "$sounds" | grep -v '^    '

summary() {
  sort -n | awk -v what="$1" '{ v[NR] = $1; if (NR == 1 || $2 > p) p = $2 }
    END { printf "%s: %d files, %.1f to %.1f LUFS, median %.1f, spread %.1f LU, highest peak %.1f dBFS\n",
          what, NR, v[1], v[NR], v[int((NR + 1) / 2)], v[NR] - v[1], p }'
}
echo "== loudness"
shopt -s nullglob
"$loudness" "$sounds"/*.ogg | summary "English speech"
"$loudness" "$sounds"/de/*.ogg | summary "German speech"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for c in "$sounds"/*.wav; do
  sox "$c" "$tmp/c.wav" pad 0 0.1    # a click is shorter than the 100 ms window
  printf '%s: ' "$(basename "$c")"
  "$loudness" --windows 100 "$tmp/c.wav" 0 | awk '{ printf "%.1f LUFS over 100 ms from its start\n", $2 }'
done
