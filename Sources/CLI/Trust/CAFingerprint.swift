import Crypto

/// The SHA-256 of a CA certificate's DER, shown and compared as lower-case hex (as join tokens carry it).
public struct CAFingerprint: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// 64 lower-case hex digits.
    public var hex: String

    /// The fingerprint of a certificate's DER bytes.
    public init(der: some Sequence<UInt8>) {
        let digest = SHA256.hash(data: Array(der))
        self.hex = digest.map { byte in
            let digits = String(byte, radix: 16)
            return byte < 16 ? "0" + digits : digits
        }.joined()
    }

    /// Parses 64 hex digits, case-insensitive, with or without a `sha256:` prefix and `:` between bytes.
    public init?(parsing text: String) {
        var rest = Substring(text.trimmingWhitespace())
        if rest.lowercased().hasPrefix("sha256:") { rest = rest.dropFirst("sha256:".count) }
        let digits = rest.lowercased().filter { $0 != ":" }
        guard digits.count == 64, digits.allSatisfy({ $0.isHexDigit && $0.isASCII }) else { return nil }
        // Colons must sit between byte pairs only, as `openssl x509 -fingerprint` prints them.
        if rest.contains(":") {
            let pairs = rest.split(separator: ":", omittingEmptySubsequences: false)
            guard pairs.count == 32, pairs.allSatisfy({ $0.count == 2 }) else { return nil }
        }
        self.hex = digits
    }

    /// The shown form, `sha256:<hex>`.
    public var description: String { "sha256:\(hex)" }
}
