import Protocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Measures mounted filesystems with `statvfs`.
enum FilesystemStats {
    /// The size and use of the mounted filesystem, or `nil` when `statvfs` fails or reports no blocks.
    static func usage(of entry: MountEntry) -> FilesystemUsage? {
        // A hard NFS mount whose server is gone blocks statvfs; the sampler accepts that risk like df does.
        var info = statvfs()
        guard statvfs(entry.mountPoint, &info) == 0, info.f_blocks > 0 else { return nil }
        let blockSize = UInt64(info.f_frsize)
        let blocks = UInt64(info.f_blocks)
        let free = UInt64(info.f_bfree)
        return FilesystemUsage(
            mountPoint: entry.mountPoint,
            device: entry.device,
            type: entry.type,
            sizeBytes: blocks * blockSize,
            usedBytes: (blocks > free ? blocks - free : 0) * blockSize,
            availableBytes: UInt64(info.f_bavail) * blockSize
        )
    }
}
