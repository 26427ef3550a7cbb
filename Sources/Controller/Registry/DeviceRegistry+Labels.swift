import Foundation
import GRDB
import Protocol

extension DeviceRegistry {
    /// Longest label key and value, and most labels a device may carry.
    static let labelLimits = (key: 63, value: 253, count: 64)

    /// Replaces a device's labels; publishes `device.updated` and records the change in the activity feed.
    public func setLabels(_ nameOrID: String, _ labels: [String: String], now: Date = Date()) async throws -> DeviceResource {
        try Self.check(labels: labels)
        let record = try await store.write { db -> DeviceRecord in
            guard var record = try DeviceRecord.find(db, nameOrID: nameOrID) else {
                throw HomelabError.notFound("no device named '\(nameOrID)'")
            }
            record.labels = JSONText.encode(labels)
            try record.update(db)
            return record
        }
        let text = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        await publish(.deviceUpdated, record, now: now, message: "Labels of \(record.name) set to \(text.isEmpty ? "none" : text)")
        return try await get(record.id)
    }

    /// Keys are 1-63 letters, digits, `.`, `_`, `-` or `/` starting with a letter or digit; values at most 253
    /// printable characters; at most 64 labels.
    static func check(labels: [String: String]) throws {
        guard labels.count <= labelLimits.count else {
            throw HomelabError.badRequest("labels: at most \(labelLimits.count) labels, got \(labels.count)")
        }
        for (key, value) in labels.sorted(by: { $0.key < $1.key }) {
            let allowed = key.unicodeScalars.allSatisfy { ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) || "._-/".unicodeScalars.contains($0) }
            guard !key.isEmpty, key.count <= labelLimits.key, allowed, key.first.map({ $0.isLetter || $0.isNumber }) == true else {
                throw HomelabError.badRequest("labels: '\(key)' is not a label key (1-\(labelLimits.key) letters, digits, '.', '_', '-' or '/', starting with a letter or digit)")
            }
            guard value.count <= labelLimits.value, !value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw HomelabError.badRequest("labels: the value of '\(key)' must be at most \(labelLimits.value) printable characters")
            }
        }
    }
}
