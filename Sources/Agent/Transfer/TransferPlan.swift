/// What an incremental copy does, decided from the source's manifest and the destination's copy
/// (its base): which entries the source sends and which the destination deletes first. Without a
/// base everything is sent and nothing deleted. Pure: tested without a file system.
struct TransferPlan: Equatable, Sendable {
    /// Paths the source puts in the tar, in manifest order.
    let send: [String]
    /// Paths the destination removes before unpacking, children before their directory.
    let delete: [String]
    /// Symlinks of the base that stay: nothing in the tar may be at or below one of them.
    let keptSymlinks: Set<String>

    /// The plan that brings `base` to `source`.
    init(source: VolumeManifest, base: VolumeManifest?) {
        guard let base else {
            send = source.entries.map(\.path)
            delete = []
            keptSymlinks = []
            return
        }
        // Everything that is not exactly as the source has it goes first; a directory that stays a
        // directory is kept (the tar sets its metadata again). What is deleted is sent again.
        var deleted = Set<String>()
        var delete: [String] = []
        for entry in base.entries.reversed() {
            let wanted = source.byPath[entry.path]
            let stays = wanted.map { $0 == entry || ($0.kind == .directory && entry.kind == .directory) } ?? false
            if !stays {
                deleted.insert(entry.path)
                delete.append(entry.path)
            }
        }
        self.delete = delete
        keptSymlinks = Set(base.entries.filter { $0.kind == .symlink && !deleted.contains($0.path) }.map(\.path))

        var wanted = Set<String>()
        // The names of one file travel together, or a name sent alone would arrive as a copy.
        var names: [String: [String]] = [:]
        for entry in source.entries where entry.kind == .file {
            names[entry.link ?? entry.path, default: []].append(entry.path)
        }
        for entry in source.entries where base.byPath[entry.path] != entry {
            if entry.kind == .file {
                wanted.formUnion(names[entry.link ?? entry.path] ?? [entry.path])
            } else {
                wanted.insert(entry.path)
            }
        }
        // Directories whose contents change get their times set again after the change.
        for path in Array(wanted) + delete {
            var parent = Self.parent(of: path)
            while let directory = parent, wanted.insert(directory).inserted {
                parent = Self.parent(of: directory)
            }
        }
        send = source.entries.map(\.path).filter { wanted.contains($0) }
    }

    /// The directory holding `path` (`.` for a top-level name; nil for the root).
    static func parent(of path: String) -> String? {
        guard path != "." else { return nil }
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return String(path[..<slash])
    }
}
