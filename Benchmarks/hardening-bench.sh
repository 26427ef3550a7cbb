#!/usr/bin/env bash
# `make bench`: the probe figures of issue 14 (8,248 idle connections, RSS before/after the flood, 2,000 wrong
# tokens) against a release controller on loopback, through Benchmarks/listener-flood.py.
set -euo pipefail
bin=${1:-.build/release}
state=$(mktemp -d /tmp/homelab-hardening-bench.XXXXXX)
pid=""
cleanup() {
  [ -z "$pid" ] || { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  rm -rf "$state"
}
trap cleanup EXIT
ulimit -n 65536 2>/dev/null || true
read -r api agent < <(/usr/bin/python3 -c '
import random, socket
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
ports = []
while len(ports) < 2:
    port = random.randrange(20000, low - 1)
    with socket.socket() as s:
        try: s.bind(("127.0.0.1", port)); ports.append(port)
        except OSError: pass
print(*ports)')
"$bin/homelab-controller" --state-dir "$state/controller" --listen 127.0.0.1 --api-port "$api" --agent-port "$agent" \
  --no-discovery --admin-token-file "$state/admin-token" >"$state/controller.log" 2>&1 &
pid=$!
for _ in $(seq 1 100); do
  curl -sf --cacert "$state/controller/pki/ca.pem" "https://127.0.0.1:$api/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done
echo "== the probe of issue 14 against a release controller (API on 127.0.0.1:$api)"
/usr/bin/python3 "$(dirname "$0")/listener-flood.py" "$pid" "$api" "$state/controller/pki/ca.pem" "$(cat "$state/admin-token")" 8248
