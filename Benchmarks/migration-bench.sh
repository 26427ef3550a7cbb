#!/usr/bin/env bash
# make bench (as root): moving an app with a volume between two lab devices with `homelab apps migrate`,
# cold and --warm. The app (busybox httpd, its volume filled with MIB MiB of random files) rewrites 1 % of
# its volume every 2 s, so the copy after a warm one has that much to send again. Printed per run: the
# downtime (the source stopped → healthy at the destination, from the job's stored steps) and every step's
# time (to the second: the steps are stored with seconds). The app stops at once on SIGTERM. Each run moves
# the app back the other way (after --finish removed the kept source).
#   Benchmarks/migration-bench.sh BIN_DIR [MIB]
set -euo pipefail
bin=$(cd "$1" && pwd) mib=${2:-1024}
here=$(cd "$(dirname "$0")/.." && pwd)
lab() { bash "$here/deploy/lab/lab" --dir "$dir" "$@"; }
dir=/run/homelab-lab-bench
if [ "$(id -u)" -ne 0 ]; then echo "migrations: skipped (the lab needs root)"; exit 0; fi
export HOMELAB_BIN=$bin
work=$(mktemp -d)
trap 'lab down >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
lab down >/dev/null
LAB_AGENT_EXTRA=$'heartbeat_interval: 1s' lab up --device nas --device pi4 >/dev/null
eval "$(lab env)"
export HOMELAB_URL HOMELAB_TOKEN HOMELAB_CA
api() { curl -sf --cacert "$HOMELAB_CA" -H "Authorization: Bearer $HOMELAB_TOKEN" "$@"; }
for _ in $(seq 1 600); do
  [ "$(api "$HOMELAB_URL/v1/devices" | grep -o '"status":"online"' | wc -l)" -eq 2 ] && break; sleep 0.1
done

churn=$((mib * 1024 / 100))  # KiB: 1 % of the volume
cat >"$work/bench-app.yaml" <<EOF
id: bench-app
name: Bench app
tagline: busybox httpd keeping files in a volume, 1 % of them rewritten every 2 s
category: other
version: "1"
architectures: [amd64, arm64]
components:
  - name: app
    compose:
      services:
        web:
          image: 198.18.0.1:5000/busybox:latest
          command: ["sh", "-c", "mkdir -p /www; echo up > /www/index.html; (while true; do head -c $((churn * 1024)) /dev/urandom > /data/churn.bin; sleep 2; done) & httpd -f -p 8080 -h /www & trap 'exit 0' TERM; wait"]
          ports: ["18480:8080"]
          volumes: ["data:/data"]
      volumes:
        data: {}
health:
  - component: app
    service: web
    http: {port: 8080, path: /}
EOF
"$bin/homelab" deploy "$work/bench-app.yaml" --device nas --name bench >/dev/null
src=$(lab exec nas docker volume inspect -f '{{.Mountpoint}}' bench_data)
for i in $(seq 1 $((mib / 64))); do head -c $((64 << 20)) /dev/urandom >"$src/file-$i.bin"; done
sync

# The steps of the newest migration job of bench, timed: each step's seconds until the next one, and the downtime.
report() {
  api "$HOMELAB_URL/v1/deployments/bench" | python3 -c '
import json, sys
from datetime import datetime
label, = sys.argv[1:]
steps = json.load(sys.stdin)["steps"]
start = max(i for i, s in enumerate(steps) if s["message"].startswith("Moving bench"))
steps = steps[start:]
t = lambda s: datetime.fromisoformat(s["time"].replace("Z", "+00:00")).timestamp()
stop = next(t(s) for s in steps if s["message"].startswith("Stopping app on"))
healthy = next(t(s) for s in steps if s["message"].startswith("Healthy on"))
print(f"== migration, {label}: downtime (source stopped → healthy at the destination) {healthy - stop:.2f} s, whole job {t(steps[-1]) - t(steps[0]):.2f} s")
for a, b in zip(steps, steps[1:]):
    said = a["message"][:100]
    print(f"   {t(b) - t(a):7.2f} s  {said}")
' "$1"
}
move() { # to, label, flags…
  "$bin/homelab" apps migrate bench --to "$1" "${@:3}" >"$work/steps" ||
    { cat "$work/steps" >&2; lab exec "$1" docker logs bench-web-1 >&2 || true; exit 1; }
  report "$2"
  "$bin/homelab" apps migrate --finish bench >/dev/null
}
echo "(a $mib MiB volume, 1 % rewritten every 2 s)"
move pi4 "cold, nas → pi4"
move nas "--warm, pi4 → nas" --warm
