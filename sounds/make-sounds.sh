#!/usr/bin/env bash
# make-sounds.sh: (re)generate every sound in calfpace's sounds/ folder.
#
#   * spoken cues: one Ogg Vorbis clip per line of phrases.tsv (flite, voice kal16,
#                  chosen by tools/choose-voice.py)
#   * German cues: one Ogg Vorbis clip per line of de/phrases.tsv, as de/NAME.ogg
#                  (espeak-ng, voice de+f3), for calfpace --voice de
#   * clicks:      click, click-high, click-low, tap, tap-high (synthesised with sox, WAV)
#   * SOURCES.md:  how each file was made (tool versions, settings, texts, recipes)
#   Every spoken clip is trimmed where its sound starts and ends, and brought
#   to one loudness (ITU-R BS.1770, SPEECH_LUFS) in both languages.
#
# Run it from anywhere:  sounds/make-sounds.sh
# It is idempotent: every run rebuilds all files from scratch with the same
# settings and gives the same result.
#
#   sounds/make-sounds.sh --raw DIR   writes only the untrimmed synthesis of
#       every phrase, as DIR/NAME.wav and DIR/de/NAME.wav (the chain's first
#       step: mono, 48 kHz, float), for the test that checks the trim.  To add a cue, add a line to
# phrases.tsv (and its German text to de/phrases.tsv) and rerun.  Needs: bash,
# flite (with the kal16 voice), espeak-ng (with German), sox with Ogg Vorbis
# support, a C compiler, libebur128 and libsndfile for tools/loudness.c
# (Debian: sox libsox-fmt-all flite espeak-ng gcc libebur128-dev
# libsndfile1-dev), awk.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"

die() { echo "make-sounds.sh: error: $*" >&2; exit 1; }
trap 'echo "make-sounds.sh: error: command failed (status $?) at line $LINENO: $BASH_COMMAND" >&2' ERR
say() { echo "make-sounds.sh: $*" >&2; }

# ---------------------------------------------------------------- settings
VOICE=kal16           # flite voice: the most cues heard in noise (tools/choose-voice.py)
SPEECH_RATE=48000     # Hz: the output rate, so the default session loads speech without resampling
VORBIS_Q=3            # Ogg Vorbis quality (sox -C)
SPEECH_LUFS=-16       # integrated loudness of every spoken clip (BS.1770), both languages
SPEECH_MAX_PEAK=-1    # dBFS: a clip whose peak would pass this at SPEECH_LUFS is an error
LIMIT_ROOM=12         # dB of headroom the peak limiter works in
TRIM_DB=-40           # sound starts/ends at the first/last 5 ms window this far under the loudest
TRIM_MARGIN=0.03      # s kept before that start and after that end
SPEECH_TAIL=0.02      # s of silence added at the end of each clip
# Speech that carries through a TV: after the trim, each clip's peak is set to
# -10 dBFS and a fast compander (1 ms attack, 10 ms release, 1 ms look-ahead,
# 6 dB soft knee) lifts its weak parts, the consonants and unstressed
# syllables, by up to 20 dB against its vowels; the synthesiser's background
# (under -60 dBFS) is lifted by 10 dB at most.  In speech-shaped noise at the
# same RMS this raises the cues heard at +5 dB from 77.8 % to 84.6 % (bench/heard.sh);
# with SLOW_WORDS below, 86.6 %.
SPEECH_FX=(norm -10 compand 0.001,0.010 6:-80,-80,-60,-50,-45,-25,-30,-15,0,-8 -4 -90 0.001)
# Words kal16 says too fast to be heard over noise: flite speaks them at
# SLOW_RATE of its pace (SSML <prosody rate>) wherever a phrase has them; the
# rest of the phrase keeps its pace.  Keep the list short: each entry is a
# measured exception.
#   eighty  kal16 says "ey t iy" with a short "ey" that pocketsphinx loses in
#           noise: "eighty-" was heard as "fifty-" in 22 of the 68 misses at
#           +5 dB.  On "eighty-one" (24 noise segments) rate 0.7 on "eighty"
#           was heard 6 times, as synthesised at its pace 0 (0.5 and 0.6: 1-2).
#           Shipped on n80-n89 and n180: all English clips at +5 dB, 84.6 % ->
#           86.6 % (382 of 441; tools/heard.py --snr 5 --seeds 3 sounds).
SLOW_RATE=0.7
SLOW_WORDS=(eighty)

