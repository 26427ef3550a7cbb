#!/usr/bin/env bash
# make bench: a 5-service stack applied by `homelab-agent stack apply` beside `docker-compose up -d`
# (from scratch and as a no-op), and a 1 GiB volume copied by `homelab-agent volume archive | restore`
# beside `docker cp | docker cp`, all on this machine's dockerd in the same run. Only the local
# fixture image (deploy/dev/test-fixtures.sh) is used; nothing is pulled.
#   Benchmarks/stack-bench.sh BIN_DIR [RUNS]
set -euo pipefail
bin=$1 runs=${2:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
agent="$bin/homelab-agent"
ours=hlbench-agent theirs=hlbench-compose
src=hlbench-vol-src dst=hlbench-vol-dst base=hlbench-vol-cp
c1=hlbench-cp-from c2=hlbench-cp-to
if ! docker info >/dev/null 2>&1; then echo "stacks: skipped (no dockerd)"; exit 0; fi
if ! command -v docker-compose >/dev/null; then echo "stacks: skipped (no docker-compose)"; exit 0; fi
image=$("$here/deploy/dev/test-fixtures.sh" | sed -n 's/^IMAGE=//p')
docker image inspect "$image" >/dev/null  # local only: never pulled
tmp=$(mktemp -d /tmp/hlbench.XXXXXX)

teardown() { # everything this script creates but the temporary directory; also what an interrupted run left
  timeout 120 "$agent" stack rm "$ours" --state-dir "$tmp/state" --volumes true >/dev/null 2>&1 || true
  [ ! -f "$tmp/compose.yml" ] || timeout 120 docker-compose -p "$theirs" -f "$tmp/compose.yml" down -v -t 1 >/dev/null 2>&1 || true
  local helpers  # several ids or none: split on purpose below
  helpers=$(for v in "$src" "$dst"; do docker ps -aq --filter label=io.homelab.helper=volume --filter "label=io.homelab.volume=$v"; done)
  timeout 60 docker rm -f $c1 $c2 $helpers >/dev/null 2>&1 || true
  timeout 60 docker volume rm -f $src $dst $base >/dev/null 2>&1 || true
}
trap 'teardown; rm -rf "$tmp"' EXIT
trap 'exit 143' INT TERM HUP

free_port() { # a TCP port nothing listens on
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 40000))
    [ -n "$(ss -Htln "( sport = :$p )")" ] || { echo "$p"; return 0; }
  done
  echo "no free port" >&2; return 1
}
timed() { # timed CMD...: runs CMD (output kept aside), prints its seconds; fails with it
  local start end
  start=$(date +%s.%N)
  if ! "$@" >"$tmp/out" 2>&1; then echo "failed: $*" >&2; cat "$tmp/out" >&2; return 1; fi
  end=$(date +%s.%N); awk "BEGIN { printf \"%.2f\\n\", $end - $start }"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# == stacks: the same five services, ours as a stack spec (JSON), Compose's as a compose file.
# Every long-running command exits on SIGTERM, so `down` does not wait out the stop timeout.
loop="trap 'exit 0' TERM; while :; do sleep 1 & wait; done"
serve() { echo "trap 'exit 0' TERM; $1 & wait"; }
db_cmd="echo ok > /data/ok && $(serve 'httpd -f -p 8080 -h /data')"
web_cmd="mkdir -p /www && echo hello > /www/index.html && $(serve 'httpd -f -p 80 -h /www')"
spec() { # spec PROJECT PORT: the stack spec JSON
  cat <<EOF
{"name": "$1",
 "services": {
  "db": {"image": "$image", "command": ["sh", "-c", "$db_cmd"],
         "volumes": [{"type": "volume", "source": "data", "target": "/data"}],
         "networks": {"back": {"aliases": ["database"]}},
         "healthcheck": {"test": ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/ok"], "interval": "500ms", "retries": 20}},
  "web": {"image": "$image", "command": ["sh", "-c", "$web_cmd"],
          "networks": {"back": {}, "front": {}}, "ports": ["127.0.0.1:$2:80"],
          "depends_on": {"db": {"condition": "service_started"}}, "environment": {"DB_HOST": "database", "MODE": "bench"}},
  "worker": {"image": "$image", "command": ["sh", "-c", "$loop"],
             "volumes": [{"type": "volume", "source": "data", "target": "/data", "read_only": true}],
             "networks": {"back": {}}, "depends_on": {"db": {"condition": "service_started"}},
             "environment": {"QUEUE": "jobs", "WORKERS": "2"}},
  "cache": {"image": "$image", "command": ["sh", "-c", "$loop"], "networks": {"back": {}},
            "environment": {"CACHE_SIZE": "64m"}},
  "cron": {"image": "$image", "command": ["sh", "-c", "$loop"], "networks": {"front": {}},
           "depends_on": {"web": {"condition": "service_started"}}, "environment": {"SCHEDULE": "hourly"}}},
 "networks": {"back": {}, "front": {}},
 "volumes": {"data": {}}}
EOF
}
compose() { # compose PORT: the equivalent compose file ($$ is a literal $ to Compose; none are needed)
  cat <<EOF
services:
  db:
    image: $image
    command: ["sh", "-c", "$db_cmd"]
    volumes: [{type: volume, source: data, target: /data}]
    networks: {back: {aliases: [database]}}
    healthcheck: {test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/ok"], interval: 500ms, retries: 20}
  web:
    image: $image
    command: ["sh", "-c", "$web_cmd"]
    networks: {back: {}, front: {}}
    ports: ["127.0.0.1:$1:80"]
    depends_on: {db: {condition: service_started}}
    environment: {DB_HOST: database, MODE: bench}
  worker:
    image: $image
    command: ["sh", "-c", "$loop"]
    volumes: [{type: volume, source: data, target: /data, read_only: true}]
    networks: {back: {}}
    depends_on: {db: {condition: service_started}}
    environment: {QUEUE: jobs, WORKERS: "2"}
  cache:
    image: $image
    command: ["sh", "-c", "$loop"]
    networks: {back: {}}
    environment: {CACHE_SIZE: 64m}
  cron:
    image: $image
    command: ["sh", "-c", "$loop"]
    networks: {front: {}}
    depends_on: {web: {condition: service_started}}
    environment: {SCHEDULE: hourly}
networks: {back: {}, front: {}}
volumes: {data: {}}
EOF
}
port_ours=$(free_port) port_theirs=$(free_port)
while [ "$port_theirs" = "$port_ours" ]; do port_theirs=$(free_port); done
spec "$ours" "$port_ours" >"$tmp/spec.json"
compose "$port_theirs" >"$tmp/compose.yml"
teardown
a_stack=(timeout 300 "$agent" stack apply "$tmp/spec.json" --state-dir "$tmp/state")
a_rm=("$agent" stack rm "$ours" --state-dir "$tmp/state" --volumes true)
c_up=(timeout 300 docker-compose -p "$theirs" -f "$tmp/compose.yml" up -d)
c_down=(docker-compose -p "$theirs" -f "$tmp/compose.yml" down -v -t 10)

running() { # running PROJECT PORT: five containers running and the published port answering
  local n
  for _ in $(seq 1 100); do
    n=$(docker ps -q --filter "label=com.docker.compose.project=$1" --filter status=running | wc -l)
    if [ "$n" -eq 5 ] && curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$2/"; then return 0; fi
    sleep 0.1
  done
  echo "stacks: $1 is not up (five running containers, port $2 answering) within 10 s" >&2
  docker ps -a --filter "label=com.docker.compose.project=$1" >&2; return 1
}

a_new=() a_noop=() c_new=() c_noop=()
for _ in $(seq 1 "$runs"); do
  timeout 120 "${a_rm[@]}" >/dev/null
  a_new+=("$(timed "${a_stack[@]}")")
  a_noop+=("$(timed "${a_stack[@]}")")
  running "$ours" "$port_ours"
  timeout 120 "${a_rm[@]}" >/dev/null
  timeout 120 "${c_down[@]}" >/dev/null 2>&1
  c_new+=("$(timed "${c_up[@]}")")
  c_noop+=("$(timed "${c_up[@]}")")
  running "$theirs" "$port_theirs"
  timeout 120 "${c_down[@]}" >/dev/null 2>&1
done
echo "== stacks: 5-service stack, median of $runs runs (seconds)"
printf '%-48s%s\n' "homelab-agent stack apply, from scratch" "$(printf '%s\n' "${a_new[@]}" | median)"
printf '%-48s%s\n' "docker-compose up -d, from scratch (baseline)" "$(printf '%s\n' "${c_new[@]}" | median)"
printf '%-48s%s\n' "homelab-agent stack apply, no-op" "$(printf '%s\n' "${a_noop[@]}" | median)"
printf '%-48s%s\n' "docker-compose up -d, no-op (baseline)" "$(printf '%s\n' "${c_noop[@]}" | median)"

# == volumes: 1 GiB (16 × 64 MiB of random bytes) copied into a fresh volume.
vruns=$((runs < 3 ? runs : 3))
docker volume create $src >/dev/null
timeout 600 docker run --rm --network none -v $src:/v "$image" \
  sh -c 'for i in $(seq 1 16); do head -c 67108864 /dev/urandom > /v/f$i || exit 1; done'
sum() { timeout 300 docker run --rm --network none -v "$1":/v:ro "$image" sh -c 'cd /v && md5sum f* | md5sum'; }
want=$(sum $src)
fresh() { timeout 60 docker volume rm -f "$1" >/dev/null; docker volume create "$1" >/dev/null; }
check() { # check VOLUME WHO: the copy's checksum equals the source's
  local got; got=$(sum "$1")
  if [ "$got" != "$want" ]; then
    echo "volumes: $2 copied $src into $1 wrong: md5 $got, want $want" >&2
    docker run --rm -v "$1":/v:ro "$image" ls -la /v >&2; exit 1
  fi
}
mibps() { awk -v s="$1" 'BEGIN { printf "%.0f\n", 1024 / s }'; }
pipe_ours() { timeout 300 "$agent" volume archive $src "$image" | timeout 300 "$agent" volume restore $dst "$image"; }
pipe_cp() { timeout 300 docker cp $c1:/v/. - | timeout 300 docker cp - $c2:/v; }
ours_mibps=() cp_mibps=()
for i in $(seq 1 "$vruns"); do
  fresh $dst
  s=$(timed pipe_ours); ours_mibps+=("$(mibps "$s")")
  [ "$i" -gt 1 ] || check $dst "homelab-agent volume archive | restore"
  timeout 60 docker rm -f $c1 $c2 >/dev/null 2>&1 || true
  fresh $base
  docker create --name $c1 --network none -v $src:/v --entrypoint /x "$image" >/dev/null
  docker create --name $c2 --network none -v $base:/v --entrypoint /x "$image" >/dev/null
  s=$(timed pipe_cp); cp_mibps+=("$(mibps "$s")")
  [ "$i" -gt 1 ] || check $base "docker cp | docker cp"
done
echo "== volumes: 1 GiB archive+restore (median MiB/s of $vruns runs)"
printf '%-48s%s\n' "homelab-agent archive | restore" "$(printf '%s\n' "${ours_mibps[@]}" | median)"
printf '%-48s%s\n' "docker cp | docker cp (baseline)" "$(printf '%s\n' "${cp_mibps[@]}" | median)"
