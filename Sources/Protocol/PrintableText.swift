/// Text from a device or the network made safe for a terminal or a message: control characters (C0, DEL, C1)
/// and bidirectional overrides would otherwise move the cursor, clear the screen, set the window title or
/// reorder what people read.
public enum PrintableText {
    /// `text` without control characters; tabs become spaces, and line breaks too unless `keepNewlines`.
    public static func sanitized(_ text: String, keepNewlines: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: isUnsafe) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if scalar == "\n" && keepNewlines {
                out.append(scalar)
            } else if scalar == "\t" || scalar == "\n" {
                out.append(" ")
            } else if !isUnsafe(scalar) {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// `text` with every control character written as `\u{…}`, cut to `limit` characters: for quoting
    /// refused input in an error message.
    public static func escaped(_ text: String, limit: Int = 80) -> String {
        var out = ""
        for (index, scalar) in text.unicodeScalars.enumerated() {
            if index == limit {
                out += "…"
                break
            }
            if isUnsafe(scalar) || scalar == "\t" || scalar == "\n" || scalar == "\"" || scalar == "\\" {
                out += scalar == "\"" || scalar == "\\" ? "\\\(Character(scalar))" : "\\u{\(String(scalar.value, radix: 16))}"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Whether a scalar may change what a terminal shows beyond its own glyph.
    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }
}
