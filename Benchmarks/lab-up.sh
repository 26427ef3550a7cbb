#!/usr/bin/env bash
# make bench (as root): median seconds from `lab up 3 --no-docker` to three devices online, with
# discovery and, as the baseline, with the controller's address written into every agent's config.
#   Benchmarks/lab-up.sh BIN_DIR [RUNS]
set -euo pipefail
bin=$1 runs=${2:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
lab="$here/deploy/lab/lab"
dir=/run/homelab-lab-bench
if [ "$(id -u)" -ne 0 ]; then echo "lab: skipped (needs root for network namespaces)"; exit 0; fi
export HOMELAB_BIN=$bin

once() { # once EXTRA_AGENT_CONFIG: prints seconds until 3 devices are online
  bash "$lab" --dir "$dir" down >/dev/null
  local start end online
  start=$(date +%s.%N)
  LAB_AGENT_EXTRA=$1 bash "$lab" --dir "$dir" up 3 --no-docker >/dev/null
  eval "$(bash "$lab" --dir "$dir" env)"
  for _ in $(seq 1 1200); do
    online=$("$bin/homelab" devices list -o json 2>/dev/null | grep -o '"status" *: *"online"' | wc -l || true)
    if [ "$online" -eq 3 ]; then
      end=$(date +%s.%N); awk "BEGIN { printf \"%.2f\\n\", $end - $start }"; return 0
    fi
    sleep 0.05
  done
  echo "lab: devices not online within 60 s" >&2; return 1
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

trap 'bash "$lab" --dir "$dir" down >/dev/null 2>&1 || true' EXIT
configured=() discovered=()
for _ in $(seq 1 "$runs"); do
  configured+=("$(once 'controller: 198.18.0.2:7444')")
  discovered+=("$(once '')")
done
echo "== lab: $runs × 'lab up 3 --no-docker' until three devices are online (median, seconds)"
printf '%-44s%s\n' "controller address configured (baseline)" "$(printf '%s\n' "${configured[@]}" | median)"
printf '%-44s%s\n' "found by multicast discovery" "$(printf '%s\n' "${discovered[@]}" | median)"
