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
printf '%-32s%s\n' "module (symbol bytes, unstripped)" "MB"
# `-t d`: decimal sizes, so plain awk (mawk) can add them up.
nm -S -t d "$bin" 2>/dev/null | awk '
  NF == 4 {
    name = $4; module = "C, Swift runtime and other"
    if (name ~ /BoringSSL/) module = "BoringSSL (NIOSSL + Crypto)"
    else if (name ~ /^_?\$s/) {
      n = name; sub(/^_?\$s/, "", n)
      if (match(n, /^[0-9]+/)) { len = substr(n, 1, RLENGTH) + 0; module = substr(n, RLENGTH + 1, len) }
    }
    total[module] += $2 + 0; all += $2 + 0
  }
  END {
    for (m in total) if (total[m] >= 0.05 * 1048576) printf "%.2f\t%s\n", total[m] / 1048576, m
    printf "%.2f\t%s\n", all / 1048576, "(all symbols)"
  }' | sort -rn | awk -F'\t' '{ printf "%-32s%s\n", $2, $1 }'
