import Foundation
import Protocol

/// One notification, as every channel renders it.
struct AlertMessage: Sendable, Equatable {
    /// The delivery it is (`webhook-id: msg_ID`): a receiver that sees it twice after a controller restart can tell.
    var deliveryID: Int64
    /// Firing, resolved or test.
    var kind: AlertDelivery.Message
    var severity: AlertSeverity
    /// Short: `nas is offline`.
    var title: String
    /// Long: `nas has been offline for 5 min (last seen …)`.
    var body: String
    /// The alert it is about (none for a test).
    var alert: Summary?
    /// When it was made.
    var time: Date

    /// What a webhook receiver learns about the alert.
    struct Summary: Codable, Sendable, Equatable {
        var id: Int64
        var rule: String
        var kind: String
        var subject: String
        var state: String
        var firedAt: Date
        var resolvedAt: Date?
    }

    /// The title as a notification's subject: `[homelab] nas is offline`, `[homelab] test: …`.
    var subjectLine: String { kind == .test ? "[homelab] test: \(title)" : "[homelab] \(title)" }
}
