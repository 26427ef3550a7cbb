#!/usr/bin/env bash
# `make run`: a controller and an agent on this machine, state under ./.homelab/. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=.build/debug
state=.homelab
mkdir -p "$state"
api_port=${HOMELAB_API_PORT:-7443}
agent_port=${HOMELAB_AGENT_PORT:-7444}

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "stopping..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "stopped; state kept in $state/"
}
trap stop INT TERM EXIT

# Discovery stays off: make run keeps to this machine (the lab, `make lab`, shows discovery).
# The admin token made at first start goes to a private file that is shown below and then removed, never to the log.
once="$state/controller/initial-admin-token"
"$bin/homelab-controller" --state-dir "$state/controller" --api-port "$api_port" --agent-port "$agent_port" --no-discovery \
  --admin-token-file "$once" > >(tee "$state/controller.log") 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  curl -sk "https://127.0.0.1:$api_port/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

if [ ! -f "$state/agent/cert.pem" ]; then
  token=$("$bin/homelab-controller" join-token --state-dir "$state/controller" --ttl 600 --admin-token-file "$once")
  join=(--join-token "$token")
else
  join=()
fi
"$bin/homelab-agent" --controller "127.0.0.1:$agent_port" --discovery false --state-dir "$state/agent" "${join[@]}" \
  > "$state/agent.log" 2>&1 &
pids+=($!)

admin=""
if [ -s "$once" ]; then admin=$(cat "$once") && rm -f "$once"; fi
cat <<MSG

  homelab is running.
  API / dashboard:  https://127.0.0.1:$api_port   (CA: $state/controller/pki/ca.pem)
  logs:             $state/controller.log, $state/agent.log
MSG
if [ -n "$admin" ]; then
  echo "  admin token:      $admin   (shown only on first start: keep it)"
fi
cat <<MSG

  Try, in another terminal:
    export PATH="\$PWD/$bin:\$PATH"
    homelab login https://127.0.0.1:$api_port --token ${admin:-<admin token>} --ca $state/controller/pki/ca.pem
    homelab devices list
    homelab devices show $(hostname)
    homelab tokens create --ttl 1h

  Ctrl-C stops both.
MSG
wait
