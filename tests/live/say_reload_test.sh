#!/usr/bin/env bash
# say_reload_test.sh CALFPACE  (inside pulse-session.sh)
#
# Spoken text edited while a session plays: the routine's second step says a
# text of its own.  During the first step (a rest, so the sink stays silent)
# the text is saved with a character it cannot speak ("&"), which is refused with its line while
# the session plays on; then saved as another phrase, which is synthesised
# (a new clip in the cache) and taken up.  The sink's monitor is recorded and
# pocketsphinx (en-us, a closed set of phrases with the old text and
# distractors in it) must hear the new text, and not the old one.
set -u
bin=$1
RATE=48000
work=${CALFPACE_PULSE_DIR:?run inside pulse-session.sh}
model=/usr/share/pocketsphinx/model/en-us
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { if eval "$1"; then ok "$2"; else bad "$2 ($1)"; fi; }
command -v tmux >/dev/null || { echo "FAIL: tmux is not installed (apt-get install tmux)"; exit 1; }
command -v pocketsphinx_continuous >/dev/null && [ -d "$model/en-us" ] ||
    { echo "FAIL: pocketsphinx and pocketsphinx-en-us are needed"; exit 1; }
T() { tmux -L calfpace-say -f /dev/null "$@"; }
trap 'T kill-server 2>/dev/null' EXIT
export XDG_STATE_HOME=$work/state XDG_CONFIG_HOME=$work/config XDG_CACHE_HOME=$work/cache

old="Ankle circles, ten each way"
new="Marching on the spot"
r=$work/say.cfg
routine() {
    cat <<EOF
name = "Say";
guidance = { lengths = false; countdown = false; halfway = false; remaining = false;
             transitions = false; closing = false; };
steps = ( { type = "rest"; name = "Waiting"; seconds = 9.0; },
          { type = "hold"; name = "Exercise"; say = "$1"; lead_in = 4.0; seconds = 3.0; } );
EOF
}
# An editor's save: a new file renamed over the old one.
save() { routine "$1" >"$r.new" && mv -f "$r.new" "$r"; }
routine "$old" >"$r"
clips() { find "$work/cache" -name 'say-*.wav' 2>/dev/null | wc -l; }

# 18 s of the monitor, ended by its byte count (parec drops what it holds
# when killed); play only once data flows.
: >"$work/rec.raw"
(timeout 60 parec -d calfpace_test.monitor --raw --format=s16le --rate=$RATE --channels=2 \
    --latency-msec=20 2>/dev/null | head -c $((18 * RATE * 4)) >"$work/rec.raw") &
rec_pid=$!
for _ in $(seq 500); do [ -s "$work/rec.raw" ] && break; sleep 0.02; done

T new-session -d -x 160 -y 12 "'$bin' play '$r'; echo \$? > $work/exit; sleep 300"
started=0
for _ in $(seq 200); do T capture-pane -p | grep -q 'Waiting' && { started=1; break; }; sleep 0.05; done
if [ "$started" != 1 ]; then
    echo "the session did not start:"; T capture-pane -p
    pactl info >/dev/null 2>&1 || exit 3
    exit 1
fi
before=$(clips)
sleep 1
save "Ankle circles & ten each way"
sleep 1.5
screen=$(T capture-pane -p -J -S -40)
check 'grep -q "say.cfg:[0-9]*: .*cannot speak" <<<"$screen" && [ ! -s "$work/exit" ]' \
    "a text with a \"&\" is refused with its line, and the session plays on"
save "$new"
sleep 1.5
screen=$(T capture-pane -p -J -S -40)
check 'grep -q "say.cfg reloaded" <<<"$screen" && [ ! -s "$work/exit" ]' "the new text is taken up"
check '[ "$(clips)" = $((before + 1)) ]' "the new text is synthesised: $before clip(s) in the cache, then $(clips)"

wait "$rec_pid" 2>/dev/null
for _ in $(seq 100); do [ -s "$work/exit" ] && break; sleep 0.1; done
rc=$(cat "$work/exit" 2>/dev/null)
screen=$(T capture-pane -p -J -S -60)
check '[ "$rc" = 0 ]' "the session ends on its own with status 0 (got '$rc')"

# What a listener hears, by a recogniser restricted to these phrases.
{
    echo '#JSGF V1.0;'
    echo 'grammar phrases;'
    echo 'public <phrase> = ankle circles ten each way | marching on the spot | heel raises'
    echo '    | tapping | well done | sit up straight and breathe | switch legs ;'
} >"$work/g.jsgf"
ffmpeg -nostdin -loglevel error -y -f s16le -ar $RATE -ac 2 -i "$work/rec.raw" -ac 1 -ar 16000 \
    "$work/rec.wav" || bad "ffmpeg cannot read the recording"
heard=$(pocketsphinx_continuous -infile "$work/rec.wav" -jsgf "$work/g.jsgf" \
    -hmm "$model/en-us" -dict "$model/cmudict-en-us.dict" -logfn /dev/null 2>/dev/null | paste -sd '|')
want=$(tr '[:upper:]' '[:lower:]' <<<"$new" | tr -d ',')
gone=$(tr '[:upper:]' '[:lower:]' <<<"$old" | tr -d ',')
check 'grep -q "$want" <<<"$heard" && ! grep -q "$gone" <<<"$heard"' \
    "heard \"$heard\": the new text, not the old one"
if [ "$failed" != 0 ]; then
    echo "the screen:"; sed 's/^/   | /' <<<"$screen"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
