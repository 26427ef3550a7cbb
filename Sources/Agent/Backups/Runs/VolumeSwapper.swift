import FoundationEssentials
import Protocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Swaps restored volumes' contents in place of a project's volumes by renaming their `_data`
/// folders on the engine's disk, so the project keeps its volume names (and its next backups their
/// keys). Renames within one file system are instant and atomic; each step checks what is already
/// done, so a step redone after a crash or a dropped link finishes it. The project's containers are
/// stopped by the controller around `swap` and `revert` (a running container keeps the folder it
/// mounted).
struct VolumeSwapper: Sendable {
    let runtime: any ContainerRuntime

    func perform(_ request: VolumeSwap) async throws -> VolumeSwapResult {
        var changed: [String] = []
        for (key, fresh) in request.volumes.sorted(by: { $0.key < $1.key }) {
            if try await step(request, key: key, fresh: fresh) { changed.append(key) }
        }
        return VolumeSwapResult(changed: changed)
    }

    /// Carries out the step for one volume; whether it changed anything.
    private func step(_ request: VolumeSwap, key: String, fresh: String) async throws -> Bool {
        let name = "\(request.project)_\(key)"
        let freshFolder = try await folder(of: fresh)
        let current = try await folder(of: name)
        if request.step == .discard {
            guard freshFolder != nil else { return false }
            // Never drop a fresh volume that holds the old contents (swapped in and not committed).
            if let current, exists(current + "/" + aside(request.run)) {
                throw HomelabError(.conflict, "volume \(fresh) is swapped in for \(name): revert it before discarding it")
            }
            try await runtime.removeVolume(name: fresh)
            return true
        }
        guard let current else {
            throw HomelabError(.notFound, "no volume \(name) on this device (volume '\(key)' of \(request.project))")
        }
        let data = current + "/_data", kept = current + "/" + aside(request.run)
        switch request.step {
        case .swap:
            guard let freshFolder else {
                if exists(kept) { return false }
                throw HomelabError(.notFound, "no restored volume \(fresh) on this device")
            }
            try sameFileSystem(current, freshFolder, name, fresh)
            var did = false
            if !exists(kept) { try move(data, kept); did = true }
            if !exists(data) { try move(freshFolder + "/_data", data); did = true }
            if !exists(freshFolder + "/_data") { try makeFolder(freshFolder + "/_data") }
            return did
        case .revert:
            guard exists(kept) else { return false }
            guard let freshFolder else { throw HomelabError(.notFound, "no restored volume \(fresh) on this device to put its contents back in") }
            // rename(2) replaces an empty folder: the fresh volume's emptied `_data`.
            if exists(data) { try move(data, freshFolder + "/_data") }
            try move(kept, data)
            return true
        case .commit:
            guard exists(kept) else { return false }
            guard let freshFolder else { throw HomelabError(.notFound, "no restored volume \(fresh) on this device to drop the old contents with") }
            // The engine removes the fresh volume's folder with everything in it: the old contents go with it.
            try move(kept, freshFolder + "/_data")
            try await runtime.removeVolume(name: fresh)
            return true
        case .discard:
            return false  // Handled above, where the project's volume may be missing.
        }
    }

    private func aside(_ run: String) -> String { "_data.before-\(run)" }

    /// The folder that holds a local volume's `_data`, or nil when the volume does not exist.
    private func folder(of volume: String) async throws -> String? {
        guard let found = try await runtime.inspect(volume: volume) else { return nil }
        guard found.driver == "local", found.mountpoint.hasSuffix("/_data") else {
            throw HomelabError(.invalidSpec, "volume \(volume) (driver \(found.driver)) is not a local volume at …/_data: restores swap local volumes")
        }
        return String(found.mountpoint.dropLast("/_data".count))
    }

    private func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    private func sameFileSystem(_ first: String, _ second: String, _ a: String, _ b: String) throws {
        var one = stat(), two = stat()
        guard stat(first, &one) == 0, stat(second, &two) == 0, one.st_dev == two.st_dev else {
            throw HomelabError(.invalidSpec, "volumes \(a) and \(b) are not on one file system: their contents cannot be swapped")
        }
    }

    private func move(_ from: String, _ to: String) throws {
        guard rename(from, to) == 0 else {
            throw HomelabError(.runtime, "cannot move \(from) to \(to): \(String(cString: strerror(errno)))")
        }
    }

    private func makeFolder(_ path: String) throws {
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
            throw HomelabError(.runtime, "cannot make \(path): \(String(cString: strerror(errno)))")
        }
    }
}