DE_DIR=de             # German clips: $DE_DIR/phrases.tsv -> $DE_DIR/NAME.ogg
DE_VOICE=de+f3        # espeak-ng voice: German with the female3 variant (breathy, not buzzy)
DE_SPEED=160          # espeak-ng words per minute (default 175); 150 ran past the routines' lead-ins

CLICK_RATE=48000      # Hz, clicks: mono 16-bit WAV
CLICK_LUFS=-18.5      # loudness of each click over a 100 ms window from its start (BS.1770):
                      # at the shipped routines' volumes (clicks -8, voice -2 dB) 8 LU under the voice
CLICK_MAX_PEAK=-1     # dBFS: a click louder than this at CLICK_LUFS is an error
CLICK_ATTACK=24       # samples of linear fade-in (0.5 ms at 48 kHz); the first is 1/24 of full level
MIN_FIRST_DB=-35      # the first sample is at least this re the peak: the click starts there
MAX_RISE_MS=1         # within this much of the start the click is within 6 dB of its peak
MAX_TAIL_DB=-60       # last 2 ms of a click must be below this (dB re its peak)

# Clicks.  NAME|description|partials.  Each partial is FREQ:WEIGHT:HOLD:DECAY:
# a sine of FREQ Hz starting at phase 25% (a cosine), faded in over
# CLICK_ATTACK samples (linearly, from 1/CLICK_ATTACK on the first sample, so
# the click's first sample is already sound: its onset is that sample, with
# no step), held at full level for HOLD seconds and then decaying
# exponentially (sox "fade l", gain falling linearly in dB) from 0 dB to
# -100 dB over DECAY seconds.  The weighted sum is brought to CLICK_LUFS.
# The partials lie between 1.1 and 7.2 kHz, 97-100 % of each click's energy
# between 1 and 4 kHz, where ears are most sensitive and a TV's speech masks
# them less than its bass; 10-15 ms of hold and a 40-60 ms decay give each click 20-30 ms of
# body, so it carries loudness at a modest peak.  No filters (they would
# smear the start), no square waves.
CLICKS=(
  "click|standard click: neutral, bright|1600:1.00:0.012:0.050 3200:0.35:0.006:0.030 4800:0.10:0.003:0.015"
  "click-high|heels up: an octave above heels down, brighter|2400:1.00:0.012:0.050 4800:0.25:0.006:0.030 7200:0.06:0.002:0.015"
  "click-low|heels down: an octave below heels up, rounder (slower decay)|1200:1.00:0.015:0.060 2400:0.40:0.010:0.040 3600:0.20:0.005:0.030"
  "tap|foot tapping: woody knock (inharmonic partials, high ones die first)|1150:1.00:0.012:0.050 2050:0.60:0.008:0.040 3150:0.40:0.005:0.030 4500:0.12:0.002:0.020"
  "tap-high|the other foot: the same knock a major third higher, so the feet differ by sound too|1450:1.00:0.012:0.050 2580:0.60:0.008:0.040 3970:0.40:0.005:0.030 5670:0.12:0.002:0.020"
)

# ---------------------------------------------------------------- checks
for tool in flite espeak-ng sox soxi awk; do
  command -v "$tool" >/dev/null || die "'$tool' not found (Debian: apt-get install sox libsox-fmt-all flite espeak-ng)"
done
flite -lv | tr ' ' '\n' | grep -qx "$VOICE" || die "flite has no voice '$VOICE' (flite -lv)"
sox -h | grep -q 'AUDIO FILE FORMATS:.* vorbis' || die "sox cannot write Ogg Vorbis (Debian: apt-get install libsox-fmt-all)"
[[ -f phrases.tsv ]] || die "$here/phrases.tsv is missing"
[[ -f $DE_DIR/phrases.tsv ]] || die "$here/$DE_DIR/phrases.tsv is missing"
espeak-ng --voices=de | awk 'NR > 1 { print $5 }' | grep -qx 'gmw/de' \
  || die "espeak-ng has no German voice (espeak-ng --voices=de; Debian: apt-get install espeak-ng-data)"

raw_dir=""
if [[ ${1:-} == --raw ]]; then
  [[ -n ${2:-} ]] || die "--raw needs a folder"
  mkdir -p "$2/$DE_DIR" || die "cannot make $2/$DE_DIR"
  raw_dir=$(cd "$2" && pwd)
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# tools/loudness.c: BS.1770 loudness and where the sound starts and ends.
cc -O2 -o "$tmp/loudness" "$here/../tools/loudness.c" -lebur128 -lsndfile -lm \
  || die "cannot build tools/loudness.c (Debian: apt-get install gcc libebur128-dev libsndfile1-dev)"

