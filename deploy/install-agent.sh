#!/usr/bin/env bash
# Installs the homelab agent on this device as a systemd service.
#   deploy/install-agent.sh --token HLJ1.… [--binary PATH] [--name NAME] [--controller HOST:PORT] [--no-start]
# With a reusable join token and no --controller, the agent finds the controller by its multicast
# announcements and enrolls on its own at every boot. DESTDIR=/some/root installs into that tree
# (packaging, tests) and implies --no-start.
set -euo pipefail

usage() { sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }

token="" binary="" name="" controller="" start=1
while [ $# -gt 0 ]; do
  case "$1" in
    --token) token=${2:?--token needs a value}; shift 2 ;;
    --binary) binary=${2:?--binary needs a path}; shift 2 ;;
    --name) name=${2:?--name needs a value}; shift 2 ;;
    --controller) controller=${2:?--controller needs host:port}; shift 2 ;;
    --no-start) start=0; shift ;;
    -h|--help) usage 0 ;;
    *) echo "install-agent: unknown argument '$1'" >&2; usage 64 ;;
  esac
done

root=${DESTDIR:-}
[ -n "$root" ] && start=0
here=$(cd "$(dirname "$0")" && pwd)
[ -n "$binary" ] || binary="$here/../.build/release/homelab-agent"
[ -x "$binary" ] || { echo "install-agent: no agent binary at $binary (build with 'swift build -c release' or pass --binary)" >&2; exit 66; }
case "$token" in
  HLJ1.*) ;;
  "") echo "install-agent: pass --token (make one with 'homelab tokens create --reusable')" >&2; exit 64 ;;
  *) echo "install-agent: '$token' is not a join token (they start with HLJ1.)" >&2; exit 64 ;;
esac
if [ -z "$root" ] && [ "$(id -u)" -ne 0 ]; then
  echo "install-agent: run as root (the agent drives Docker, so it is installed as a system service)" >&2
  exit 77
fi

install -d -m 0755 "$root/usr/local/bin" "$root/etc/systemd/system"
install -d -m 0700 "$root/etc/homelab"
install -m 0755 "$binary" "$root/usr/local/bin/homelab-agent"
install -m 0644 "$here/systemd/homelab-agent.service" "$root/etc/systemd/system/homelab-agent.service"
config="$root/etc/homelab/agent.yaml"
umask 077
{
  echo "# Written by deploy/install-agent.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ). See docs/configuration.md."
  echo "join_token: $token"
  [ -n "$name" ] && echo "name: $name"
  [ -n "$controller" ] && echo "controller: $controller"
  true
} > "$config.new"
mv "$config.new" "$config"
echo "installed $root/usr/local/bin/homelab-agent, $root/etc/systemd/system/homelab-agent.service, $config"

if [ "$start" -eq 1 ]; then
  systemctl daemon-reload
  systemctl enable --now homelab-agent
  echo "started: follow it with 'journalctl -u homelab-agent -f'"
fi
