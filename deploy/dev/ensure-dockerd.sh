#!/usr/bin/env bash
# Starts dockerd when no daemon answers on /var/run/docker.sock (CI and fresh machines have none running).
set -euo pipefail
if docker version >/dev/null 2>&1; then exit 0; fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
  $sudo systemctl start docker
else
  # Every descriptor above 2 is closed first: a daemon that inherits, say, the lab's flock would hold that
  # lock for as long as it runs.
  $sudo bash -c 'for fd in $(ls /proc/$$/fd); do [ "$fd" -gt 2 ] && eval "exec $fd>&-"; done
    nohup dockerd >/var/log/homelab-test-dockerd.log 2>&1 &'
fi
for _ in $(seq 1 60); do
  docker version >/dev/null 2>&1 && exit 0
  sleep 0.5
done
echo "dockerd did not start; see /var/log/homelab-test-dockerd.log" >&2
exit 1
