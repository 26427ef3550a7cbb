import Foundation

/// The kernel's IPv4 neighbour (ARP) table: which MAC answered for which address on a local link.
public enum NeighbourTable {
    /// `/proc/net/arp` parsed: address → MAC, complete entries only (flag ATF_COM, a non-zero MAC).
    public static func parse(_ text: String) -> [String: String] {
        var entries: [String: String] = [:]
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 4, IPv4Network.parseAddress(String(fields[0])) != nil,
                  let flags = Int(fields[2].dropFirst(2), radix: 16), flags & 0x2 != 0 else { continue }
            let mac = fields[3].lowercased()
            guard mac.split(separator: ":").count == 6, mac != "00:00:00:00:00:00" else { continue }
            entries[String(fields[0])] = mac
        }
        return entries
    }

    /// This machine's table now.
    public static func read(path: String = "/proc/net/arp") -> [String: String] {
        (try? String(contentsOfFile: path, encoding: .utf8)).map(parse) ?? [:]
    }
}
