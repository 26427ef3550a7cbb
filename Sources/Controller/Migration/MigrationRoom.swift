import Protocol
import Scheduler

/// The room copies of some volumes need at a destination (``VolumeTransfer/spaceFactor`` × their size on
/// disk) against what it has free where its Docker keeps volumes.
struct MigrationRoom: Sendable {
    var device: String
    /// The volumes' size on disk.
    var size: UInt64
    var needed: UInt64
    var free: UInt64
    /// Where the destination keeps volumes.
    var path: String

    /// Asks `device` for its free space, for copies of `usage`.
    static func measure(_ usage: [VolumeUsage], at device: DeviceResource, registry: DeviceRegistry) async throws -> MigrationRoom {
        let storage = try await registry.ask(device.id, StorageRequest(), timeout: .seconds(60))
        let size = usage.reduce(0) { $0 + $1.allocatedBytes }
        return MigrationRoom(device: device.name, size: size, needed: UInt64((Double(size) * VolumeTransfer.spaceFactor).rounded(.up)),
                             free: storage.freeBytes, path: storage.path)
    }

    /// Measures, and refuses with `insufficient_storage` when the copies do not fit; the line that says they do.
    static func check(_ usage: [VolumeUsage], at device: String, registry: DeviceRegistry) async throws -> String {
        let room = try await measure(usage, at: try await registry.get(device), registry: registry)
        try room.refuseUnlessFits()
        return "\(room.device) has \(words(room.free)) free where Docker keeps volumes; the copies need \(words(room.needed))"
    }

    func refuseUnlessFits() throws {
        guard free >= needed else {
            throw HomelabError(.insufficientStorage, "\(device) has \(Self.words(free)) free where Docker keeps volumes (\(path)); "
                + "the copies need \(Self.words(needed)) (\(VolumeTransfer.spaceFactor) × \(Self.words(size)))", context: ["device": device])
        }
    }

    static func words(_ bytes: UInt64) -> String { Bytes.words(Int64(clamping: bytes)) }
}
