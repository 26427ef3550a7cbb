#!/usr/bin/env bash
# Builds a fully static, stripped agent for one architecture into OUTDIR, with its .sha256.
#   deploy/cross/build-agent.sh amd64|arm64 OUTDIR
# amd64 uses the host toolchain; arm64 the Debian sid cross toolchain (deploy/cross/toolchain.sh).
# Both build from a copy of the working tree with the git commit stamped into BuildInfo.swift.
set -euo pipefail
arch=${1:?usage: build-agent.sh amd64|arm64 OUTDIR} out=${2:?usage: build-agent.sh amd64|arm64 OUTDIR}
repo=$(cd "$(dirname "$0")/../.." && pwd)
cache=${HOMELAB_CROSS_CACHE:-/var/cache/homelab-cross}
say() { echo "build-agent: $*" >&2; }
die() { echo "build-agent: error: $*" >&2; exit 1; }
mkdir -p "$out"; out=$(cd "$out" && pwd)
commit=$(git -C "$repo" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
git -C "$repo" diff --quiet HEAD 2>/dev/null || commit="$commit-dirty"

stage() { # stage DIR: the tracked files of the working tree, stamped, into DIR (its .build kept)
  local dir=$1
  mkdir -p "$dir"
  find "$dir" -mindepth 1 -maxdepth 1 ! -name .build -exec rm -rf {} +
  (cd "$repo" && git ls-files -z --cached --others --exclude-standard | xargs -0 tar -cf - 2>/dev/null) | tar -C "$dir" -xf -
  sed -i "s/^    public static let commit = .*/    public static let commit = \"$commit\"/" "$dir/Sources/Agent/BuildInfo.swift"
}

flags=(-c release --product homelab-agent --static-swift-stdlib -Xswiftc -static-executable)
case $arch in
  amd64)
    stage "$cache/amd64-build"
    say "building the amd64 agent (host toolchain)"
    (cd "$cache/amd64-build" && swift build "${flags[@]}") >"$cache/build-amd64.log" 2>&1 ||
      die "the amd64 build failed; see $cache/build-amd64.log"
    binary=$(cd "$cache/amd64-build" && swift build "${flags[@]}" --show-bin-path)/homelab-agent
    strip -o "$out/homelab-agent-linux-amd64" "$binary"
    ;;
  arm64)
    [ "$(id -u)" -eq 0 ] || die "the arm64 build runs in a chroot: run as root"
    root=$("$repo/deploy/cross/toolchain.sh")
    cleanup() {
      for m in "$root/opt/swift-packages" "$root/proc"; do mountpoint -q "$m" && umount "$m"; done
      return 0
    }
    trap cleanup EXIT
    mkdir -p "$root/opt/swift-packages"
    mountpoint -q "$root/opt/swift-packages" || mount --bind -o ro /opt/swift-packages "$root/opt/swift-packages"
    mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
    stage "$root/build/homelab"
    say "building the arm64 agent (sid cross toolchain)"
    chroot "$root" sh -c 'git config --global url./opt/swift-packages/.insteadOf https://github.com/ &&
      git config --global --add safe.directory "*" && cd /build/homelab &&
      swift build "$@" --swift-sdks-path /sdk --swift-sdk homelab-aarch64' sh "${flags[@]}" >"$cache/build-arm64.log" 2>&1 ||
      die "the arm64 build failed; see $cache/build-arm64.log"
    # llvm-objcopy of the same toolchain: binutils' strip cannot parse lld's attribute sections.
    chroot "$root" /usr/libexec/swift/bin/llvm-objcopy --strip-all \
      /build/homelab/.build/aarch64-unknown-linux-gnu/release/homelab-agent /build/homelab-agent-stripped
    mv "$root/build/homelab-agent-stripped" "$out/homelab-agent-linux-arm64"
    ;;
  *) die "unknown architecture '$arch' (amd64 or arm64)" ;;
esac
file=$out/homelab-agent-linux-$arch
(cd "$out" && sha256sum "$(basename "$file")" >"$(basename "$file").sha256")
say "$file ($(du -h "$file" | cut -f1), commit $commit)"
