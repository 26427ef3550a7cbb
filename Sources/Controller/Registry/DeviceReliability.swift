import Foundation
import GRDB
import Protocol

/// What the controller observed of each device over the last 30 days: the share of the time it was
/// online (from its recorded online/offline events) and how often it rebooted (its reported uptime
/// going down between two samples, recorded as a `device.rebooted` event when it happens).
public struct DeviceReliability: Sendable, Equatable {
    public var availability: Double?
    /// The days the figures cover: 30, or fewer for a device enrolled since.
    public var observedDays: Double
    public var reboots: Int?

    public static let window: TimeInterval = 30 * 86400

    /// The share of `[start, now]` spent online, given its online/offline changes in time order (start: 30 days
    /// ago, or enrollment when later). Before its first change the device was in the opposite state; nil without
    /// any change to judge by.
    public static func availability(changes: [(time: Date, online: Bool)], since start: Date, now: Date) -> Double? {
        guard let first = changes.first, now > start else { return nil }
        var online = !first.online
        var last = start
        var up: TimeInterval = 0
        for change in changes where change.time >= start {
            if online { up += change.time.timeIntervalSince(last) }
            online = change.online
            last = change.time
        }
        if online { up += now.timeIntervalSince(last) }
        return min(1, max(0, up / now.timeIntervalSince(start)))
    }

    /// Reboots: how often the reported uptime went down from one sample to the next.
    public static func reboots(uptimes: [Double]) -> Int {
        zip(uptimes, uptimes.dropFirst()).filter { $1 < $0 }.count
    }
}

extension DeviceRegistry {
    /// The reliability of `devices` over the last 30 days (or since enrollment), by device id.
    public func reliability(of devices: [DeviceResource], now: Date = Date()) async throws -> [String: DeviceReliability] {
        let start = now.addingTimeInterval(-DeviceReliability.window)
        let kinds: [RegistryEvent.Kind] = [.deviceOnline, .deviceOffline, .deviceRebooted]
        let events = try await store.read { db in
            try EventRecord.filter(kinds.map(\.rawValue).contains(Column("type"))).filter(Column("time") >= start).order(Column("time")).fetchAll(db)
        }
        var changes: [String: [(time: Date, online: Bool)]] = [:]
        var reboots: [String: Int] = [:]
        for event in events {
            guard let id = event.deviceID else { continue }
            if event.type == RegistryEvent.Kind.deviceRebooted.rawValue {
                reboots[id, default: 0] += 1
            } else {
                changes[id, default: []].append((event.time, event.type == RegistryEvent.Kind.deviceOnline.rawValue))
            }
        }
        var out: [String: DeviceReliability] = [:]
        for device in devices {
            let since = max(start, device.createdAt)
            out[device.id] = DeviceReliability(
                availability: changes[device.id].flatMap { DeviceReliability.availability(changes: $0, since: since, now: now) },
                observedDays: now.timeIntervalSince(since) / 86400, reboots: reboots[device.id] ?? 0)
        }
        return out
    }
}
