#!/usr/bin/env bash
# Runs a test command (the README's `make test` passes `swift test …`) with a time limit: a hung test
# ends the run in minutes, not at CI's 90, and the process tree at that moment is printed, where a
# stuck child (a script waited for, a daemon) shows. HOMELAB_TEST_LIMIT in seconds, default 1200;
# the whole suite takes about 2 minutes on 2 cores.
set -uo pipefail
limit=${HOMELAB_TEST_LIMIT:-1200}

"$@" &
pid=$!
trap 'kill -INT "$pid" 2>/dev/null' INT
trap 'kill -TERM "$pid" 2>/dev/null' TERM

watchdog() {
  local deadline=$((SECONDS + limit))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      echo "run-tests: still running after ${limit}s; the processes now:" >&2
      ps -N --ppid 2 -o pid,ppid,etimes,stat,args --forest | cut -c1-220 >&2  # kernel threads left out
      pkill -TERM -P "$pid"; kill -TERM "$pid" 2>/dev/null
      sleep 15
      pkill -KILL -P "$pid"; kill -KILL "$pid" 2>/dev/null
      return
    fi
    sleep 2
  done
}
watchdog &
guard=$!

wait "$pid"
status=$?
kill "$guard" 2>/dev/null
wait "$guard" 2>/dev/null
exit "$status"
