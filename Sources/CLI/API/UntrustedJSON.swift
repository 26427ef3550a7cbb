/// Strips what could steer a terminal from every string of a JSON text the controller sent, before anything
/// is decoded: device facts, names, log lines and error messages come from devices and the network, and a
/// device could otherwise clear the screen or set the window title through `homelab devices show`. Control
/// characters (C0 but the line feed, DEL, C1) and bidirectional overrides go, whether written raw or as
/// `\u` escapes; a tab becomes a space. Everything outside strings, numbers included, stays byte for byte.
enum UntrustedJSON {
    /// The sanitized text.
    static func sanitized(_ input: some Collection<UInt8>) -> [UInt8] {
        let bytes = Array(input)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var inString = false
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard inString else {
                if byte == quote { inString = true }
                out.append(byte)
                index += 1
                continue
            }
            switch byte {
            case quote:
                inString = false
                out.append(byte)
                index += 1
            case backslash where index + 1 < bytes.count:
                let escaped = bytes[index + 1]
                if escaped == u, index + 5 < bytes.count, let scalar = hex(bytes[(index + 2)...(index + 5)]) {
                    if isUnsafe(scalar) {
                        if scalar == 0x09 { out.append(space) }
                    } else {
                        out.append(contentsOf: bytes[index...(index + 5)])
                    }
                    index += 6
                } else {
                    switch escaped {
                    case UInt8(ascii: "r"), UInt8(ascii: "b"), UInt8(ascii: "f"): break
                    case UInt8(ascii: "t"): out.append(space)
                    default: out.append(contentsOf: [byte, escaped])
                    }
                    index += 2
                }
            case 0x00..<0x20, 0x7F:
                index += 1
            case 0xC2 where index + 1 < bytes.count && (0x80...0x9F).contains(bytes[index + 1]):
                index += 2
            case 0xE2 where index + 2 < bytes.count && isBidiOverride(bytes[index + 1], bytes[index + 2]):
                index += 3
            default:
                out.append(byte)
                index += 1
            }
        }
        return out
    }

    private static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\"), u = UInt8(ascii: "u"), space = UInt8(ascii: " ")

    /// C0 but the line feed, DEL, C1, and the bidirectional embeddings, overrides and isolates.
    private static func isUnsafe(_ scalar: UInt32) -> Bool {
        (scalar < 0x20 && scalar != 0x0A) || (0x7F...0x9F).contains(scalar) || (0x202A...0x202E).contains(scalar) || (0x2066...0x2069).contains(scalar)
    }

    /// U+202A–U+202E (E2 80 AA–AE) and U+2066–U+2069 (E2 81 A6–A9) in UTF-8.
    private static func isBidiOverride(_ second: UInt8, _ third: UInt8) -> Bool {
        (second == 0x80 && (0xAA...0xAE).contains(third)) || (second == 0x81 && (0xA6...0xA9).contains(third))
    }

    private static func hex(_ digits: ArraySlice<UInt8>) -> UInt32? {
        var value: UInt32 = 0
        for digit in digits {
            guard let nibble = Character(Unicode.Scalar(digit)).hexDigitValue else { return nil }
            value = value << 4 | UInt32(nibble)
        }
        return value
    }
}
