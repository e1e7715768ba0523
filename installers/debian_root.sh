#!/usr/bin/env bash
# Builds a clean Debian root for the package tests and caches it as a tarball.
#
#   bash installers/debian_root.sh          (as root; needs the network)
#
# debootstrap makes a minimal bookworm root, then apt-get installs the packages listed in
# installers/debian_root.packages into it (everything the packages under test depend on, so
# the tests can install them with no network). The result is kept as
#   /var/cache/onestop-msk/debian-root-<key>.tar.gz
# where <key> is made from this script and the package list: change either and the next run
# builds a new root; otherwise the run ends at once. tests/support/debian_root.py unpacks a
# fresh copy for each test.

set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
list="$here/debian_root.packages"
cache="${ONESTOP_ROOT_CACHE:-/var/cache/onestop-msk}"
suite=bookworm
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

log() {
    printf '==> %s\n' "$*" >&2
}

[[ $EUID -eq 0 ]] || { log "run this as root (debootstrap and chroot need it)"; exit 1; }
command -v debootstrap >/dev/null || { log "debootstrap is missing (Debian package 'debootstrap')"; exit 1; }

# The same key as tests/support/debian_root.py: sha256 of the script, then the package list.
key="$(cat "$here/debian_root.sh" "$list" | sha256sum | cut -c1-16)"
tarball="$cache/debian-root-$key.tar.gz"
if [[ -f $tarball ]]; then
    log "clean Debian root is cached: $tarball"
    exit 0
fi

mapfile -t packages < <(sed -e 's/#.*//' "$list" | tr -s ' \t' '\n' | sed '/^$/d')
mkdir -p "$cache"
work="$(mktemp -d "$cache/build.XXXXXX")"
root="$work/root"
mounted=()
cleanup() {
    local point
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        point="${mounted[i]}"
        umount "$point" 2>/dev/null || umount -l "$point" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

started=$SECONDS
log "debootstrap $suite (minbase) from $mirror"
debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; exit 1; }

mount -t proc proc "$root/proc" && mounted+=("$root/proc")
mount --bind /dev "$root/dev" && mounted+=("$root/dev")
mount --bind /dev/pts "$root/dev/pts" && mounted+=("$root/dev/pts")
cp /etc/resolv.conf "$root/etc/resolv.conf"
# No service starts inside the root while packages are installed.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
cat >"$root/etc/apt/sources.list" <<SOURCES
deb $mirror $suite main
deb $mirror $suite-updates main
deb http://security.debian.org/debian-security $suite-security main
SOURCES

log "installing ${#packages[@]} packages into the root"
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    --no-install-recommends -o Dpkg::Use-Pty=0 "${packages[@]}" >"$work/apt.log" 2>&1 \
    || { tail -30 "$work/apt.log" >&2; exit 1; }
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root/etc/resolv.conf"
printf 'root built %s from: %s\n' "$(date -u +%FT%TZ)" "${packages[*]}" >"$root/etc/onestop-test-root"

for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[i]}"
done
mounted=()

log "packing the root"
tar -C "$root" --numeric-owner -I 'gzip -1' -cf "$work/root.tar.gz" .
mv "$work/root.tar.gz" "$tarball"
# Older roots are of no further use.
find "$cache" -maxdepth 1 -name 'debian-root-*.tar.gz' ! -name "$(basename "$tarball")" -delete
log "clean Debian root ready in $((SECONDS - started)) s: $tarball ($(du -h "$tarball" | cut -f1))"
