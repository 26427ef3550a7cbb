extension StringProtocol {
    /// The text without leading and trailing whitespace and NUL bytes (device-tree strings end in NUL).
    var trimmed: String {
        let isPadding: (Character) -> Bool = { $0.isWhitespace || $0 == "\0" }
        guard let first = firstIndex(where: { !isPadding($0) }), let last = lastIndex(where: { !isPadding($0) }) else {
            return ""
        }
        return String(self[first...last])
    }

    /// The whitespace-separated fields of the text.
    var fields: [SubSequence] {
        split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
    }

    /// The text split once at the first `separator`, both halves trimmed, or `nil` without one.
    func keyValue(separatedBy separator: Character) -> (key: String, value: String)? {
        guard let index = firstIndex(of: separator) else { return nil }
        return (self[..<index].trimmed, self[self.index(after: index)...].trimmed)
    }
}
