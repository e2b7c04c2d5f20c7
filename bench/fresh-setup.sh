#!/usr/bin/env bash
# bench/fresh-setup.sh: the README's quick start on a fresh Debian 12.
# Makes a minimal bookworm (mmdebstrap --variant=minbase: what a container
# image has, no sudo, no git, no compiler) in a scratch folder, copies a
# clean clone of this repository's HEAD into it, runs tools/setup.sh there
# as root, then renders and checks the default routine with the build it
# made.  Prints what setup installed: packages, dpkg's Installed-Size sum
# and du of the whole system (apt's cache emptied), before and after.
# There is no sound server in the chroot, so playing is not tried.
#   bench/fresh-setup.sh           the play setup (tools/setup.sh)
#   bench/fresh-setup.sh --tests   then tools/setup.sh --tests as well
# Needs root, mmdebstrap and deb.debian.org; takes minutes (nice'd).
# The folder is removed at the end; CALFPACE_KEEP=1 keeps it.
set -euo pipefail
cd "$(dirname "$0")/.."
tests=0
case ${1:-} in
--tests) tests=1 ;;
"") ;;
*) echo "usage: bench/fresh-setup.sh [--tests]" >&2; exit 2 ;;
esac
[ "$(id -u)" = 0 ] || { echo "bench/fresh-setup.sh: needs root (chroot)" >&2; exit 2; }
command -v mmdebstrap >/dev/null || { echo "bench/fresh-setup.sh: needs mmdebstrap (apt-get install mmdebstrap)" >&2; exit 2; }
mirror=${CALFPACE_MIRROR:-http://deb.debian.org/debian}
root=$(mktemp -d /var/tmp/calfpace-fresh.XXXXXX)
mounted=()
cleanup() {
    local m
    for m in "${mounted[@]}"; do umount -l "$m" 2>/dev/null || true; done
    # never remove through a mount that is still there
    if [ -z "${CALFPACE_KEEP:-}" ] && ! findmnt -rn -o TARGET | grep -q "^$root/"; then
        rm -rf --one-file-system "$root"
    else
        echo "kept: $root"
    fi
}
trap cleanup EXIT

t0=$(date +%s)
nice -n 10 mmdebstrap --quiet --variant=minbase bookworm "$root" "$mirror"
cp /etc/resolv.conf "$root/etc/resolv.conf"
for m in proc sys sys/fs/cgroup dev dev/pts; do
    mount --bind "/$m" "$root/$m"
    mounted=("$root/$m" "${mounted[@]}")
done
git clone -q . "$root/root/calfpace"
in_root() { nice -n 10 chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb bash -c "$1"; }
# packages, Installed-Size in KB, du of the system in KB (without the clone and /proc...)
measure() {
    in_root 'apt-get clean
        dpkg-query -W -f="\${Installed-Size}\n" | awk "{ n++; s += \$1 } END { printf \"%d %d \", n, s }"
        du -skx --exclude=/root/calfpace / | cut -f1'
}
read -r n0 s0 d0 < <(measure)
echo "fresh bookworm minbase: $n0 packages, $((s0 / 1024)) MB (dpkg), $((d0 / 1024)) MB (du), made in $(($(date +%s) - t0)) s"

t1=$(date +%s)
in_root 'cd /root/calfpace && tools/setup.sh' >"$root/setup.log" 2>&1 || { tail -30 "$root/setup.log"; exit 1; }
read -r n1 s1 d1 < <(measure)
echo "tools/setup.sh: +$((n1 - n0)) packages, +$(((s1 - s0) / 1024)) MB (dpkg), +$(((d1 - d0) / 1024)) MB (du), $(($(date +%s) - t1)) s with the build"
in_root 'cd /root/calfpace && build/calfpace render calf-pump -o /tmp/calf-pump.flac && build/calfpace check calf-pump >/tmp/check.txt && tail -1 /tmp/check.txt && ls -l /tmp/calf-pump.flac'
# playing needs a sound server; without one it must fail plainly (exit 1)
set +e
in_root 'cd /root/calfpace && build/calfpace </dev/null'
echo "build/calfpace with no sound server: exit $?"
set -e

if ((tests)); then
    t2=$(date +%s)
    in_root 'cd /root/calfpace && tools/setup.sh --tests' >>"$root/setup.log" 2>&1 || { tail -30 "$root/setup.log"; exit 1; }
    read -r n2 s2 d2 < <(measure)
    echo "tools/setup.sh --tests: +$((n2 - n1)) packages, +$(((s2 - s1) / 1024)) MB (dpkg), +$(((d2 - d1) / 1024)) MB (du), $(($(date +%s) - t2)) s"
fi
