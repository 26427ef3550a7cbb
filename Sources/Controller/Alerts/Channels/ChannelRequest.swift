import Foundation
import Protocol

/// The HTTP request a message becomes on a webhook, ntfy, Gotify, Discord or Slack channel.
struct ChannelRequest: Sendable {
    var url: String
    var headers: [(String, String)]
    var body: Data

    /// The request for `message` on a channel of `spec`'s kind; nil for SMTP, which is not HTTP.
    static func make(_ message: AlertMessage, spec: AlertChannelSpec) throws -> ChannelRequest? {
        guard let url = spec.url else { return nil }
        let json = [("Content-Type", "application/json")]
        switch spec.kind {
        case .webhook:
            let body = try sortedJSON(WebhookPayload(message))
            return ChannelRequest(url: url, headers: json + StandardWebhook.headers(id: "msg_\(message.deliveryID)", time: message.time, body: body,
                                                                                  secret: spec.secret), body: body)
        case .ntfy:
            var headers = [("Title", Self.headerText(message.subjectLine)), ("Priority", ntfyPriority(message)), ("Tags", ntfyTags(message))]
            if let token = spec.token {
                headers.append(("Authorization", "Bearer \(token)"))
            } else if let user = spec.username, let password = spec.password {
                headers.append(("Authorization", "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()))
            }
            return ChannelRequest(url: url, headers: headers + [("Content-Type", "text/plain; charset=utf-8")], body: Data(message.body.utf8))
        case .gotify:
            let base = url.hasSuffix("/") ? String(url.dropLast()) : url
            let body = try sortedJSON(GotifyMessage(title: message.subjectLine, message: message.body, priority: gotifyPriority(message)))
            return ChannelRequest(url: base + "/message", headers: json + [("X-Gotify-Key", spec.token ?? "")], body: body)
        case .discord:
            let body = try sortedJSON(DiscordMessage(content: "**\(message.subjectLine)**\n\(message.body)"))
            return ChannelRequest(url: url, headers: json, body: body)
        case .slack:
            return ChannelRequest(url: url, headers: json, body: try sortedJSON(["text": "*\(message.subjectLine)*\n\(message.body)"]))
        case .smtp:
            return nil
        }
    }

    static func sortedJSON(_ value: some Encodable) throws -> Data {
        let encoder = WireCoding.encoder
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    /// ntfy's 1-5: urgent for critical, high for warnings, default for information, low for resolutions and tests.
    static func ntfyPriority(_ message: AlertMessage) -> String {
        guard message.kind == .firing else { return "2" }
        switch message.severity {
        case .critical: return "5"
        case .warning: return "4"
        case .info: return "3"
        }
    }

    /// ntfy tags (shown as emoji): `rotating_light`, `warning`, `information_source`, `white_check_mark`, plus `homelab`.
    static func ntfyTags(_ message: AlertMessage) -> String {
        let first: String = switch (message.kind, message.severity) {
        case (.resolved, _): "white_check_mark"
        case (.test, _): "test_tube"
        case (.firing, .critical): "rotating_light"
        case (.firing, .warning): "warning"
        case (.firing, .info): "information_source"
        }
        return "\(first),homelab"
    }

    /// Gotify's 0-10: 8 for critical, 5 for warnings, 2 for information, 1 for resolutions and tests.
    static func gotifyPriority(_ message: AlertMessage) -> Int {
        guard message.kind == .firing else { return 1 }
        switch message.severity {
        case .critical: return 8
        case .warning: return 5
        case .info: return 2
        }
    }

    /// A header value: ASCII as it is, anything else as an RFC 2047 encoded word (which ntfy decodes).
    static func headerText(_ text: String) -> String {
        let plain = text.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 32 && $0.value != 127 }
        return plain ? text : "=?UTF-8?B?\(Data(text.utf8).base64EncodedString())?="
    }
}
