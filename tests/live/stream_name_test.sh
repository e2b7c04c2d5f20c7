#!/usr/bin/env bash
# stream_name_test.sh CALFPACE  (inside pulse-session.sh, on either server)
#
# Mixers list calfpace's stream as calfpace, with its icon and a role that
# never switches Bluetooth headphones to the headset profile (never phone or
# Communication); a role the listener set in PULSE_PROP is kept.  Read back
# from the sound server itself with pactl list sink-inputs.
set -u
bin=$1
work=${CALFPACE_PULSE_DIR:?run inside pulse-session.sh}
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
server=$(pactl info 2>/dev/null | sed -n 's/^Server Name: //p')
echo "sound server: $server"

cat >"$work/s.cfg" <<'EOF2'
name = "stream"; guidance = { lengths = false; countdown = false; closing = false; };
steps = ( { type = "paced"; tempo = 60.0; seconds = 6.0; lead_in = 0.5; } );
EOF2
# props [ENV...]: calfpace plays while the server is asked for its stream's properties.
props() {
    env "$@" "$bin" play -q --no-voice "$work/s.cfg" >/dev/null 2>&1 &
    local pid=$! out=
    for _ in $(seq 60); do
        out=$(pactl list sink-inputs 2>/dev/null)
        grep -q 'application.process.binary = "calfpace"' <<<"$out" && break
        sleep 0.1
    done
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    printf '%s\n' "$out"
}
prop() { sed -n "s/^[[:space:]]*$1 = \"\(.*\)\"$/\1/p" <<<"$2" | head -1; }

p=$(props)
name=$(prop application.name "$p") icon=$(prop application.icon_name "$p") role=$(prop media.role "$p")
[ "$name" = calfpace ] && ok "application.name is calfpace" || bad "application.name is '$name'"
[ "$icon" = calfpace ] && ok "application.icon_name is calfpace" || bad "application.icon_name is '$icon'"
[ "$role" = music ] && ok "media.role is music (never phone)" || bad "media.role is '$role'"

p=$(props PULSE_PROP=media.role=game)
role=$(prop media.role "$p") name=$(prop application.name "$p")
[ "$role" = game ] && [ "$name" = calfpace ] && ok "the listener's own PULSE_PROP role stays (game), the name is still added" ||
    bad "with PULSE_PROP=media.role=game: role '$role', name '$name'"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
