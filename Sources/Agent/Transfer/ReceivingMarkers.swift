import Logging
import Protocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Which volumes a transfer being received has created, on disk (`<state>/receiving/<transfer>`), so
/// that an agent killed in the middle removes them when it starts again: a destination keeps nothing
/// of a transfer that did not finish.
struct ReceivingMarkers: Sendable {
    let directory: String

    /// Notes that `transfer` has created `volumes` so far.
    func record(_ transfer: String, volumes: [String]) throws {
        do {
            try StateFiles.makeDirectory(directory, mode: 0o700)
            try StateFiles.write(volumes.joined(separator: "\n") + "\n", to: "\(directory)/\(transfer)", mode: 0o600)
        } catch {
            throw HomelabError(.runtime, "cannot note the volumes of transfer \(transfer): \(error.message)")
        }
    }

    /// Forgets `transfer` (it ended, its volumes kept or removed).
    func clear(_ transfer: String) { StateFiles.remove("\(directory)/\(transfer)") }

    /// Removes the volumes of every transfer noted here (left by an agent that stopped during them).
    func removeLeftovers(_ volumes: VolumeDirectories, logger: Logger) async {
        for transfer in Self.names(in: directory) {
            let listed = (SystemFiles.read("\(directory)/\(transfer)") ?? "").split(separator: "\n").map(String.init)
            for name in listed where TransferVolume.isValidName(name) {
                do {
                    try await volumes.remove(name)
                    logger.warning("removed volume \(name), made by transfer \(transfer), which did not finish (the agent stopped during it)")
                } catch {
                    logger.error("volume \(name) of the unfinished transfer \(transfer) could not be removed: \(error)")
                }
            }
            clear(transfer)
        }
    }

    private static func names(in directory: String) -> [String] {
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var names: [String] = []
        while let item = readdir(handle) {
            let name = withUnsafeBytes(of: item.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if !name.hasPrefix("."), !name.hasSuffix(".tmp") { names.append(name) }
        }
        return names
    }
}
