# Sourced by deploy/dev/api-fuzz.sh and Benchmarks/hardening-bench.sh: starts a controller on loopback on two
# free ports below the kernel's ephemeral range (where the tests take theirs), in a fresh state directory, and
# stops it and removes the directory on exit. Sets: state, api, agent, pid, token.
start_loopback_controller() { # BIN
  state=$(mktemp -d /tmp/homelab-loopback.XXXXXX)
  pid=""
  trap 'stop_loopback_controller' EXIT
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
  "$1/homelab-controller" --state-dir "$state/controller" --listen 127.0.0.1 --api-port "$api" --agent-port "$agent" \
    --no-discovery --admin-token-file "$state/admin-token" >"$state/controller.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 100); do
    curl -sf --cacert "$state/controller/pki/ca.pem" "https://127.0.0.1:$api/healthz" >/dev/null 2>&1 && break
    sleep 0.2
  done
  token=$(cat "$state/admin-token")
}

stop_loopback_controller() {
  [ -z "$pid" ] || { kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
  rm -rf "$state"
}
