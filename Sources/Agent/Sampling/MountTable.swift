/// One line of the mount table.
struct MountEntry: Equatable, Sendable {
    /// Source device (`/dev/sda1`, `server:/export`, `tank/data`).
    var device: String
    /// Where it is mounted, with octal escapes decoded.
    var mountPoint: String
    /// Filesystem type.
    var type: String
}

/// Parses `/proc/self/mounts` and keeps the filesystems that hold user data.
enum MountTable {
    /// Network filesystems, which have no `/dev/` source but hold real data.
    static let networkTypes: Set<String> = ["nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "ceph", "fuse.glusterfs"]
    /// Pooled filesystems whose datasets and subvolumes are named, not device paths.
    static let poolTypes: Set<String> = ["zfs", "btrfs"]
    /// Types that never hold user data, even when their source looks like a device (snaps are squashfs on /dev/loopN).
    static let virtualTypes: Set<String> = [
        "overlay", "tmpfs", "devtmpfs", "ramfs", "proc", "sysfs", "cgroup", "cgroup2", "squashfs", "devpts", "mqueue",
        "debugfs", "tracefs", "securityfs", "pstore", "bpf", "autofs", "fusectl", "configfs", "hugetlbfs",
        "binfmt_misc", "nsfs", "efivarfs", "rpc_pipefs", "nfsd", "selinuxfs", "fuse.lxcfs", "fuse.gvfsd-fuse",
        "fuse.portal", "iso9660", "rootfs",
    ]

    /// Every entry of the table's text.
    static func parse(_ text: String) -> [MountEntry] {
        text.split(separator: "\n").compactMap { line in
            let parts = line.fields
            guard parts.count >= 3 else { return nil }
            return MountEntry(device: decode(parts[0]), mountPoint: decode(parts[1]), type: String(parts[2]))
        }
    }

    /// The real filesystems of `entries`, one per device (the shortest mount point), in table order.
    static func realFilesystems(_ entries: [MountEntry]) -> [MountEntry] {
        var chosen: [String: Int] = [:]
        var kept: [MountEntry] = []
        for entry in entries where isReal(entry) {
            if let index = chosen[entry.device] {
                // The same device mounted twice (bind mounts, btrfs subvolumes) shares its space: count it once.
                if entry.mountPoint.utf8.count < kept[index].mountPoint.utf8.count { kept[index] = entry }
            } else {
                chosen[entry.device] = kept.count
                kept.append(entry)
            }
        }
        return kept
    }

    /// Whether the entry is a block-device, network or pooled filesystem.
    static func isReal(_ entry: MountEntry) -> Bool {
        if virtualTypes.contains(entry.type) { return false }
        if networkTypes.contains(entry.type) || poolTypes.contains(entry.type) { return true }
        return entry.device.hasPrefix("/dev/")
    }

    /// The field with the kernel's octal escapes (`\040` for a space) turned back into bytes.
    static func decode<Field: StringProtocol>(_ field: Field) -> String {
        let bytes = Array(field.utf8)
        guard bytes.contains(UInt8(ascii: "\\")) else { return String(field) }
        var decoded: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "\\"), index + 3 < bytes.count, let value = octal(bytes[(index + 1)...(index + 3)]) {
                decoded.append(value)
                index += 4
            } else {
                decoded.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: decoded, as: UTF8.self)
    }

    /// Three octal digits as a byte, or `nil` when they are not.
    private static func octal(_ digits: ArraySlice<UInt8>) -> UInt8? {
        var value = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "7") else { return nil }
            value = value * 8 + Int(digit - UInt8(ascii: "0"))
        }
        return value <= 255 ? UInt8(value) : nil
    }
}
