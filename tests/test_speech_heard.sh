#!/usr/bin/env bash
# Spoken text is understood: each English text a routine gives in 'say' is
# synthesised by calfpace (flite kal16, as it is kept in the cache) and then
# recognised by pocketsphinx's en-us model in a closed set of phrases (a
# JSGF grammar with distractors), as a stand-in listener.  German has no
# recogniser model on Debian; test_speech_de checks it another way.
set -u
bin=${CALFPACE:?run through ctest}
model=/usr/share/pocketsphinx/model/en-us
command -v pocketsphinx_continuous >/dev/null && [ -d "$model/en-us" ] ||
    { echo "FAIL: pocketsphinx and pocketsphinx-en-us are needed"; exit 1; }
dir=$(mktemp -d /tmp/calfpace-heard-XXXXXX)
trap 'rm -rf "$dir"' EXIT
passed=0 failed=0
phrases=("Ankle circles, ten each way" "Toe raises. Hold them up." "Marching on the spot"
    "Sit up straight and breathe" "Well done")
{
    echo '#JSGF V1.0;'
    echo 'grammar phrases;'
    echo -n 'public <phrase> = heel raises | tapping | switch legs | halfway'
    for p in "${phrases[@]}"; do
        echo -n " | $(tr 'A-Z' 'a-z' <<<"$p" | tr -d '.,')"
    done
    echo ' ;'
} >"$dir/g.jsgf"
for p in "${phrases[@]}"; do
    rm -rf "$dir/cache"
    printf 'name = "Heard";\nsteps = ( { type = "hold"; say = "%s"; lead_in = 5.0; seconds = 5.0; } );\n' \
        "$p" >"$dir/r.cfg"
    XDG_CACHE_HOME=$dir/cache "$bin" check "$dir/r.cfg" --voice en >/dev/null 2>&1
    clip=$(ls "$dir"/cache/calfpace/speech/*.wav 2>/dev/null | head -1)
    heard=""
    [ -n "$clip" ] && heard=$(pocketsphinx_continuous -infile "$clip" -jsgf "$dir/g.jsgf" \
        -hmm "$model/en-us" -dict "$model/cmudict-en-us.dict" -logfn /dev/null 2>/dev/null)
    want=$(tr 'A-Z' 'a-z' <<<"$p" | tr -d '.,')
    if [ "$heard" = "$want" ]; then
        passed=$((passed + 1)); echo "ok: \"$p\" heard as \"$heard\""
    else
        failed=$((failed + 1)); echo "FAIL: \"$p\" heard as \"$heard\" (clip: ${clip:-none})"
    fi
done
echo "test_speech_heard: $passed passed, $failed failed"
[ $failed = 0 ]
