/// Compose-file interpolation as the stores write it: `$$` (a literal `$`), `${NAME}`, `$NAME`, and
/// `${NAME:-default}`, `${NAME-default}`, `${NAME:?error}`, `${NAME?error}`, `${NAME:+other}`, `${NAME+other}`
/// (defaults may hold further variables).
enum Interpolation {
    enum Piece: Equatable {
        /// Literal text, `$$` already read as `$`.
        case text(String)
        case variable(Variable)
    }

    struct Variable: Equatable {
        var name: String
        var modifier: Modifier?
        /// As written, `${NAME:-x}` or `$NAME`.
        var raw: String
    }

    enum Modifier: Equatable {
        /// `:-x` (unset or empty) and `-x` (unset): the value when the variable has none.
        case fallback(String)
        /// `:?x` and `?x`: an error when unset.
        case required
        /// `:+x` and `+x`: `x` when the variable is set, else empty.
        case whenSet(String)
    }

    /// The pieces of `text`. A `${` without its `}` stays literal text.
    static func parse(_ text: String) -> [Piece] {
        var pieces: [Piece] = []
        var literal = ""
        let chars = Array(text)
        var index = 0
        func flush() {
            if !literal.isEmpty { pieces.append(.text(literal)) }
            literal = ""
        }
        while index < chars.count {
            let char = chars[index]
            guard char == "$", index + 1 < chars.count else {
                literal.append(char)
                index += 1
                continue
            }
            let next = chars[index + 1]
            if next == "$" {
                literal.append("$")
                index += 2
            } else if next == "{", let end = closingBrace(chars, from: index + 2) {
                let inner = String(chars[(index + 2)..<end])
                let raw = String(chars[index...end])
                if let variable = braced(inner, raw: raw) {
                    flush()
                    pieces.append(.variable(variable))
                } else {
                    literal += raw
                }
                index = end + 1
            } else if isNameStart(next) {
                var end = index + 1
                while end < chars.count, isNameChar(chars[end]) { end += 1 }
                let name = String(chars[(index + 1)..<end])
                flush()
                pieces.append(.variable(Variable(name: name, modifier: nil, raw: "$" + name)))
                index = end
            } else {
                literal.append("$")
                index += 1
            }
        }
        flush()
        return pieces
    }

    /// Whether `text` holds any variable.
    static func hasVariables(_ text: String) -> Bool {
        parse(text).contains { if case .variable = $0 { return true } else { return false } }
    }

    /// The names of the variables `text` refers to, defaults included.
    static func names(in text: String) -> [String] {
        parse(text).flatMap { piece -> [String] in
            guard case .variable(let variable) = piece else { return [] }
            switch variable.modifier {
            case .fallback(let inner), .whenSet(let inner): return [variable.name] + names(in: inner)
            default: return [variable.name]
            }
        }
    }

    /// Splits `text` at `separator` where it stands outside `${…}` and `[…]` (IPv6 addresses).
    static func split(_ text: String, on separator: Character) -> [String] {
        var parts: [String] = []
        var current = ""
        var braces = 0
        var brackets = 0
        var previous: Character?
        for char in text {
            if char == "{", previous == "$" { braces += 1 }
            else if char == "}", braces > 0 { braces -= 1 }
            else if char == "[", braces == 0 { brackets += 1 }
            else if char == "]", brackets > 0 { brackets -= 1 }
            if char == separator, braces == 0, brackets == 0 {
                parts.append(current)
                current = ""
            } else {
                current.append(char)
            }
            previous = char
        }
        parts.append(current)
        return parts
    }

    private static func closingBrace(_ chars: [Character], from start: Int) -> Int? {
        var depth = 1
        var index = start
        while index < chars.count {
            if chars[index] == "{" && index > 0 && chars[index - 1] == "$" { depth += 1 }
            if chars[index] == "}" {
                depth -= 1
                if depth == 0 { return index }
            }
            index += 1
        }
        return nil
    }

    private static func braced(_ inner: String, raw: String) -> Variable? {
        let chars = Array(inner)
        guard let first = chars.first, isNameStart(first) else { return nil }
        var end = 1
        while end < chars.count, isNameChar(chars[end]) { end += 1 }
        let name = String(chars[0..<end])
        let rest = String(chars[end...])
        if rest.isEmpty { return Variable(name: name, modifier: nil, raw: raw) }
        let forms: [(String, (String) -> Modifier)] = [(":-", Modifier.fallback), ("-", Modifier.fallback),
                                                       (":+", Modifier.whenSet), ("+", Modifier.whenSet)]
        for (prefix, make) in forms where rest.hasPrefix(prefix) {
            return Variable(name: name, modifier: make(String(rest.dropFirst(prefix.count))), raw: raw)
        }
        if rest.hasPrefix(":?") || rest.hasPrefix("?") { return Variable(name: name, modifier: .required, raw: raw) }
        return nil
    }

    private static func isNameStart(_ char: Character) -> Bool { char == "_" || (char.isASCII && char.isLetter) }
    private static func isNameChar(_ char: Character) -> Bool { isNameStart(char) || (char.isASCII && char.isNumber) }
}
