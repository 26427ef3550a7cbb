#!/usr/bin/env bash
# Sets up (once, then reuses) the arm64 cross toolchain: a Debian sid root with Swift 6.2 for
# amd64 and an aarch64 sysroot described as a Swift SDK bundle. See docs/building.md.
#   deploy/cross/toolchain.sh            # prints the root's path when ready
# HOMELAB_CROSS_CACHE (default /var/cache/homelab-cross) holds everything; delete it to start over.
# Needs root, debootstrap and a Debian mirror (HOMELAB_CROSS_MIRROR, default deb.debian.org).
set -euo pipefail
cache=${HOMELAB_CROSS_CACHE:-/var/cache/homelab-cross}
mirror=${HOMELAB_CROSS_MIRROR:-http://deb.debian.org/debian}
root=$cache/sid-root
sdk=$root/sdk/homelab-aarch64.artifactbundle
say() { echo "cross: $*" >&2; }
die() { echo "cross: error: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (debootstrap and chroot)"
command -v debootstrap >/dev/null || die "debootstrap is missing (apt-get install debootstrap)"
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock -w 1800 9 || die "another toolchain setup holds $cache/.lock"

in_root() { # in_root CMD: runs CMD in the sid root with /proc mounted (the compiler resolves $ORIGIN through it)
  mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
  chroot "$root" sh -c "$1"
}
trap 'mountpoint -q "$root/proc" && umount "$root/proc" || true' EXIT

if [ ! -e "$root/.base-ready" ]; then
  say "debootstrap sid into $root (once)"
  rm -rf "$root"
  debootstrap --variant=minbase sid "$root" "$mirror" >"$cache/debootstrap.log" 2>&1 \
    || die "debootstrap failed; see $cache/debootstrap.log"
  # The mirror's sid Release file reads as expired.
  echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/99homelab-no-valid-until"
  touch "$root/.base-ready"
fi

if [ ! -e "$root/.swift-ready" ]; then
  say "installing swiftlang in the sid root"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  # dpkg --configure -a first: a setup killed during the install left dpkg half way.
  in_root 'dpkg --configure -a; dpkg --add-architecture arm64 && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends swiftlang git libc6-dev ca-certificates' \
    >"$cache/install.log" 2>&1 || die "installing swiftlang failed; see $cache/install.log"
  touch "$root/.swift-ready"
fi

# The compiler that builds must be the one whose runtime the sysroot holds.
host_version=$(in_root "dpkg-query -W -f='\${Version}' swiftlang")
arm_version=$(in_root "apt-cache policy swiftlang:arm64 | sed -n 's/ *Candidate: //p'")
upstream() { echo "${1%%-*}"; }
[ "$(upstream "$host_version")" = "$(upstream "$arm_version")" ] ||
  die "swiftlang versions differ: amd64 $host_version, arm64 $arm_version on $mirror (wait for the mirror to catch up, or pin both)"

if [ ! -e "$sdk/.ready" ] || [ "$(cat "$sdk/.ready")" != "$arm_version" ]; then
  say "building the aarch64 sysroot from swiftlang $arm_version"
  gcc_dev=$(in_root "dpkg-query -W -f='\${Package}\n' 'libgcc-*-dev' | head -1 | sed 's/:.*//'")
  [ -n "$gcc_dev" ] || die "no libgcc-N-dev in the sid root"
  n=${gcc_dev#libgcc-}; n=${n%-dev}
  rm -rf "$root/debs" "$sdk"
  mkdir -p "$root/debs"
  in_root "cd /debs && apt-get download swiftlang:arm64 libswiftlang:arm64 libc6:arm64 libc6-dev:arm64 libgcc-s1:arm64 libgcc-$n-dev:arm64 libstdc++-$n-dev:arm64 libstdc++6:arm64 linux-libc-dev" \
    >"$cache/download.log" 2>&1 || die "downloading arm64 packages failed; see $cache/download.log"
  sysroot=$sdk/homelab-aarch64/sysroot
  mkdir -p "$sysroot" "$cache/swiftlang-arm64"
  for deb in "$root"/debs/*.deb; do
    case $deb in
      */swiftlang_*) dpkg -x "$deb" "$cache/swiftlang-arm64" ;;
      *) dpkg -x "$deb" "$sysroot" ;;
    esac
  done
  # Only the Swift and clang resource folders of the arm64 compiler package.
  mkdir -p "$sysroot/usr/libexec/swift/lib"
  for d in swift swift_static clang; do
    cp -a "$cache/swiftlang-arm64/usr/libexec/swift/lib/$d" "$sysroot/usr/libexec/swift/lib/"
  done
  rm -rf "$cache/swiftlang-arm64" "$root/debs"
  mkdir -p "$sysroot/usr/bin"
  ln -sfn usr/lib "$sysroot/lib"; ln -sfn usr/lib "$sysroot/lib64"; ln -sfn usr/bin "$sysroot/bin"
  ln -sfn ../libexec/swift/lib/swift_static "$sysroot/usr/lib/swift_static"
  cat >"$sdk/info.json" <<JSON
{"schemaVersion": "1.0", "artifacts": {"homelab-aarch64": {"type": "swiftSDK", "version": "$(upstream "$arm_version")", "variants": [{"path": "homelab-aarch64"}]}}}
JSON
  cat >"$sdk/homelab-aarch64/swift-sdk.json" <<'JSON'
{"schemaVersion": "4.0", "targetTriples": {"aarch64-unknown-linux-gnu": {
  "sdkRootPath": "sysroot",
  "swiftResourcesPath": "sysroot/usr/libexec/swift/lib/swift",
  "swiftStaticResourcesPath": "sysroot/usr/libexec/swift/lib/swift_static",
  "toolsetPaths": ["toolset.json"]}}}
JSON
  cat >"$sdk/homelab-aarch64/toolset.json" <<'JSON'
{"schemaVersion": "1.0", "swiftCompiler": {"extraCLIOptions": ["-use-ld=lld"]},
 "cCompiler": {"extraCLIOptions": ["-fuse-ld=lld"]}, "cxxCompiler": {"extraCLIOptions": ["-fuse-ld=lld"]}}
JSON
  echo "$arm_version" >"$sdk/.ready"
fi
say "ready: swiftlang $host_version (amd64) and $arm_version (arm64 sysroot)"
echo "$root"
