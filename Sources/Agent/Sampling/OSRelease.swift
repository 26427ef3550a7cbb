import Protocol

/// Parses `/etc/os-release` (os-release(5): shell-style `KEY=value` lines, values optionally quoted).
enum OSRelease {
    /// The operating system the file names, or `nil` when it names none of `ID`, `PRETTY_NAME`, `VERSION_ID`.
    static func parse(_ text: String) -> OperatingSystem? {
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let line = line.trimmed
            guard !line.hasPrefix("#"), let (key, raw) = line.keyValue(separatedBy: "=") else { continue }
            values[key] = unquote(raw)
        }
        let system = OperatingSystem(id: values["ID"], prettyName: values["PRETTY_NAME"], versionID: values["VERSION_ID"])
        return system.id == nil && system.prettyName == nil && system.versionID == nil ? nil : system
    }

    /// The value without its surrounding quotes and with shell escapes undone; empty values are `nil`.
    static func unquote(_ raw: String) -> String? {
        var value = Substring(raw)
        var escapes = false
        if let quote = value.first, quote == "\"" || quote == "'", value.count >= 2, value.last == quote {
            value = value.dropFirst().dropLast()
            escapes = quote == "\""
        }
        var result = ""
        var pending = false
        for character in value {
            if escapes && !pending && character == "\\" {
                pending = true
                continue
            }
            pending = false
            result.append(character)
        }
        return result.isEmpty ? nil : result
    }
}
