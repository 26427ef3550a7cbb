import Protocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The device's Docker volumes as directories on the host, where GNU tar reads and writes them: only
/// volumes of the `local` driver, whose mount point the agent can reach.
struct VolumeDirectories: Sendable {
    let runtime: any ContainerRuntime

    /// The label that marks a volume made by a transfer for a migration (its value: the migration's id).
    static let migrationLabel = "io.homelab.migration"

    /// The volume and its directory; `not_found` when it does not exist.
    func volume(_ name: String) async throws -> RuntimeVolume {
        guard let volume = try await find(name) else { throw HomelabError(.notFound, "no volume \(name) on this device") }
        return volume
    }

    /// The volume, or nil when it does not exist; one of another driver is refused.
    func find(_ name: String) async throws -> RuntimeVolume? {
        guard TransferVolume.isValidName(name) else { throw HomelabError(.invalidSpec, "'\(name)' is not a volume name") }
        guard let volume = try await runtime.inspect(volume: name) else { return nil }
        guard volume.driver == "local", volume.mountpoint.hasPrefix("/") else {
            throw HomelabError(.unsupportedFile, "volume \(name) uses the \(volume.driver) driver; only local volumes are moved")
        }
        return volume
    }

    /// Creates `volume` with its labels and the migration's; fails when its directory is not writable here.
    func create(_ volume: TransferVolume, migration: String) async throws -> RuntimeVolume {
        var labels = volume.labels
        labels[Self.migrationLabel] = migration
        try await runtime.createVolume(name: volume.name, labels: labels)
        let created = try await self.volume(volume.name)
        guard access(created.mountpoint, R_OK | W_OK | X_OK) == 0 else {
            let reason = String(cString: strerror(errno))
            try? await runtime.removeVolume(name: volume.name)
            throw HomelabError(.runtime, "the agent cannot write Docker's volumes at \(created.mountpoint) (\(reason)); "
                                + "a systemd unit needs ReadWritePaths= for Docker's data root (see docs/migration.md)")
        }
        return created
    }

    /// Removes a volume; one in use by a container stays (the engine refuses), which is an error.
    func remove(_ name: String) async throws {
        try await runtime.removeVolume(name: name)
    }

    /// The file system of Docker's volumes (or of `path`, measured at its nearest existing parent): its size and what
    /// is free there.
    func storage(at asked: String? = nil) async throws -> StorageStatus {
        var path: String
        if let asked { path = asked } else { path = try await runtime.dataRoot() + "/volumes" }
        guard path.hasPrefix("/") else { throw HomelabError.badRequest("path: '\(path)' is not an absolute path") }
        while path != "/", access(path, F_OK) != 0 {
            path = path.lastIndex(of: "/").map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "/"
        }
        var info = statvfs()
        guard statvfs(path, &info) == 0 else {
            throw HomelabError(.runtime, "cannot read the free space of \(path): \(String(cString: strerror(errno)))")
        }
        let unit = UInt64(info.f_frsize)
        return StorageStatus(path: path, totalBytes: UInt64(info.f_blocks) * unit, freeBytes: UInt64(info.f_bavail) * unit)
    }
}
