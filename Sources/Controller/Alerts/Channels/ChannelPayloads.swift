import Foundation
import Protocol

/// The JSON a `webhook` channel posts: Standard Webhooks' `type`, `timestamp` and `data`.
struct WebhookPayload: Codable, Equatable, Sendable {
    struct Content: Codable, Equatable, Sendable {
        var title: String
        var text: String
        var severity: AlertSeverity
        var alert: AlertMessage.Summary?
    }
    /// `alert.firing`, `alert.resolved` or `alert.test`.
    var type: String
    var timestamp: Date
    var data: Content

    init(_ message: AlertMessage) {
        type = "alert.\(message.kind.rawValue)"
        timestamp = message.time
        data = Content(title: message.title, text: message.body, severity: message.severity, alert: message.alert)
    }
}

/// Gotify's `POST /message` body.
struct GotifyMessage: Codable, Equatable, Sendable {
    var title: String
    var message: String
    var priority: Int
}

/// A Discord webhook body; mentions in the text never ping anyone.
struct DiscordMessage: Codable, Equatable, Sendable {
    struct Mentions: Codable, Equatable, Sendable { var parse: [String] = [] }
    var username = "homelab"
    var content: String
    var allowedMentions = Mentions()

    enum CodingKeys: String, CodingKey {
        case username, content
        case allowedMentions = "allowed_mentions"
    }
}
