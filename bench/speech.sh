#!/usr/bin/env bash
# bench/speech.sh: what spoken text costs a routine's load.  `calfpace check`
# of a routine with four texts to say, with an empty cache (each text
# synthesised, normalised and written) and with a warm one (each found by
# its hash); English (flite kal16) and German (espeak-ng).  Needs hyperfine.
#   bench/speech.sh [BUILD_DIR]   (default build)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${1:-$root/build}/calfpace
dir=$(mktemp -d /tmp/calfpace-bench-speech-XXXXXX)
trap 'rm -rf "$dir"' EXIT
cat >"$dir/say.cfg" <<'CFG'
name = "Ankles";
say = "Ankle work. Sit tall.";
end_say = "Well done.";
steps = (
  { type = "paced"; name = "Ankle circles"; say = "Ankle circles, ten each way";
    lead_in = 7.0; tempo = 60.0; seconds = 30.0; },
  { type = "hold"; name = "Toe raises"; say = "Toe raises. Hold them up."; lead_in = 4.0; seconds = 20.0; }
);
CFG
sed 's/say = "Ankle work. Sit tall.";//; s/end_say = "Well done.";//; s/ say = "[^"]*";//' "$dir/say.cfg" >"$dir/none.cfg"
for lang in en de; do
    hyperfine -N --warmup 2 --runs 20 \
        --prepare "rm -rf $dir/cold" \
        -n "$lang: no spoken text" "env XDG_CACHE_HOME=$dir/cold $bin check $dir/none.cfg --voice $lang" \
        -n "$lang: 4 texts, empty cache" "env XDG_CACHE_HOME=$dir/cold $bin check $dir/say.cfg --voice $lang" \
        -n "$lang: 4 texts, from the cache" "env XDG_CACHE_HOME=$dir/warm $bin check $dir/say.cfg --voice $lang" 2>&1 |
        grep -E '^Benchmark|Time \(mean'
done
