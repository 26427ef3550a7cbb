/// Parses `/proc/meminfo` into byte counts.
struct MemInfo {
    /// Values by key, in bytes for `kB` lines.
    private var values: [String: UInt64] = [:]

    /// Parses lines like `MemTotal:  3884512 kB`.
    init(_ text: String) {
        for line in text.split(separator: "\n") {
            guard let (key, rest) = line.keyValue(separatedBy: ":") else { continue }
            let parts = rest.fields
            guard let first = parts.first, let number = UInt64(first) else { continue }
            values[key] = parts.count > 1 && parts[1] == "kB" ? number * 1024 : number
        }
    }

    /// The value of one key, or `nil` when the kernel does not list it.
    subscript(key: String) -> UInt64? { values[key] }

    /// `MemAvailable`, or its estimate on kernels older than 3.14 that lack it.
    var available: UInt64? {
        if let available = values["MemAvailable"] { return available }
        guard let free = values["MemFree"] else { return nil }
        return free + (values["Buffers"] ?? 0) + (values["Cached"] ?? 0)
    }
}
