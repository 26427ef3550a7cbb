import Foundation
import Protocol

/// A small bundled table of MAC vendor prefixes (IEEE OUIs) that matter in a homelab: who made the
/// network card says a lot about what the device is.
public enum MACVendors {
    /// A maker and what its devices usually are.
    public struct Vendor: Sendable, Equatable {
        /// Maker's name.
        public var name: String
        /// What a device with this prefix most likely is.
        public var guess: DeviceGuess
    }

    /// OUI (upper-case, colon-separated, three octets) → vendor.
    static let table: [String: Vendor] = {
        var table: [String: Vendor] = [:]
        func add(_ name: String, _ guess: DeviceGuess, _ prefixes: [String]) {
            for prefix in prefixes { table[prefix] = Vendor(name: name, guess: guess) }
        }
        add("Raspberry Pi Foundation", .raspberryPi, ["B8:27:EB"])
        add("Raspberry Pi Trading", .raspberryPi, ["DC:A6:32", "E4:5F:01", "D8:3A:DD", "28:CD:C1", "2C:CF:67"])
        add("Synology", .nas, ["00:11:32", "90:09:D0"])
        add("QNAP Systems", .nas, ["24:5E:BE", "00:08:9B"])
        add("Western Digital", .nas, ["00:90:A9"])
        add("Intel", .x86, ["00:1B:21", "00:1E:67", "00:15:17", "A0:36:9F", "3C:FD:FE", "68:05:CA"])
        add("Proxmox virtual machine", .x86, ["BC:24:11"])
        add("QEMU/KVM virtual machine", .x86, ["52:54:00"])
        add("VMware virtual machine", .x86, ["00:50:56", "00:0C:29"])
        add("Docker container", .unknown, ["02:42"])  // dockerd's locally administered prefix (two octets)
        return table
    }()

    /// The vendor of `mac` (`dc:a6:32:01:02:03`, any case, `:` or `-`), when the table knows it.
    public static func lookup(_ mac: String) -> Vendor? {
        let normalized = mac.uppercased().replacingOccurrences(of: "-", with: ":")
        let octets = normalized.split(separator: ":")
        guard octets.count == 6 else { return nil }
        return table[octets.prefix(3).joined(separator: ":")] ?? table[octets.prefix(2).joined(separator: ":")]
    }
}
