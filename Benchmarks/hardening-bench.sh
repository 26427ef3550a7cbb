#!/usr/bin/env bash
# `make bench`: the probe figures of issue 14 (8,248 idle connections, RSS before/after the flood, 2,000 wrong
# tokens) against a release controller on loopback, through Benchmarks/listener-flood.py.
set -euo pipefail
bin=${1:-.build/release}
ulimit -n 65536 2>/dev/null || true
. "$(dirname "$0")/../deploy/dev/loopback-controller.sh"
start_loopback_controller "$bin"
echo "== the probe of issue 14 against $bin/homelab-controller (API on 127.0.0.1:$api)"
/usr/bin/python3 "$(dirname "$0")/listener-flood.py" "$pid" "$api" "$state/controller/pki/ca.pem" "$token" 8248