# Peak absolute amplitude (0..1) of FILE after optional sox EFFECTS.
peak() {
  local f=$1; shift
  sox "$f" -n "$@" stat 2>&1 | awk '
    /^Maximum amplitude:/ { mx = $3 }
    /^Minimum amplitude:/ { mn = $3 }
    END { if (mn < 0) mn = -mn; if (mx < 0) mx = -mx; printf "%.6f\n", (mx > mn ? mx : mn) }'
}
db() { awk -v x="$1" 'BEGIN { if (x <= 0) print "-inf"; else printf "%.1f\n", 20 * log(x) / log(10) }'; }

generated=()   # file names made by this run
limited=()     # clips that went through the peak limiter (may repeat)

# ---------------------------------------------------------------- speech
# make_speech DIR SYNTH: one clip DIR/NAME.ogg per line of DIR/phrases.tsv,
# spoken by SYNTH (a function: SYNTH TEXT RAW.wav), through the same sox
# chain for every language.  Sets speech_rows (NAME<TAB>SECONDS<TAB>TEXT),
# speech_names and adds the files to generated.
make_speech() {
  local dir=$1 synth=$2 tsv="$1/phrases.tsv" prefix=""
  [[ $dir == . ]] || prefix="$dir/"
  speech_rows=()
  speech_names=()
  local -A seen=()
  local lineno=0 line name text raw out dur
  while IFS= read -r line || [[ -n $line ]]; do
    lineno=$((lineno + 1))
    line=${line%$'\r'}
    [[ -z ${line//[[:space:]]/} || $line == \#* ]] && continue
    [[ $line == *$'\t'* ]] || die "${prefix}phrases.tsv:$lineno: no TAB between NAME and TEXT"
    name=${line%%$'\t'*}
    text=${line#*$'\t'}
    text=${text#"${text%%[![:space:]]*}"}   # trim leading blanks
    text=${text%"${text##*[![:space:]]}"}   # trim trailing blanks
    [[ $name =~ ^[a-z0-9][a-z0-9-]*$ ]] || die "${prefix}phrases.tsv:$lineno: bad NAME '$name' (use a-z 0-9 -)"
    [[ -n $text ]] || die "${prefix}phrases.tsv:$lineno: empty TEXT for '$name'"
    [[ -z ${seen[$name]:-} ]] || die "${prefix}phrases.tsv:$lineno: '$name' already defined on line ${seen[$name]}"
    seen[$name]=$lineno
    case $name in click|click-high|click-low|tap|tap-high) die "${prefix}phrases.tsv:$lineno: '$name' is a click name";; esac

    raw="$tmp/raw.wav"
    full="$tmp/full.wav"
    cut="$tmp/cut.wav"
    out="$tmp/$name.ogg"
    "$synth" "$text" "$raw"
    sox -R -V1 "$raw" -c 1 -e floating-point -b 32 "$full" rate -v "$SPEECH_RATE"
    if [[ -n $raw_dir ]]; then
      cp "$full" "$raw_dir/$prefix$name.wav"
      speech_names+=("$name")
      continue
    fi
    # trim to where the sound starts and ends (with a margin), then bring the
    # clip to SPEECH_LUFS and add the tail.
    read -r first last frames < <("$tmp/loudness" --edges "$TRIM_DB" "$full")
    margin=$(awk -v m="$TRIM_MARGIN" -v r="$SPEECH_RATE" 'BEGIN { printf "%d", m * r }')
    start=$(( first > margin ? first - margin : 0 ))
    end=$(( last + 1 + margin < frames ? last + 1 + margin : frames ))
    cut0="$tmp/cut0.wav"
    sox -R -V1 "$full" "$cut0" trim "${start}s" "=${end}s" pad 0 "$SPEECH_TAIL" "${SPEECH_FX[@]}"
    cp "$cut0" "$cut"
    read -r lufs0 _ < <("$tmp/loudness" "$cut0")
    read -r lufs pk dur _ < <("$tmp/loudness" "$cut")
    gain=$(awk -v t="$SPEECH_LUFS" -v l="$lufs" 'BEGIN { printf "%.2f", t - l }')
    # Diphone voices put much of their energy into short glottal pulses: at
    # SPEECH_LUFS some clips' peaks would pass full scale.  Those go through
    # a peak limiter first (sox compand with instant attack, 20 ms release and
    # 1 ms look-ahead), placed LIMIT_ROOM dB down so nothing clips on the way;
    # its ceiling comes down until the clip fits at SPEECH_LUFS.
    ceiling=$(awk -v m="$SPEECH_MAX_PEAK" -v r="$LIMIT_ROOM" 'BEGIN { printf "%.2f", m - r - 0.3 }')
    tries=0
    while ! awk -v p="$pk" -v g="$gain" -v m="$SPEECH_MAX_PEAK" 'BEGIN { exit !(p + g <= m) }'; do
      tries=$((tries + 1))
      (( tries <= 6 )) || die "'$prefix$name': at $SPEECH_LUFS LUFS its peak would be $(awk -v p="$pk" -v g="$gain" 'BEGIN { printf "%.1f", p + g }') dBFS even after limiting (at most $SPEECH_MAX_PEAK)"
      pre=$(awk -v t="$SPEECH_LUFS" -v r="$LIMIT_ROOM" -v l="$lufs0" 'BEGIN { printf "%.2f", t - r - l }')
      sox -R -V1 "$cut0" "$cut" gain "$pre" \
        compand 0,0.02 3:-90,-90,$(awk -v c="$ceiling" 'BEGIN { printf "%.2f,%.2f,0,%.2f", c - 1, c - 1, c }') 0 -90 0.001
      limited+=("$prefix$name")
      read -r lufs pk dur _ < <("$tmp/loudness" "$cut")
      gain=$(awk -v t="$SPEECH_LUFS" -v l="$lufs" 'BEGIN { printf "%.2f", t - l }')
      ceiling=$(awk -v c="$ceiling" -v p="$pk" -v g="$gain" -v m="$SPEECH_MAX_PEAK" 'BEGIN { printf "%.2f", c - (p + g - m) - 0.2 }')
    done
    sox -R -V1 "$cut" -c 1 -C "$VORBIS_Q" --comment "" "$out" gain "$gain"
    read -r lufs pk dur _ < <("$tmp/loudness" "$out")
    awk -v l="$lufs" -v t="$SPEECH_LUFS" 'BEGIN { d = l - t; exit !(d > -0.5 && d < 0.5) }' \
      || die "'$prefix$name': $lufs LUFS after encoding, expected $SPEECH_LUFS +-0.5"
    dur=$(soxi -D "$out")
    awk -v d="$dur" -v t="$SPEECH_TAIL" 'BEGIN { exit !(d > t + 0.05) }' \
      || die "'$prefix$name': nothing left after trimming silence (duration $dur s)"
    mv -f "$out" "$prefix$name.ogg"
    generated+=("$prefix$name.ogg")
    speech_names+=("$name")
    speech_rows+=("$name"$'\t'"$(printf '%.2f' "$dur")"$'\t'"$(printf '%.1f' "$lufs")"$'\t'"$text")
  done < "$tsv"
  (( ${#speech_names[@]} > 0 )) || die "${prefix}phrases.tsv has no clips"
}

# synth_flite TEXT RAW.wav; a TEXT with one of SLOW_WORDS goes to flite as
# SSML, each such word inside <prosody rate="SLOW_RATE">.
synth_flite() {
  local text=$1 w ssml slow=0
  for w in "${SLOW_WORDS[@]}"; do
    if [[ " ${text,,} " =~ [^a-z]${w}[^a-z] ]]; then slow=1; fi
  done
  if (( slow )); then
    ssml=$(printf '%s' "$text" | sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g')
    for w in "${SLOW_WORDS[@]}"; do
      ssml=$(printf '%s' "$ssml" | sed -E "s/\\b($w)\\b/<prosody rate=\"$SLOW_RATE\">\\1<\/prosody>/Ig")
    done
    flite -voice "$VOICE" -ssml -t "<speak>$ssml</speak>" -o "$2" >/dev/null
  else
    flite -voice "$VOICE" -t "$text" -o "$2" >/dev/null
  fi
}
synth_espeak_de() { espeak-ng -v "$DE_VOICE" -s "$DE_SPEED" -w "$2" -- "$1"; }

make_speech . synth_flite
en_rows=("${speech_rows[@]}")
en_names=("${speech_names[@]}")
say "${#en_rows[@]} spoken clips written"

make_speech "$DE_DIR" synth_espeak_de
de_rows=("${speech_rows[@]}")
de_names=("${speech_names[@]}")
say "${#de_rows[@]} German spoken clips written in $DE_DIR/"

# Every English clip should have a German one and the other way round: a
# routine that plays with one voice should play with the other.
missing=$(comm -23 <(printf '%s\n' "${en_names[@]}" | sort) <(printf '%s\n' "${de_names[@]}" | sort) | tr '\n' ' ')
extra=$(comm -13 <(printf '%s\n' "${en_names[@]}" | sort) <(printf '%s\n' "${de_names[@]}" | sort) | tr '\n' ' ')
[[ -z $missing ]] || say "warning: $DE_DIR/phrases.tsv has no German text for: $missing"
[[ -z $extra ]] || say "warning: $DE_DIR/phrases.tsv has clips that phrases.tsv does not: $extra"
if [[ -n $raw_dir ]]; then
  say "untrimmed synthesis written in $raw_dir"
  exit 0
fi

# ---------------------------------------------------------------- clicks
# loudness over the 100 ms from a click's start (the file padded with
# silence, so a shorter click is measured the same way)
click_lufs() { sox -R -D "$1" "$tmp/padded.wav" pad 0 0.1; "$tmp/loudness" --windows 100 "$tmp/padded.wav" 0 | cut -f2; }
click_rows=()
for spec in "${CLICKS[@]}"; do
  IFS='|' read -r name desc partials <<<"$spec"
  read -r -a parts <<<"$partials"
  sum=$(printf '%s\n' "${parts[@]}" | awk -F: '{ s += $2 } END { print s }')
  len=$(printf '%s\n' "${parts[@]}" | awk -F: '$3 + $4 > m { m = $3 + $4 } END { print m }')
  mix=()
  recipe=""
  i=0
  for p in "${parts[@]}"; do
    IFS=: read -r f w h d <<<"$p"
    i=$((i + 1))
    pf="$tmp/$name-$i.wav"
    l=$(awk -v h="$h" -v d="$d" 'BEGIN { print h + d }')
    # 32-bit float partial: cosine start, a fade-in of CLICK_ATTACK + 1 samples
    # whose silent first sample is cut, hold, exponential decay, padded to len
    sox -R -D -n -r "$CLICK_RATE" -c 1 -e floating-point -b 32 "$pf" \
      synth "$l" sine "$f" 0 25 fade t "$((CLICK_ATTACK + 1))s" fade l 0 "$l" "$d" trim 1s \
      pad 0 "$(awk -v a="$len" -v b="$l" 'BEGIN { print a - b }')"
    v=$(awk -v w="$w" -v s="$sum" 'BEGIN { printf "%.6f", w / s / 2 }')   # half: the sum never clips
    mix+=(-v "$v" "$pf")
    recipe+="${recipe:+ + }$w x sine ${f} Hz (${h}+${d}s)"
  done
  sumf="$tmp/$name-sum.wav"
  if (( ${#parts[@]} > 1 )); then
    sox -R -D -m "${mix[@]}" -e floating-point -b 32 "$sumf"
  else
    sox -R -D "${mix[2]}" "$sumf"
  fi
  raw_lufs=$(click_lufs "$sumf")
  out="$tmp/$name.wav"
  sox -R -D "$sumf" -r "$CLICK_RATE" -c 1 -e signed-integer -b 16 "$out" \
    gain "$(awk -v t="$CLICK_LUFS" -v l="$raw_lufs" 'BEGIN { printf "%.3f", t - l }')"

  # verify: format, loudness, peak, a first sample that is sound, a short
  # rise to the peak, silent end
  [[ $(soxi -r "$out") == "$CLICK_RATE" && $(soxi -c "$out") == 1 && $(soxi -b "$out") == 16 ]] \
    || die "$name.wav: wrong format ($(soxi -r "$out") Hz, $(soxi -c "$out") ch, $(soxi -b "$out") bit)"
  lufs=$(click_lufs "$out")
  awk -v l="$lufs" -v t="$CLICK_LUFS" 'BEGIN { d = l - t; exit !(d > -0.3 && d < 0.3) }' \
    || die "$name.wav: $lufs LUFS over 100 ms, expected $CLICK_LUFS +-0.3"
  pk=$(peak "$out")
  pkdb=$(db "$pk")
  awk -v d="$pkdb" -v m="$CLICK_MAX_PEAK" 'BEGIN { exit !(d <= m) }' \
    || die "$name.wav: peak $pkdb dBFS at $CLICK_LUFS LUFS (at most $CLICK_MAX_PEAK): give it more body"
  first=$(peak "$out" trim 0 1s)
  firstdb=$(awk -v a="$first" -v b="$pk" 'BEGIN { if (a <= 0) print -999; else printf "%.1f", 20 * log(a / b) / log(10) }')
  awk -v d="$firstdb" -v m="$MIN_FIRST_DB" 'BEGIN { exit !(d >= m) }' \
    || die "$name.wav: first sample at $firstdb dB re the peak (need >= $MIN_FIRST_DB): the click would not start on its first sample"
  rise=$(peak "$out" trim 0 "0.00$MAX_RISE_MS")
  risedb=$(awk -v a="$rise" -v b="$pk" 'BEGIN { if (a <= 0) print -999; else printf "%.1f", 20 * log(a / b) / log(10) }')
  awk -v d="$risedb" 'BEGIN { exit !(d >= -6) }' \
    || die "$name.wav: only $risedb dB re its peak in its first $MAX_RISE_MS ms (need >= -6): the attack is too slow"
  tail=$(peak "$out" reverse trim 0 0.002)
  taildb=$(awk -v a="$tail" -v b="$pk" 'BEGIN { if (a <= 0) print -999; else printf "%.1f", 20 * log(a / b) / log(10) }')
  awk -v d="$taildb" -v m="$MAX_TAIL_DB" 'BEGIN { exit !(d <= m) }' \
    || die "$name.wav: does not end in silence (last 2 ms at $taildb dB re peak, need <= $MAX_TAIL_DB)"

  mv -f "$out" "$name.wav"
  generated+=("$name.wav")
  ms=$(awk -v s="$(soxi -D "$name.wav")" 'BEGIN { printf "%.0f", s * 1000 }')
  click_rows+=("$name"$'\t'"$desc"$'\t'"$partials"$'\t'"$recipe"$'\t'"$ms"$'\t'"$lufs"$'\t'"$pkdb"$'\t'"$firstdb")
  say "$name.wav: ${ms} ms, $lufs LUFS over 100 ms, peak $pkdb dBFS, first sample $firstdb dB re peak"
done

# ---------------------------------------------------------------- SOURCES.md
pkgver() {
  command -v dpkg-query >/dev/null || return 0
  dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true
}
flite_ver=$({ flite --version 2>&1 || true; } | awk '/version:/ { sub(/^[ \t]*version:[ \t]*/, ""); print; exit }')
sox_ver=$({ sox --version 2>&1 || true; } | sed -n 's/^sox:[[:space:]]*//p' | head -n1)
espeak_ver=$({ espeak-ng --version 2>&1 || true; } | sed -n 's/^eSpeak NG text-to-speech:[[:space:]]*\([^[:space:]]*\).*/\1/p' | head -n1)
deb=""
for p in flite espeak-ng espeak-ng-data sox libsox-fmt-ogg libsox-fmt-all libvorbisenc2; do
  v=$(pkgver "$p")
  if [[ -n $v ]]; then deb+="${deb:+, }$p $v"; fi
done
mdesc() { local s=${1//|/\\|}; printf '%s' "$s"; }   # escape | in table cells

{
  cat <<EOF
# Sources of the sounds in this folder

**Generated by \`make-sounds.sh\`; do not edit by hand.**  To change or add a
spoken cue, edit \`phrases.tsv\` (and its German text in \`de/phrases.tsv\`) and
run \`sounds/make-sounds.sh\`; it rebuilds
every \`.ogg\` and \`.wav\` listed below and this file.  All sounds are made
on the machine from text and numbers; no recordings or downloaded samples are
used.

## Tools

- Speech: **Flite** ${flite_ver:-unknown} (\`flite --version\`), voice **${VOICE}**
  (cmu_us_${VOICE}, built into flite), chosen by measurement: see "Choosing the voice" below.  Licence: see /usr/share/doc/flite/copyright.
- German speech: **eSpeak NG** ${espeak_ver:-unknown} (\`espeak-ng --version\`), voice **${DE_VOICE}**
  (the German voice gmw/de with the female3 variant, both in espeak-ng-data).
  Licence: see /usr/share/doc/espeak-ng/copyright.
- Processing, synthesis and encoding: **${sox_ver:-SoX (unknown version)}** (\`sox --version\`),
  Ogg Vorbis through libvorbis.
EOF
  [[ -n $deb ]] && printf -- '- Debian packages used: %s.\n' "$deb"
  cat <<EOF

## Spoken cues (\`NAME.ogg\`)

Each line \`NAME<TAB>TEXT\` of \`phrases.tsv\` becomes \`NAME.ogg\`:

\`\`\`sh
flite -voice ${VOICE} -t "TEXT" -o raw.wav
sox -R raw.wav -c 1 -e floating-point -b 32 full.wav rate -v ${SPEECH_RATE}
loudness --edges ${TRIM_DB} full.wav            # FIRST LAST: where the sound starts and ends
sox -R full.wav cut.wav trim FIRST-${TRIM_MARGIN}s =LAST+${TRIM_MARGIN}s pad 0 ${SPEECH_TAIL} \\
    ${SPEECH_FX[*]}
loudness cut.wav                          # LUFS
sox -R cut.wav -c 1 -C ${VORBIS_Q} --comment "" NAME.ogg gain \$((${SPEECH_LUFS} - LUFS))
\`\`\`

That is: flite's raw output, mono, resampled to ${SPEECH_RATE} Hz; cut where the sound
starts and ends, with ${TRIM_MARGIN} s to spare on each side (the sound starts at the first
5 ms window whose RMS is within ${TRIM_DB#-} dB of the loudest one: above the
synthesiser's background, below any consonant); brought to ${SPEECH_LUFS} LUFS (ITU-R
BS.1770 integrated loudness, measured by \`tools/loudness.c\` with libebur128;
for a clip shorter than one 400 ms gating block, the loudness of the whole clip);
${SPEECH_TAIL} s of silence appended; Ogg Vorbis quality ${VORBIS_Q}.  Before the loudness is
set, the clip is compressed the way speech is made to carry through noise:
its peak is set to -10 dBFS, then a fast compander (\`compand\`: 1 ms attack, 10 ms
release, 1 ms look-ahead; the curve takes -60 dBFS to -50, -45 to -25, -30 to
-15 and 0 to -8, then 4 dB down) lifts the weak parts of the speech against its
vowel peaks: a consonant or unstressed syllable 35 dB under the peak ends up
about 15 dB under it, one 20 dB under ends up about 5 dB under.  At one
loudness they stand further above a TV's sound; the synthesiser's background under -60 dBFS is lifted by 10 dB at most.
A clip whose peak would still pass ${SPEECH_MAX_PEAK} dBFS goes through a peak limiter first.  The script fails
if a clip's peak would pass ${SPEECH_MAX_PEAK} dBFS, or if the encoded clip is more than
0.5 LU off the target.  The German clips go through the same chain, so both
languages play equally loud.

One exception to the synthesis: flite says the word(s) **${SLOW_WORDS[*]}** at ${SLOW_RATE} of its
pace (SSML, \`flite -ssml -t '<speak><prosody rate="${SLOW_RATE}">eighty</prosody>-one</speak>'\`),
wherever a phrase has them; kal16's short "ey" of "eighty" is heard as "fif"
in noise (the measurement is in \`make-sounds.sh\`, by \`SLOW_WORDS\`).

| File | Seconds | LUFS | Text |
|---|---:|---:|---|
EOF
  for row in "${en_rows[@]}"; do
    IFS=$'\t' read -r n d l t <<<"$row"
    printf '| %s.ogg | %s | %s | %s |\n' "$n" "$d" "$l" "$(mdesc "$t")"
  done
  cat <<EOF

## German spoken cues (\`${DE_DIR}/NAME.ogg\`)

For \`calfpace --voice de\`.  Each line \`NAME<TAB>TEXT\` of \`${DE_DIR}/phrases.tsv\` becomes
\`${DE_DIR}/NAME.ogg\`, with the same names as the English clips, through the same
chain as above; only the speech synthesiser differs:

\`\`\`sh
espeak-ng -v ${DE_VOICE} -s ${DE_SPEED} -w raw.wav -- "TEXT"
\`\`\`

espeak-ng speaks at ${DE_SPEED} words a minute (its default is 175): calm, and brisk
enough that each step's announcement fits the shipped routines' lead-ins, as
the English ones do (\`calfpace check --voice de ROUTINE\` warns when one does
not).  The wording follows German "Venengymnastik" instructions, in the polite
"Sie" form; numbers are written as words.

| File | Seconds | LUFS | Text |
|---|---:|---:|---|
EOF
  for row in "${de_rows[@]}"; do
    IFS=$'\t' read -r n d l t <<<"$row"
    printf '| %s/%s.ogg | %s | %s | %s |\n' "$DE_DIR" "$n" "$d" "$l" "$(mdesc "$t")"
  done
  cat <<EOF

## Choosing the voice

\`tools/choose-voice.py\` speaks every phrase with each candidate voice installed,
trims it as above, and lets \`tools/heard.py\` listen: pocketsphinx with its en-us
model, in a closed set of all the phrases, quiet and in speech-shaped noise
(random-phase noise with the long-term spectrum of the voice's own clips) at
+10, +5 and 0 dB speech-to-noise.  What it printed when the voice was chosen
(kept in \`voice-choice.md\`):

$(cat voice-choice.md 2>/dev/null || echo "(voice-choice.md is missing: run nice tools/choose-voice.py > sounds/voice-choice.md)")

## Clicks (\`NAME.wav\`)

${CLICK_RATE} Hz, mono, 16-bit PCM WAV.  Each click is a weighted sum of sine
partials.  Every partial starts at phase 25 % (a cosine), fades in linearly
over ${CLICK_ATTACK} samples (0.5 ms), is held at full level for HOLD seconds and then
decays exponentially (\`fade l\`: gain falling linearly in dB, from 0 dB to
-100 dB over DECAY seconds).  The fade-in starts at 1/${CLICK_ATTACK} of full level on
the first sample, not at zero: the click's first sample is already sound,
so its onset is exactly its first sample (where calfpace schedules it), and
there is no step from silence to the peak to spray energy above 8 kHz.  The
partials lie between 1.1 and 7.2 kHz, 97-100 % of each click's energy between
1 and 4 kHz, where hearing is most sensitive and the TV's speech masks less than its
bass; the hold and the slower decay give each click 20-30 ms of body, so it
carries loudness at a modest peak.  No filters, no square waves.  For a
partial of F Hz, hold H s and decay D s, padded to the click's length T:

\`\`\`sh
sox -R -D -n -r ${CLICK_RATE} -c 1 -e floating-point -b 32 partial.wav \\
    synth H+D sine F 0 25 fade t $((CLICK_ATTACK + 1))s fade l 0 H+D D trim 1s pad 0 T-H-D
\`\`\`

and the partials are mixed with weights w/sum(w)/2 and brought to
${CLICK_LUFS} LUFS: the BS.1770 loudness of the 100 ms from the click's start
(\`tools/loudness.c --windows 100\`), so every click is equally loud whatever
its pitch.  At the shipped routines' volumes (clicks -8 dB, voice -2 dB, and
every spoken clip at ${SPEECH_LUFS} LUFS) a click sits about 8 LU under the voice
(tests/test_click_loudness.sh measures it on a rendered session):

\`\`\`sh
sox -R -D -m -v W1 partial1.wav -v W2 partial2.wav ... sum.wav
sox -R -D sum.wav -r ${CLICK_RATE} -c 1 -e signed-integer -b 16 NAME.wav gain \$((${CLICK_LUFS} - LUFS))
\`\`\`

\`make-sounds.sh\` checks every click and fails if its loudness is more than
0.3 LU off ${CLICK_LUFS} LUFS, if its peak passes ${CLICK_MAX_PEAK} dBFS, if its first sample is
more than ${MIN_FIRST_DB#-} dB under its peak (it would not start on its first sample), if
it does not come within 6 dB of its peak in its first ${MAX_RISE_MS} ms, or if its last 2 ms
are not below ${MAX_TAIL_DB} dB re its peak.

| File | Use | Partials (weight x frequency (hold+decay)) | Length | LUFS (100 ms) | Peak dBFS | First sample re peak |
|---|---|---|---:|---:|---:|---:|
EOF
  for row in "${click_rows[@]}"; do
    IFS=$'\t' read -r n d _ r ms lufs pkdb firstdb <<<"$row"
    printf '| %s.wav | %s | %s | %s ms | %s | %s | %s dB |\n' "$n" "$(mdesc "$d")" "$r" "$ms" "$lufs" "$pkdb" "$firstdb"
  done
} >"$tmp/SOURCES.md"
mv -f "$tmp/SOURCES.md" SOURCES.md
say "SOURCES.md written"

# ---------------------------------------------------------------- leftovers
declare -A made=()
for f in "${generated[@]}"; do made[$f]=1; done
shopt -s nullglob
for f in *.ogg *.wav *.flac; do
  [[ -n ${made[$f]:-} ]] || say "warning: $f was not made by this script (not in phrases.tsv or the click list); delete it if it is stale"
done
for f in "$DE_DIR"/*.ogg "$DE_DIR"/*.wav "$DE_DIR"/*.flac; do
  [[ -n ${made[$f]:-} ]] || say "warning: $f was not made by this script (not in $DE_DIR/phrases.tsv); delete it if it is stale"
done
say "done: $(du -sh . | cut -f1) in $here, of which $(du -sh "$DE_DIR" | cut -f1) in $DE_DIR/"
