#!/usr/bin/env bash
# make bench (as root): moving a 1 GiB volume between two lab devices. Ours (POST /v1/transfers:
# walk and hash both sides, mutual TLS agent to agent, GNU tar, the manifest check) beside the
# baseline `tar c | ssh dst tar x` of the same volume over the same bridge, alternately, same run.
# Then, on one device, how fast each way of reading a volume goes: the Engine's archive endpoint
# (what `homelab-agent volume archive` uses) and GNU tar on the volume's directory.
#   Benchmarks/transfer-bench.sh BIN_DIR [RUNS] [MIB]
set -euo pipefail
bin=$(cd "$1" && pwd) runs=${2:-3} mib=${3:-1024}
here=$(cd "$(dirname "$0")/.." && pwd)
lab() { bash "$here/deploy/lab/lab" --dir "$dir" "$@"; }
dir=/run/homelab-lab-bench
if [ "$(id -u)" -ne 0 ]; then echo "transfers: skipped (the lab needs root)"; exit 0; fi
export HOMELAB_BIN=$bin
trap 'lab down >/dev/null 2>&1 || true' EXIT
lab down >/dev/null
LAB_AGENT_EXTRA=$'heartbeat_interval: 1s' lab up --device nas:sshd=true --device pi4:sshd=true >/dev/null
eval "$(lab env)"
key=$(lab ssh-key)
api() { curl -sf --cacert "$HOMELAB_CA" -H "Authorization: Bearer $HOMELAB_TOKEN" "$@"; }
for _ in $(seq 1 600); do
  [ "$(api "$HOMELAB_URL/v1/devices" | grep -o '"status":"online"' | wc -l)" -eq 2 ] && break; sleep 0.1
done

# The volume: files of 64 MiB of random data (incompressible), on nas.
lab exec nas docker volume create bench_data >/dev/null
src=$(lab exec nas docker volume inspect -f '{{.Mountpoint}}' bench_data)
for i in $(seq 1 $((mib / 64))); do head -c $((64 << 20)) /dev/urandom >"$src/file-$i.bin"; done
sync

ours() { # seconds from the request to the destination's verified copy
  lab exec pi4 docker volume rm -f bench_data >/dev/null 2>&1 || true
  local start id state
  start=$(date +%s.%N)
  id=$(api -X POST "$HOMELAB_URL/v1/transfers" -d '{"source":"nas","destination":"pi4","volumes":["bench_data"]}' | sed 's/.*"id":"\([^"]*\)".*/\1/')
  while state=$(api "$HOMELAB_URL/v1/transfers/$id" | grep -o '"state":"[a-z]*"'); [ "$state" = '"state":"running"' ]; do sleep 0.05; done
  [ "$state" = '"state":"succeeded"' ] || { echo "transfer failed: $(api "$HOMELAB_URL/v1/transfers/$id")" >&2; exit 1; }
  awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f\n", b - a }'
}
baseline() { # seconds for tar | ssh | tar into a fresh volume directory on pi4
  lab exec pi4 docker volume rm -f bench_copy >/dev/null 2>&1 || true
  lab exec pi4 docker volume create bench_copy >/dev/null
  local dst start
  dst=$(lab exec pi4 docker volume inspect -f '{{.Mountpoint}}' bench_copy)
  start=$(date +%s.%N)
  lab exec nas sh -c "tar -C '$src' -cf - . | ssh -q -i '$key' -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null root@198.18.0.11 tar -C '$dst' -xf -"
  awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f\n", b - a }'
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mine=() theirs=()
for _ in $(seq 1 "$runs"); do
  theirs+=("$(baseline)")
  mine+=("$(ours)")
done
m=$(printf '%s\n' "${mine[@]}" | median) t=$(printf '%s\n' "${theirs[@]}" | median)
echo "== transfers: a $mib MiB volume nas → pi4 over the lab bridge ($runs runs each, alternately; median seconds, MiB/s)"
printf '%-56s%8s s %8s MiB/s   runs: %s\n' "tar c | ssh root@pi4 tar x (baseline)" "$t" "$(awk "BEGIN { printf \"%.0f\", $mib / $t }")" "${theirs[*]}"
printf '%-56s%8s s %8s MiB/s   runs: %s\n' "homelab transfer (hashes both sides, checks manifests)" "$m" "$(awk "BEGIN { printf \"%.0f\", $mib / $m }")" "${mine[*]}"
printf '%-56s%8s×\n' "ours against the baseline (throughput ratio)" "$(awk "BEGIN { printf \"%.2f\", $t / $m }")"

# Reading the volume on one device: the Engine's archive endpoint against GNU tar on its directory.
engine=() gnu=()
for _ in $(seq 1 "$runs"); do
  engine+=("$( { /usr/bin/time -f '%e %U %S' "$bin/homelab-agent" volume archive bench_data "198.18.0.1:5000/busybox:latest" \
               --docker-socket "$(lab exec nas sh -c 'echo ${DOCKER_HOST#unix://}')" --discovery false >/dev/null; } 2>&1 | tail -n 1)")
  # Through a pipe: GNU tar writing to /dev/null itself notices and reads no file at all (0.00 s).
  gnu+=("$( { /usr/bin/time -f '%e %U %S' sh -c 'tar --format=posix --sparse --acls --xattrs -C "$1" -cf - . | cat >/dev/null' tar "$src"; } 2>&1 | tail -n 1)")
done
row() { printf '%s\n' "${@:2}" | sort -n | awk -v name="$1" -v mib="$mib" '{w[NR]=$1; c[NR]=$2+$3} END {
  m=int((NR+1)/2); printf "%-56s%8.2f s %8.0f MiB/s   CPU of the reader %.2f s\n", name, w[m], mib / w[m], c[m] }'; }
echo "== reading a $mib MiB volume on one device (median of $runs; engine: dockerd's CPU is not counted)"
row "Engine archive endpoint (homelab-agent volume archive)" "${engine[@]}"
row "GNU tar on the volume's directory" "${gnu[@]}"
