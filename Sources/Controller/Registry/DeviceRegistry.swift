import Foundation
import GRDB
import Logging
import Protocol

/// Live state of every device: which agents are connected, when each was last heard from,
/// their facts and metrics; every change is stored, published as an event and logged in the activity feed.
public actor DeviceRegistry {
    /// A connected agent.
    struct Session {
        let id: UInt64
        let connection: MessageConnection?
        let close: @Sendable () -> Void
        var lastHeard: Date
    }

    let store: Store
    let events: EventHub
    let heartbeatTTL: TimeInterval
    let logger: Logger
    /// Where every sample is rolled up.
    public nonisolated let history: MetricsHistory
    /// Where the health colours change.
    public nonisolated let thresholds: HealthThresholds
    private var sessions: [String: Session] = [:]
    /// Streams agents open for API requests (logs) and relayed transfers.
    public let streams = StreamRendezvous()
    /// Progress of the volume transfers being coordinated.
    public let transfers = TransferBoard()
    /// Stack progress that jobs route to themselves.
    public let progress = ProgressRoutes()
    /// When each stack's last pull tick went to the event hub.
    private var lastTick: [String: ContinuousClock.Instant] = [:]
    /// At most this often per stack does a pull tick reach the event hub (people watching need no more).
    public static let tickInterval: Duration = .milliseconds(250)
    private var nextSessionID: UInt64 = 0

    /// Creates a registry; a device not heard from for `heartbeatTTL` seconds goes offline. Samples are rolled up into
    /// `history` (the standard ladder in `store` when nil) and judged against `thresholds`.
    public init(store: Store, events: EventHub, heartbeatTTL: TimeInterval, logger: Logger, history: MetricsHistory? = nil,
                thresholds: HealthThresholds = HealthThresholds()) {
        self.store = store
        self.events = events
        self.heartbeatTTL = heartbeatTTL
        self.logger = logger
        self.history = history ?? MetricsHistory(store: store)
        self.thresholds = thresholds
    }

    // MARK: Sessions

    /// Records that `deviceID` connected; an older session of the same device is closed.
    func connected(deviceID: String, address: String?, now: Date, connection: MessageConnection? = nil,
                   close: @escaping @Sendable () -> Void) async throws -> UInt64 {
        nextSessionID += 1
        // Kept in a local: the actor is re-entered at the await below, and other connections move the counter.
        let sessionID = nextSessionID
        if let old = sessions[deviceID] { old.close() }
        sessions[deviceID] = Session(id: sessionID, connection: connection, close: close, lastHeard: now)
        let record = try await store.write { db -> DeviceRecord? in
            guard var record = try DeviceRecord.fetchOne(db, key: deviceID) else { return nil }
            record.address = address
            record.lastSeenAt = now
            try record.update(db)
            return record
        }
        if let record { await publish(.deviceOnline, record, now: now, message: "\(record.name) came online from \(address ?? "an unknown address")") }
        return sessionID
    }

    /// Records that a session ended; the device goes offline unless a newer session replaced it.
    func disconnected(deviceID: String, sessionID: UInt64, now: Date) async {
        guard sessions[deviceID]?.id == sessionID else { return }
        sessions.removeValue(forKey: deviceID)
        await markOffline(deviceID: deviceID, now: now, reason: "disconnected")
    }

    /// Sends `request` to the device's agent and waits for its reply. The agent's typed errors become
    /// API errors: an invalid spec is 422, something missing 404, a failure on the device 502.
    public func ask<R: WireRequest>(_ nameOrID: String, _ request: R, timeout: Duration = .seconds(60)) async throws -> R.Reply {
        let (device, connection) = try await session(of: nameOrID)
        do {
            return try await connection.request(request, timeout: timeout)
        } catch let error as HomelabError {
            throw HomelabError(agentError: error, device: device.name)
        }
    }

    /// The device's record and its live connection, or a conflict when it is not connected.
    public func session(of nameOrID: String) async throws -> (DeviceResource, MessageConnection) {
        let device = try await get(nameOrID)
        guard let connection = sessions[device.id]?.connection else {
            throw HomelabError(.deviceOffline, "\(device.name) is \(device.status.rawValue): only a connected device can do this")
        }
        return (device, connection)
    }

    /// Passes on what an agent reported about its stacks: progress to the job that routes it, and both
    /// progress and container events to the event hub (pull ticks at most every ``tickInterval`` per stack).
    func publish(stack progress: StackProgress?, container: ContainerEvent?, deviceID: String, now: Date) async {
        if let container, let project = container.project, ContainerExits.counts(container.action) {
            _ = try? await store.write { db in
                try ContainerExitRecord(id: nil, deviceID: deviceID, project: project, service: container.service, action: container.action, time: now).insert(db)
            }
        }
        if let progress {
            _ = self.progress.deliver(progress, deviceID: deviceID)
            if progress.phase == .pull && progress.current != nil {
                let key = "\(deviceID)/\(progress.project)", instant = ContinuousClock.now
                if let last = lastTick[key], instant - last < Self.tickInterval { return }
                lastTick[key] = instant
            } else if progress.phase == .done {
                lastTick.removeValue(forKey: "\(deviceID)/\(progress.project)")
            }
        }
        guard let record = try? await store.read({ db in try DeviceRecord.fetchOne(db, key: deviceID) }) else { return }
        var event = RegistryEvent(type: progress != nil ? .stackProgress : .containerEvent, time: now,
                                  device: record.resource(online: sessions[deviceID] != nil))
        event.stack = progress
        event.container = container
        events.publish(event)
    }

    /// Publishes a backup run's progress an agent reported.
    func publish(backup progress: RunProgressEvent, deviceID: String, now: Date) async {
        heard(deviceID: deviceID, now: now)
        guard let record = try? await store.read({ db in try DeviceRecord.fetchOne(db, key: deviceID) }) else { return }
        var event = RegistryEvent(type: .backupProgress, time: now, device: record.resource(online: sessions[deviceID] != nil))
        event.backup = progress
        events.publish(event)
    }

    /// Asks the device's agent for a metrics sample now, records it as the latest, and returns it.
    public func sampleNow(_ nameOrID: String, timeout: Duration = .seconds(10)) async throws -> MetricsSample {
        let sample = try await ask(nameOrID, SampleRequest(), timeout: timeout)
        try await report(metrics: sample, deviceID: try await get(nameOrID).id, now: Date())
        return sample
    }

    /// Records that the device spoke; keeps it online.
    func heard(deviceID: String, now: Date) {
        sessions[deviceID]?.lastHeard = now
    }

    /// Closes sessions not heard from within the TTL and marks their devices offline.
    public func sweep(now: Date) async {
        let stale = sessions.filter { now.timeIntervalSince($0.value.lastHeard) > heartbeatTTL }
        for (deviceID, session) in stale {
            // Re-check after each await: the device may have reconnected with a new session meanwhile.
            guard sessions[deviceID]?.id == session.id else { continue }
            sessions.removeValue(forKey: deviceID)
            session.close()
            await markOffline(deviceID: deviceID, now: now, reason: "no heartbeat for \(Int(heartbeatTTL)) s")
        }
    }

    private func markOffline(deviceID: String, now: Date, reason: String) async {
        guard let record = try? await store.read({ db in try DeviceRecord.fetchOne(db, key: deviceID) }) else { return }
        await publish(.deviceOffline, record, now: now, message: "\(record.name) went offline (\(reason))")
        let unreachable = DeviceHealth.unreachable
        await publish(.healthChanged, record, now: now, message: nil,
                      health: HealthChange(subject: .device, name: record.name, level: unreachable.level, previous: record.decodedHealth?.level,
                                           reason: unreachable.reason))
    }


    /// Closes every session (shutdown).
    public func closeAll() {
        for session in sessions.values { session.close() }
        sessions.removeAll()
    }

    // MARK: Reports

    /// Stores the facts a device reported.
    func report(facts: DeviceFacts, deviceID: String, now: Date) async throws {
        heard(deviceID: deviceID, now: now)
        let record = try await store.write { db -> DeviceRecord? in
            guard var record = try DeviceRecord.fetchOne(db, key: deviceID) else { return nil }
            record.facts = JSONText.encode(facts)
            record.lastSeenAt = now
            try record.update(db)
            return record
        }
        if let record { await publish(.deviceUpdated, record, now: now, message: nil) }
    }

    /// Stores a metrics sample as the latest and in the history (raw and rolled up), in one transaction; tells a
    /// reboot (the uptime went down) and a change of health colour, each as an event and an activity entry.
    public func report(metrics: MetricsSample, deviceID: String, now: Date) async throws {
        heard(deviceID: deviceID, now: now)
        let text = JSONText.encode(metrics)
        let (history, thresholds) = (self.history, self.thresholds)
        let outcome = try await store.write { db -> (DeviceRecord, before: DeviceHealth?, rebooted: Bool)? in
            guard var record = try DeviceRecord.fetchOne(db, key: deviceID) else { return nil }
            let previous = record.decodedMetrics
            let before = record.decodedHealth
            record.metrics = text
            record.lastSeenAt = now
            try MetricsSampleRecord(id: nil, deviceID: deviceID, time: now, sample: text).insert(db)
            try history.record(device: deviceID, sample: metrics, previous: previous, at: now, in: db)
            // CPU over the last five minutes, so one busy sample does not change the colour.
            let cpu = try history.recent(SeriesKey(subject: .device(deviceID), name: .cpu), seconds: 300, now: now, in: db).rows
            let cpuAverage = cpu.isEmpty ? nil : cpu.reduce(0) { $0 + $1.sum } / Double(cpu.reduce(0) { $0 + $1.count })
            let health = DeviceHealth.evaluate(online: metrics, thresholds: thresholds, cpuPercent: cpuAverage, previous: before?.level)
            record.health = record.state == .enrolled ? JSONText.encode(health) : nil
            try record.update(db)
            let rebooted = DeviceReliability.reboots(uptimes: [previous?.uptimeSeconds, metrics.uptimeSeconds].compactMap { $0 }) > 0
            return (record, before, rebooted)
        }
        guard let (record, before, rebooted) = outcome else { return }
        await publish(.deviceUpdated, record, now: now, message: nil)
        if rebooted {
            await publish(.deviceRebooted, record, now: now, message: "\(record.name) rebooted (up \(Words.span(metrics.uptimeSeconds ?? 0)))")
        }
        if let health = record.decodedHealth, health.level != before?.level {
            let change = HealthChange(subject: .device, name: record.name, level: health.level, previous: before?.level, reason: health.reason)
            // News for the activity feed: turning yellow or red, and recovering from it; not a first green or unknown.
            let news = [.yellow, .red].contains(health.level) || [.yellow, .red].contains(before?.level ?? .unknown)
            let said = news ? "\(record.name) is \(health.level.rawValue): \(health.reason)" : nil
            await publish(.healthChanged, record, now: now, message: said, health: change)
        }
    }

    /// Deletes metrics samples taken before `cutoff`; returns how many.
    @discardableResult
    public func pruneMetrics(olderThan cutoff: Date) async throws -> Int {
        try await store.write { db in
            try MetricsSampleRecord.filter(Column("time") < cutoff).deleteAll(db)
        }
    }

    /// Number of stored metrics samples of a device.
    public func metricsHistoryCount(deviceID: String) async throws -> Int {
        try await store.read { db in try MetricsSampleRecord.filter(Column("deviceID") == deviceID).fetchCount(db) }
    }

    // MARK: Administration

    /// Every device, by name.
    public func list() async throws -> [DeviceResource] {
        let records = try await store.read { db in try DeviceRecord.order(Column("name")).fetchAll(db) }
        return records.map { $0.resource(online: sessions[$0.id] != nil) }
    }

    /// One device by name or id.
    public func get(_ nameOrID: String) async throws -> DeviceResource {
        guard let record = try await store.read({ db in try DeviceRecord.find(db, nameOrID: nameOrID) }) else {
            throw HomelabError.notFound("no device named '\(nameOrID)'")
        }
        return record.resource(online: sessions[record.id] != nil)
    }

    /// Admits a pending device; it receives its certificate the next time it asks.
    public func approve(_ nameOrID: String, now: Date = Date()) async throws -> DeviceResource {
        let record = try await store.write { db -> DeviceRecord in
            guard var record = try DeviceRecord.find(db, nameOrID: nameOrID) else {
                throw HomelabError.notFound("no device named '\(nameOrID)'")
            }
            guard record.state == .pending else {
                throw HomelabError.conflict("device '\(record.name)' is already enrolled")
            }
            record.state = .enrolled
            try record.update(db)
            return record
        }
        await publish(.deviceEnrolled, record, now: now, message: "\(record.name) was approved")
        return record.resource(online: false)
    }

    /// Removes a device: its certificate is refused from now on and a live session is closed.
    public func remove(_ nameOrID: String, now: Date = Date()) async throws {
        let record = try await store.write { db -> DeviceRecord in
            guard let record = try DeviceRecord.find(db, nameOrID: nameOrID) else {
                throw HomelabError.notFound("no device named '\(nameOrID)'")
            }
            try record.delete(db)
            return record
        }
        sessions.removeValue(forKey: record.id)?.close()
        await publish(.deviceRemoved, record, now: now, message: "\(record.name) was removed")
    }

    /// Publishes an event and, when it has a message, records it in the activity feed.
    func publish(_ kind: RegistryEvent.Kind, _ record: DeviceRecord, now: Date, message: String?, health: HealthChange? = nil) async {
        if let message {
            logger.info("\(message)")
            _ = try? await store.write { db in
                try EventRecord(id: nil, time: now, type: kind.rawValue, deviceID: record.id, message: message).insert(db)
            }
        }
        var event = RegistryEvent(type: kind, time: now, device: record.resource(online: sessions[record.id] != nil))
        event.health = health
        events.publish(event)
    }
}
