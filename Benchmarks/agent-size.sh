#!/usr/bin/env bash
# Size of the static, stripped x86_64 agent, and what each dependency contributes to it
# (sizes of the symbols each module defines, read with nm from the unstripped binary).
set -euo pipefail
bin=${1:-.build/release/homelab-agent}
stripped=$(mktemp)
trap 'rm -f "$stripped"' EXIT
strip -o "$stripped" "$bin"
size=$(stat -c %s "$stripped")
printf '== agent binary: %s (static Swift stdlib, stripped)\n' "$bin"
printf '%-28s%.1f MB   (budget 30 MB)\n' "stripped size" "$(echo "$size / 1048576" | bc -l)"
ldd "$bin" 2>&1 | sed 's/^/  links: /' | head -n 8
echo
printf '%-28s%s\n' "module (symbols, unstripped)" "MB"
nm -S --size-sort -C=none "$bin" 2>/dev/null | awk '
  function module(name) {
    if (name ~ /BoringSSL|CNIOBoringSSL|CCryptoBoringSSL/) return "BoringSSL (NIOSSL + Crypto)"
    if (name ~ /^\$s/ || name ~ /^_\$s/) {
      n = name; sub(/^_?\$s/, "", n)
      if (match(n, /^[0-9]+/)) { len = substr(n, 1, RLENGTH) + 0; return substr(n, RLENGTH + 1, len) }
    }
    return "C / runtime / other"
  }
  { total[module($4)] += strtonum("0x" $2) }
  END { for (m in total) printf "%-28s%.2f\n", m, total[m] / 1048576 }' | sort -k2 -t$'\t' | sort -rn -k2 -t' ' | awk '{ printf "%-28s%s\n", substr($0, 1, length($0) - length($NF) - 1), $NF }' | sort -t' ' -k2 -rn | head -n 25
