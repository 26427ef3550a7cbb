/// Reads the agent's config file: a YAML mapping of scalar settings (`key: value`, `# comments`,
/// single- or double-quoted values). The agent links no YAML library (Yams pulls in all of
/// Foundation), so anything beyond flat scalars is refused with the file and line, never guessed.
enum FlatYAML {
    /// One `key: value` line.
    struct Setting: Equatable {
        let key: String
        let value: String
        let line: Int
    }

    static func parse(_ text: String, file: String) throws(AgentError) -> [Setting] {
        var settings: [Setting] = []
        var seen: Set<String> = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = index + 1
            let content = stripComment(String(raw)).trimmingWhitespace()
            if content.isEmpty || content == "---" { continue }
            guard !raw.hasPrefix(" "), !raw.hasPrefix("\t") else {
                throw AgentError.config("\(file):\(line): nested values are not supported; use top-level 'key: value' lines")
            }
            guard let colon = content.firstIndex(of: ":") else {
                throw AgentError.config("\(file):\(line): expected 'key: value'")
            }
            let key = String(content[..<colon]).trimmingWhitespace()
            var value = String(content[content.index(after: colon)...]).trimmingWhitespace()
            guard !key.isEmpty else { throw AgentError.config("\(file):\(line): missing key before ':'") }
            guard seen.insert(key).inserted else { throw AgentError.config("\(file):\(line): '\(key)' is set twice") }
            if let quote = value.first, quote == "\"" || quote == "'" {
                guard value.count >= 2, value.last == quote else {
                    throw AgentError.config("\(file):\(line): unterminated quoted value for '\(key)'")
                }
                value = String(value.dropFirst().dropLast())
            } else if value.hasPrefix("[") || value.hasPrefix("{") || value.hasPrefix("|") || value.hasPrefix(">") {
                throw AgentError.config("\(file):\(line): '\(key)' must be a plain scalar")
            }
            guard !value.isEmpty else { throw AgentError.config("\(file):\(line): '\(key)' has no value") }
            settings.append(Setting(key: key, value: value, line: line))
        }
        return settings
    }

    /// Drops a `#` comment that is not inside quotes.
    private static func stripComment(_ line: String) -> String {
        var quote: Character?
        var previous: Character = " "
        for (offset, character) in line.enumerated() {
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "\"" || character == "'" {
                quote = character
            } else if character == "#" && (previous == " " || previous == "\t" || offset == 0) {
                return String(line.prefix(offset))
            }
            previous = character
        }
        return line
    }
}
