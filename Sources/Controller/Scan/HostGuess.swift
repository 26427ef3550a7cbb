import Foundation
import Protocol

/// What the first line of an SSH server and the open ports say about a host.
public enum HostGuess {
    /// The operating system an SSH identification string names, e.g. `SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3`
    /// → `Debian 12`; nil when it names none.
    public static func operatingSystem(fromSSHBanner banner: String) -> String? {
        let line = banner.trimmingCharacters(in: .whitespacesAndNewlines)
        guard line.hasPrefix("SSH-") else { return nil }
        let software = line.split(separator: "-", maxSplits: 2).dropFirst(2).first.map(String.init) ?? ""
        let lower = software.lowercased()
        if lower.contains("raspbian") { return "Raspberry Pi OS" }
        if let range = lower.range(of: "+deb"), let version = Int(lower[range.upperBound...].prefix { $0.isNumber }) {
            return "Debian \(version)"
        }
        if lower.contains("debian") { return "Debian" }
        if lower.contains("ubuntu") {
            let releases = ["openssh_9.6": "24.04", "openssh_8.9": "22.04", "openssh_8.2": "20.04", "openssh_7.6": "18.04"]
            let release = releases.first { lower.hasPrefix($0.key) }?.value
            return release.map { "Ubuntu \($0)" } ?? "Ubuntu"
        }
        if lower.contains("freebsd") { return "FreeBSD" }
        if lower.contains("for_windows") { return "Windows" }
        if lower.hasPrefix("dropbear") { return "embedded Linux (Dropbear)" }
        return nil
    }

    /// Raspberry Pi, NAS, x86 or unknown, from the MAC vendor, the open ports and the OS.
    public static func guess(vendor: MACVendors.Vendor?, ports: Set<Int>, os: String?) -> DeviceGuess {
        if let vendor, vendor.guess != .unknown { return vendor.guess }
        if os == "Raspberry Pi OS" { return .raspberryPi }
        // Synology DSM (5000/5001) with file sharing, or file sharing without a shell: a NAS.
        if ports.contains(5001) || (ports.contains(5000) && ports.contains(445)) || (ports.contains(445) && ports.contains(139) && !ports.contains(22)) {
            return .nas
        }
        if ports.contains(8006) { return .x86 }  // Proxmox VE runs on x86 only
        return .unknown
    }

    /// The usual name of what listens on `port`.
    public static func serviceName(port: Int) -> String {
        switch port {
        case 22: "ssh"
        case 80: "http"
        case 443: "https"
        case 139: "netbios"
        case 445: "smb"
        case 5000: "synology-dsm"
        case 5001: "synology-dsm-https"
        case 8006: "proxmox"
        case 2375: "docker"
        case 2376: "docker-tls"
        case 7443: "homelab-api"
        case 7444: "homelab-agent-port"
        default: "tcp-\(port)"
        }
    }
}
