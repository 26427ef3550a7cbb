/// Memory in use by a cgroup and everything under it, page cache left out as `docker stats` leaves it out
/// (cgroup v1 `memory.usage_in_bytes - total_inactive_file`, v2 `memory.current - inactive_file`).
///
/// A simulated lab device names the cgroup its dockerd puts containers in (`profile_memory_cgroup`), so what its
/// containers use shows in its memory the way it would on a real device of that size.
struct CgroupMemory: Sendable {
    /// The cgroup, as `/proc/self/cgroup` writes paths (`/hl-pi4`).
    let path: String
    /// The cgroup file system's mount point.
    var root = "/sys/fs/cgroup"

    /// Bytes in use now; nil when the cgroup does not exist (yet: the first container makes it).
    func used() -> UInt64? {
        if let usage = SystemFiles.readValue("\(root)/memory\(path)/memory.usage_in_bytes").flatMap(UInt64.init) {
            return usage - min(usage, stat("\(root)/memory\(path)/memory.stat", key: "total_inactive_file"))
        }
        if let current = SystemFiles.readValue("\(root)\(path)/memory.current").flatMap(UInt64.init) {
            return current - min(current, stat("\(root)\(path)/memory.stat", key: "inactive_file"))
        }
        return nil
    }

    private func stat(_ file: String, key: String) -> UInt64 {
        for line in (SystemFiles.read(file) ?? "").split(separator: "\n") {
            let parts = line.split(separator: " ")
            if parts.count == 2, parts[0] == key, let value = UInt64(parts[1]) { return value }
        }
        return 0
    }
}
