/// An IPv4 network in CIDR notation (`192.168.1.0/24`); a single address is a /32.
public struct IPv4Network: Hashable, Sendable, CustomStringConvertible {
    /// The network address (host bits cleared).
    public let base: UInt32
    /// Prefix length, 0…32.
    public let prefix: Int

    /// Parses `a.b.c.d/n` or `a.b.c.d`; host bits are cleared (`192.168.1.7/24` is `192.168.1.0/24`).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = Self.parseAddress(String(parts[0])) else { return nil }
        var prefix = 32
        if parts.count == 2 {
            guard let value = Int(parts[1]), (0...32).contains(value), parts[1].allSatisfy(\.isASCII) else { return nil }
            prefix = value
        }
        self.init(address: address, prefix: prefix)
    }

    /// The network of `address` with `prefix` bits.
    public init(address: UInt32, prefix: Int) {
        self.prefix = prefix
        self.base = address & Self.mask(prefix)
    }

    /// Number of addresses it spans.
    public var size: UInt64 { 1 << UInt64(32 - prefix) }

    /// The addresses a scan probes: all but the network and broadcast addresses (for /31 and /32, all).
    public var hosts: [UInt32] {
        guard prefix < 31 else { return (0..<UInt32(size)).map { base + $0 } }
        return (1..<UInt32(size - 1)).map { base + $0 }
    }

    /// Whether `address` lies inside.
    public func contains(_ address: UInt32) -> Bool { address & Self.mask(prefix) == base }

    /// Whether every address inside is private or otherwise not routed on the internet (RFC 1918, loopback,
    /// link-local, CGNAT 100.64/10, the benchmark range 198.18/15).
    public var isPrivate: Bool {
        Self.privateRanges.contains { range in range.prefix <= prefix && range.contains(base) }
    }

    public var description: String { "\(Self.format(base))/\(prefix)" }

    static let privateRanges: [IPv4Network] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "127.0.0.0/8", "169.254.0.0/16",
                                               "100.64.0.0/10", "198.18.0.0/15"].compactMap(IPv4Network.init)

    static func mask(_ prefix: Int) -> UInt32 { prefix == 0 ? 0 : UInt32.max << UInt32(32 - prefix) }

    /// `a.b.c.d` as a number; nil unless four decimal octets.
    public static func parseAddress(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard !octet.isEmpty, octet.count <= 3, octet.allSatisfy({ $0.isASCII && $0.isNumber }), let byte = UInt32(octet), byte <= 255 else { return nil }
            value = value << 8 | byte
        }
        return value
    }

    /// A number as `a.b.c.d`.
    public static func format(_ address: UInt32) -> String {
        "\(address >> 24).\(address >> 16 & 0xff).\(address >> 8 & 0xff).\(address & 0xff)"
    }
}
