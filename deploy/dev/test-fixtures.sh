#!/usr/bin/env bash
# Fixtures for the tests that drive this machine's dockerd: a busybox image made locally (Debian's
# static busybox, `docker import`; no registry is reachable from here) and two registries on
# loopback holding it: one open, one with htpasswd auth. Idempotent (the registries keep running);
# prints KEY=VALUE lines for the tests.
set -euo pipefail
DIR=${HOMELAB_FIXTURES_DIR:-/tmp/homelab-test-fixtures}
IMAGE=homelab-test/busybox:1
OPEN=127.0.0.1:5100
AUTH=127.0.0.1:5101
USERNAME=homelab
PASSWORD=fixture-secret
mkdir -p "$DIR"
exec 9>"$DIR/lock"
flock 9

busybox_tar() { # a root file system: Debian's static busybox and a link for each applet
  [ -f "$DIR/busybox.tar" ] && return
  local root="$DIR/rootfs" applet
  rm -rf "$root" && mkdir -p "$root/bin"
  cp /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list-full); do
    mkdir -p "$root/$(dirname "$applet")"
    [ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
  done
  mkdir -p "$root/tmp" "$root/etc" && echo "root:x:0:0:root:/root:/bin/sh" >"$root/etc/passwd"
  tar -C "$root" -cf "$DIR/busybox.tar.tmp" . && mv "$DIR/busybox.tar.tmp" "$DIR/busybox.tar"
}

if ! docker image inspect "$IMAGE" >/dev/null 2>&1; then
  busybox_tar
  docker import -c 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' -c 'CMD ["sh"]' "$DIR/busybox.tar" "$IMAGE" >/dev/null
fi

registry() { # registry NAME ADDR [htpasswd]
  local name=$1 addr=$2 conf="$DIR/$1.yml"
  if [ -f "$DIR/$name.pid" ] && kill -0 "$(cat "$DIR/$name.pid")" 2>/dev/null; then return; fi
  mkdir -p "$DIR/$name-data"
  {
    echo "version: 0.1"
    echo "storage: {filesystem: {rootdirectory: $DIR/$name-data}, delete: {enabled: true}}"
    echo "http: {addr: $addr}"
    [ $# -lt 3 ] || echo "auth: {htpasswd: {realm: homelab-test, path: $DIR/htpasswd}}"
  } >"$conf"
  setsid docker-registry serve "$conf" >"$DIR/$name.log" 2>&1 </dev/null 9>&- &
  echo $! >"$DIR/$name.pid"
  for _ in $(seq 1 100); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://$addr/v2/" || true)
    [ "$code" = 200 ] || [ "$code" = 401 ] && return
    sleep 0.1
  done
  echo "registry $name on $addr did not start; see $DIR/$name.log" >&2
  exit 1
}

htpasswd -Bbn "$USERNAME" "$PASSWORD" >"$DIR/htpasswd" 2>/dev/null
registry open "$OPEN"
registry auth "$AUTH" htpasswd

push() { # push REGISTRY IMAGE REPOSITORY: through the Engine API, so no credentials land in ~/.docker
  local target="$1/$3" auth
  auth=$(printf '{"username":"%s","password":"%s","serveraddress":"%s"}' "$USERNAME" "$PASSWORD" "$1" | base64 -w0 | tr '+/' '-_')
  curl -s -o /dev/null --max-time 1 -f "http://$1/v2/$3/manifests/1" -u "$USERNAME:$PASSWORD" && return
  docker tag "$2" "$target:1"
  out=$(curl -s --unix-socket /var/run/docker.sock -X POST -H "X-Registry-Auth: $auth" "http://docker/images/$target/push?tag=1")
  docker rmi "$target:1" >/dev/null
  if grep -q '"error"' <<<"$out"; then echo "push to $1 failed: $out" >&2; exit 1; fi
}
push "$OPEN" "$IMAGE" homelab-test/busybox
push "$AUTH" "$IMAGE" homelab-test/busybox

# An image whose layer this engine does not hold (removed after the push), so pulling it moves bytes.
if ! curl -s -o /dev/null --max-time 1 -f "http://$OPEN/v2/homelab-test/payload/manifests/1"; then
  busybox_tar
  cp "$DIR/busybox.tar" "$DIR/payload.tar"
  mkdir -p "$DIR/payload" && head -c 4000000 /dev/urandom >"$DIR/payload/payload.bin"
  tar -C "$DIR/payload" -rf "$DIR/payload.tar" payload.bin
  docker import -c 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' "$DIR/payload.tar" homelab-test/payload:1 >/dev/null
  push "$OPEN" homelab-test/payload:1 homelab-test/payload
  docker rmi homelab-test/payload:1 >/dev/null
fi

echo "IMAGE=$IMAGE"
echo "PAYLOAD=$OPEN/homelab-test/payload:1"
echo "OPEN_REGISTRY=$OPEN"
echo "AUTH_REGISTRY=$AUTH"
echo "USERNAME=$USERNAME"
echo "PASSWORD=$PASSWORD"
