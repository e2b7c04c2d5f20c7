#!/usr/bin/env bash
# No shipped clip starts after its speech does: the untrimmed synthesis of
# every phrase (sounds/make-sounds.sh --raw) against the shipped clips.
set -euo pipefail
src=${CALFPACE_SOURCE:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nice bash "$src/sounds/make-sounds.sh" --raw "$tmp/raw"
exec nice /usr/bin/python3 "$src/tests/trim_check.py" "$tmp/raw" "$src/sounds"
