import Foundation
import Protocol

/// What a receiver answered. Only a 2xx (HTTP) or 250 (SMTP) answer is a delivery.
struct DeliveryOutcome: Sendable, Equatable {
    var delivered: Bool
    /// `HTTP 204`, `SMTP 250`, `HTTP 500: <body>`, `connection refused`.
    var detail: String
    /// How long the receiver asked to wait (HTTP 429 or 503 `Retry-After`).
    var retryAfter: TimeInterval?
}

/// Sends one message through one channel.
protocol ChannelSender: Sendable {
    /// Sends it and says what the receiver answered; never throws.
    func send(_ message: AlertMessage, spec: AlertChannelSpec) async -> DeliveryOutcome
}
