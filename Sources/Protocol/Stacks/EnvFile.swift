/// An env file as Compose reads it: `KEY=VALUE` lines, `#` comments, blank lines, optional
/// `export ` and single or double quotes around the value.
public enum EnvFile {
    /// One line that is not a variable.
    public struct LineError: Error, Equatable, Sendable {
        /// 1-based line number.
        public var line: Int
        /// What is wrong.
        public var message: String
    }

    /// The variables of `contents`, in order, or the first bad line.
    public static func parse(_ contents: String) throws(LineError) -> [(key: String, value: String)] {
        var variables: [(key: String, value: String)] = []
        // "\r\n" is one Character, so lines are split on either.
        for (index, raw) in contents.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            var line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            line = line.drop { $0 == " " || $0 == "\t" }
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = line.dropFirst("export ".count) }
            guard let equals = line.firstIndex(of: "=") else {
                throw LineError(line: index + 1, message: "expected KEY=VALUE")
            }
            let key = String(line[..<equals]).trimmingTrailingBlanks()
            guard StackValidation.isVariableName(key) else {
                throw LineError(line: index + 1, message: "\"\(key)\" is not a variable name")
            }
            variables.append((key, unquote(line[line.index(after: equals)...])))
        }
        return variables
    }

    /// The value without surrounding quotes (and, unquoted, without a trailing ` # comment`).
    private static func unquote(_ value: Substring) -> String {
        let trimmed = String(value.drop { $0 == " " || $0 == "\t" }).trimmingTrailingBlanks()
        for quote in ["\"", "'"] where trimmed.count >= 2 && trimmed.hasPrefix(quote) && trimmed.hasSuffix(quote) {
            return String(trimmed.dropFirst().dropLast())
        }
        let characters = Array(trimmed)
        for index in characters.indices.dropFirst() where characters[index] == "#" && characters[index - 1] == " " {
            return String(characters[..<index]).trimmingTrailingBlanks()
        }
        return trimmed
    }
}

extension String {
    func trimmingTrailingBlanks() -> String {
        var text = Substring(self)
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return String(text)
    }
}
