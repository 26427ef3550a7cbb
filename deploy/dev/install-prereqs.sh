#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages the build and the tests need, only those missing.
# Uses sudo when not root. Swift itself is expected on PATH (https://swift.org/install).
set -euo pipefail
# libcurl4-openssl-dev: the controller's SMTP alerts; prometheus: promtool checks /metrics; python3-aiosmtpd: the SMTP test server.
packages=(libsqlite3-dev libssh2-1-dev libcurl4-openssl-dev sudo docker.io docker-compose busybox-static docker-registry apache2-utils python3 openssh-server iproute2 iptables openssl curl debootstrap qemu-user-static binutils python3-jsonschema python3-yaml caddy chromium chromium-driver python3-selenium python3-venv libnss3-tools libjs-chart.js prometheus python3-aiosmtpd restic gnupg sqlite3)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "swift is not on PATH (expected e.g. /opt/swift/usr/bin)" >&2; exit 1; }
