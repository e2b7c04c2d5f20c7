#!/usr/bin/env bash
# Clicks against the voice, as a listener hears them in a rendered session
# (ITU-R BS.1770 with libebur128, tools/loudness.c): the shipped quick
# routine at its own volumes.  The voice is the integrated loudness of the
# speech before the first beat; each click is the loudness of the 100 ms that
# start on its planned sample, in the same session rendered without speech
# (so no click is ducked or has speech in its window).  Every click, heels up,
# heels down and tap alike, must sit 6 to 10 LU under the voice.
set -euo pipefail
src=${CALFPACE_SOURCE:?}
calfpace=${CALFPACE:?}
loudness=${LOUDNESS:?}
MIN_UNDER=6
MAX_UNDER=10

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
routine=$src/config/quick.cfg
"$calfpace" render "$routine" -o "$dir/voice.wav" --quiet
"$calfpace" render "$routine" -o "$dir/clicks.wav" --quiet --no-voice
"$calfpace" check "$routine" --events 2>/dev/null >"$dir/events"

# FRAME KIND ROUND STEP BEAT PAN; the routine's steps: heel raises (high,
# low), tapping.
first=$(awk '$2 == "beat" { print $1; exit }' "$dir/events")
[[ -n $first ]] || { echo "test_click_loudness: no beats in $routine"; exit 1; }
sox -R "$dir/voice.wav" "$dir/speech.wav" trim 0 "=${first}s"
read -r voice _ < <("$loudness" "$dir/speech.wav")

awk '$2 == "beat" { print $1 }' "$dir/events" >"$dir/beats"
xargs "$loudness" --windows 100 "$dir/clicks.wav" <"$dir/beats" >"$dir/windows"
paste <(awk '$2 == "beat" { k = $4 == 0 ? ($5 % 2 ? "heels-down" : "heels-up") : "tap"; print k }' \
          "$dir/events") "$dir/windows" |
  awk -v v="$voice" -v lo="$MIN_UNDER" -v hi="$MAX_UNDER" '
    { under = v - $3; n[$1]++; s[$1] += under
      if (!($1 in mn) || under < mn[$1]) mn[$1] = under
      if (!($1 in mx) || under > mx[$1]) mx[$1] = under
      if (under < lo || under > hi) {
        if (bad[$1]++ < 3)
          printf "FAIL %s click at sample %d: %.2f LUFS, %.2f LU under the voice (allowed %d to %d)\n",
                 $1, $2, $3, under, lo, hi
      }
      all++ }
    END {
      printf "test_click_loudness: voice %.2f LUFS (integrated, speech before the first beat)\n", v
      for (k in n)
        printf "  %-10s %3d clicks, %.2f to %.2f LU under the voice (mean %.2f)%s\n", k, n[k],
               mn[k], mx[k], s[k] / n[k], bad[k] ? sprintf(", %d outside %d-%d", bad[k], lo, hi) : ""
      for (k in bad) failed += bad[k]
      if (all < 150 || length(n) != 3) { print "FAIL: expected three kinds of clicks, 150 or more"; exit 1 }
      exit failed > 0 }'
