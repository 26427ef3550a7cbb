#!/usr/bin/env bash
# Runs a test command (the README's `make test` passes `swift test …`) with a time limit: a hung test
# ends the run in minutes, not at CI's 90, and the process tree at that moment is printed, where a
# stuck child (a script waited for, a daemon) shows, with the tests that started and never ended.
# HOMELAB_TEST_LIMIT in seconds, default 1200; the Swift suite takes about 9 minutes on 2 cores.
# Output is line-buffered (stdbuf), so what a killed run printed last is what it did last, and kept
# in a log (HOMELAB_TEST_LOG, default a temporary file) that the watchdog reads.
set -uo pipefail
limit=${HOMELAB_TEST_LIMIT:-1200}
log=${HOMELAB_TEST_LOG:-$(mktemp /tmp/homelab-test-run.XXXXXX)}
: >"$log"
[ -n "${HOMELAB_TEST_LOG:-}" ] || trap 'rm -f "$log"' EXIT

stdbuf -oL -eL "$@" > >(tee -a "$log") 2>&1 &
pid=$!
trap 'kill -INT "$pid" 2>/dev/null' INT
trap 'kill -TERM "$pid" 2>/dev/null' TERM

# Swift Testing's tests that printed "started" and no "passed", "failed" or "skipped" line.
unfinished() {
  echo "run-tests: tests started and not ended:"
  sed -n 's/^[^"]*Test "\(.*\)" started\.$/started\t\1/p; s/^[^"]*Test "\(.*\)" \(passed\|failed\|skipped\).*/ended\t\1/p' "$log" |
    awk -F '\t' '$1 == "started" { open[$2] = 1 } $1 == "ended" { delete open[$2] } END { for (t in open) print "  " t }'
}

watchdog() {
  local deadline=$((SECONDS + limit))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      echo "run-tests: still running after ${limit}s; the processes now:" >&2
      ps -N --ppid 2 -o pid,ppid,etimes,stat,args --forest | cut -c1-220 >&2  # kernel threads left out
      unfinished >&2
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
