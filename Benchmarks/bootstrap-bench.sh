#!/usr/bin/env bash
# make bench (as root): medians of a network scan of the lab's /24 (one bare host, one agent, the rest
# empty) and of installing an agent on a bare lab host over SSH, beside scp of the same binary.
#   Benchmarks/bootstrap-bench.sh BIN_DIR [RUNS]
set -euo pipefail
bin=$1 runs=${2:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
lab="$here/deploy/lab/lab"
dir=/run/homelab-lab-bench
if [ "$(id -u)" -ne 0 ]; then echo "bootstrap: skipped (needs root for network namespaces)"; exit 0; fi
export HOMELAB_BIN=$bin NO_COLOR=1
L() { bash "$lab" --dir "$dir" "$@"; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f\n", b - a }'; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

trap 'L down >/dev/null 2>&1 || true' EXIT
L down >/dev/null
L up --device withagent --device bare:agent=false,sshd=true --no-docker >/dev/null
eval "$(L env)"
key=$(L ssh-key)
fingerprint=$(ssh-keygen -lf "$dir/devices/bare/ssh/ssh_host_ed25519_key.pub" | cut -d' ' -f2)
agent="$dir/controller/agent-binaries/homelab-agent-linux-amd64"
for _ in $(seq 1 100); do "$bin/homelab" devices list -o json 2>/dev/null | grep -q '"online"' && break; sleep 0.1; done

scan_all=() scan_ssh=() add=() upgrade=() scp=()
for _ in $(seq 1 "$runs"); do
  t=$(now); "$bin/homelab" scan 198.18.0.0/24 --no-dns >/dev/null; scan_all+=("$(since "$t")")
  t=$(now); "$bin/homelab" scan 198.18.0.0/24 --no-dns --ports 22 >/dev/null; scan_ssh+=("$(since "$t")")
  t=$(now); "$bin/homelab" devices add 198.18.0.11 --key "$key" --accept-host-key "$fingerprint" >/dev/null; add+=("$(since "$t")")
  t=$(now); "$bin/homelab" devices add 198.18.0.11 --key "$key" >/dev/null; upgrade+=("$(since "$t")")
  "$bin/homelab" devices uninstall bare --key "$key" >/dev/null
  t=$(now)
  L exec controller scp -q -i "$key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "$agent" root@198.18.0.11:/tmp/agent-copy
  scp+=("$(since "$t")")
  L exec controller ssh -q -i "$key" -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null root@198.18.0.11 rm -f /tmp/agent-copy
done
size=$(( $(stat -c %s "$agent") / 1048576 ))
echo "== bootstrap: $runs runs in the lab (medians, seconds)"
printf '%-64s%s\n' "scan 198.18.0.0/24, 12 ports (253 addresses, 2 hosts)" "$(printf '%s\n' "${scan_all[@]}" | median)"
printf '%-64s%s\n' "scan 198.18.0.0/24, port 22 only" "$(printf '%s\n' "${scan_ssh[@]}" | median)"
printf '%-64s%s\n' "devices add on a bare host, until online (agent ${size} MiB)" "$(printf '%s\n' "${add[@]}" | median)"
printf '%-64s%s\n' "devices add again: upgrade in place, until online" "$(printf '%s\n' "${upgrade[@]}" | median)"
printf '%-64s%s\n' "scp of the same binary (baseline: the upload alone)" "$(printf '%s\n' "${scp[@]}" | median)"
