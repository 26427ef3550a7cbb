import Foundation
import Protocol
#if canImport(Glibc)
import Glibc
#endif

/// The networks a scan may probe: checked against the limits, or the controller's own subnets.
public enum ScanTargets {
    /// Largest number of addresses a scan takes without `force`.
    public static let maximumAddresses: UInt64 = 4096
    /// Largest number of addresses a scan takes at all.
    public static let maximumForcedAddresses: UInt64 = 65536
    /// The widest default network per interface: a larger attached subnet is cut to the /24 around the address.
    public static let defaultWidestPrefix = 24

    /// Parses and checks `targets`: each must be an IPv4 CIDR or address, private unless `force`, and all of
    /// them together at most ``maximumAddresses`` unless `force`. Overlaps are merged away.
    public static func resolve(_ targets: [String], force: Bool) throws -> [IPv4Network] {
        var networks: [IPv4Network] = []
        for text in targets {
            guard let network = IPv4Network(text.trimmingCharacters(in: .whitespaces)) else {
                throw HomelabError.badRequest("'\(text)' is not an IPv4 address or CIDR (like 192.168.1.0/24)")
            }
            if !force && !network.isPrivate {
                throw HomelabError.badRequest("\(network) is not a private range: scanning addresses on the internet is refused (force it only for networks you own)")
            }
            networks.append(network)
        }
        let merged = merge(networks)
        let total = merged.reduce(UInt64(0)) { $0 + $1.size }
        if !force && total > maximumAddresses {
            throw HomelabError.badRequest("the targets span \(total) addresses, more than \(maximumAddresses); give smaller networks or force it")
        }
        if total > maximumForcedAddresses {
            throw HomelabError.badRequest("the targets span \(total) addresses, more than \(maximumForcedAddresses) (a /16), even forced")
        }
        return merged
    }

    /// Drops networks inside another one of the list.
    static func merge(_ networks: [IPv4Network]) -> [IPv4Network] {
        let sorted = networks.sorted { $0.prefix < $1.prefix }
        var kept: [IPv4Network] = []
        for network in sorted where !kept.contains(where: { $0.prefix <= network.prefix && $0.contains(network.base) }) {
            kept.append(network)
        }
        return kept.sorted { $0.base < $1.base }
    }

    /// An attached interface address and its prefix length.
    public struct InterfaceAddress: Sendable, Equatable {
        /// The address, as a number.
        public var address: UInt32
        /// The prefix length of its subnet.
        public var prefix: Int
    }

    /// The default targets: the subnet of each IPv4 address that is up and not loopback, cut to a /24 around it.
    public static func defaults(_ addresses: [InterfaceAddress] = interfaceAddresses()) -> [IPv4Network] {
        merge(addresses.map { IPv4Network(address: $0.address, prefix: max($0.prefix, defaultWidestPrefix)) })
    }

    /// This machine's IPv4 addresses on interfaces that are up, loopback excluded.
    public static func interfaceAddresses() -> [InterfaceAddress] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0, let first = list else { return [] }
        defer { freeifaddrs(first) }
        var found: [InterfaceAddress] = []
        var entry: UnsafeMutablePointer<ifaddrs>? = first
        while let current = entry {
            entry = current.pointee.ifa_next
            let flags = Int32(current.pointee.ifa_flags)
            guard flags & Int32(IFF_UP) != 0, flags & Int32(IFF_LOOPBACK) == 0,
                  let address = current.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET),
                  let netmask = current.pointee.ifa_netmask else { continue }
            let value = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt32(bigEndian: $0.pointee.sin_addr.s_addr) }
            let mask = netmask.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt32(bigEndian: $0.pointee.sin_addr.s_addr) }
            found.append(InterfaceAddress(address: value, prefix: mask.nonzeroBitCount))
        }
        return found
    }
}
