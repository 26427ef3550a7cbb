# Prints "NAME HEX" for every ```vector block of docs/protocol.md: the vector's reads, joined.
# `make fuzz-seeds` turns these lines into the binary seed files of Fuzz/corpus/.
/^```vector[ \t]*$/ { inside = 1; name = ""; hex = ""; key = ""; next }
inside && /^```[ \t]*$/ { print name, hex; inside = 0; next }
inside && /^[ \t]/ {
    if (key == "read") { line = $0; gsub(/[ \t]/, "", line); hex = hex line }
    next
}
inside && /:/ {
    key = $0; sub(/:.*/, "", key)
    value = $0; sub(/^[^:]*:[ \t]*/, "", value)
    if (key == "name") name = value
    if (key == "read") { gsub(/[ \t]/, "", value); hex = hex value }
}
