#!/usr/bin/env bash
# Images for the backup tests, made locally from the busybox fixture (deploy/dev/test-fixtures.sh):
#   homelab-test/fake-postgres:1  a FAKE PostgreSQL: its pg_dump writes half a dump and exits 1, as a
#                                 pg_dump that loses its server mid-dump does (no PostgreSQL image here)
#   homelab-test/sqlite:1         busybox with Debian's real sqlite3 and its libraries, for dump mode's real path
# Idempotent; prints nothing on success.
set -euo pipefail
DIR=${HOMELAB_FIXTURES_DIR:-/tmp/homelab-test-fixtures}
BASE=homelab-test/busybox:1
mkdir -p "$DIR"
exec 9>"$DIR/backup-images.lock"
flock 9
docker image inspect "$BASE" >/dev/null 2>&1 || { echo "run deploy/dev/test-fixtures.sh first: $BASE is missing" >&2; exit 1; }

build() { # build IMAGE DIR: the busybox root file system plus DIR's files, imported
  local image=$1 extra=$2 root="$DIR/$(echo "$1" | tr '/:' '__')"
  docker image inspect "$image" >/dev/null 2>&1 && return
  rm -rf "$root" && mkdir -p "$root"
  tar -C "$root" -xf "$DIR/busybox.tar"
  cp -a "$extra/." "$root/"
  tar -C "$root" -cf "$root.tar" .
  docker import -c 'ENV PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' -c 'CMD ["sh"]' "$root.tar" "$image" >/dev/null
  rm -rf "$root" "$root.tar"
}

fake=$(mktemp -d)
mkdir -p "$fake/usr/local/bin"
cat >"$fake/usr/local/bin/pg_dump" <<'SCRIPT'
#!/bin/sh
# FAKE pg_dump for the tests: half a custom-format dump, then the error a lost server gives.
printf 'PGDMP\001\016\000\004\010\001\001\001\000\000\000\000'
head -c 65536 /dev/zero
echo "pg_dump: error: connection to server on socket \"/var/run/postgresql/.s.PGSQL.5432\" failed: server closed the connection unexpectedly" >&2
exit 1
SCRIPT
chmod 0755 "$fake/usr/local/bin/pg_dump"
build homelab-test/fake-postgres:1 "$fake"
rm -rf "$fake"

if command -v sqlite3 >/dev/null; then
  lite=$(mktemp -d)
  mkdir -p "$lite/usr/bin"
  cp "$(command -v sqlite3)" "$lite/usr/bin/sqlite3"
  for lib in $(ldd "$(command -v sqlite3)" | awk '/=>/ {print $3} /ld-linux/ {print $1}'); do
    mkdir -p "$lite$(dirname "$lib")"
    cp -L "$lib" "$lite$lib"
  done
  build homelab-test/sqlite:1 "$lite"
  rm -rf "$lite"
fi
