#!/usr/bin/env bash
# Every shipped spoken clip, English and German, within +-1 LU of -16 LUFS
# (ITU-R BS.1770 integrated loudness, tools/loudness.c with libebur128).
set -euo pipefail
src=${CALFPACE_SOURCE:?}
loudness=${LOUDNESS:?}
TARGET=-16
shopt -s nullglob
clips=("$src"/sounds/*.ogg "$src"/sounds/de/*.ogg)
(( ${#clips[@]} > 200 )) || { echo "test_loudness: only ${#clips[@]} clips in $src/sounds"; exit 1; }
"$loudness" "${clips[@]}" | awk -v t="$TARGET" '
  { d = $1 - t; if (d < 0) d = -d
    if (d > 1.0) { printf "%s: %.2f LUFS, expected %d +-1\n", $4, $1, t; bad++ }
    if (min == "" || $1 < min) min = $1; if (max == "" || $1 > max) max = $1; n++ }
  END { printf "test_loudness: %d clips from %.2f to %.2f LUFS (target %d +-1)\n", n, min, max, t
        exit bad > 0 }'
