import Protocol

/// Parses `/proc/net/dev`.
enum NetworkDevices {
    /// The byte counters of every interface but loopback, in file order.
    static func parse(_ text: String) -> [NetworkCounters] {
        // Two header lines, then `name: rx_bytes rx_packets … (8 receive fields) tx_bytes …`.
        text.split(separator: "\n").dropFirst(2).compactMap { line in
            guard let (name, counters) = line.keyValue(separatedBy: ":"), !name.isEmpty, name != "lo" else { return nil }
            let fields = counters.fields
            guard fields.count >= 9, let received = UInt64(fields[0]), let sent = UInt64(fields[8]) else { return nil }
            return NetworkCounters(interface: name, rxBytes: received, txBytes: sent)
        }
    }
}
