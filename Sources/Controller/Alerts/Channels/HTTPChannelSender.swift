import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Protocol

/// Posts webhook, ntfy, Gotify, Discord and Slack messages; a delivery counts only on a 2xx answer.
struct HTTPChannelSender: ChannelSender {
    let http: HTTPClient
    /// Longest a request may take.
    var timeout: TimeAmount = .seconds(15)

    func send(_ message: AlertMessage, spec: AlertChannelSpec) async -> DeliveryOutcome {
        let request: ChannelRequest
        do {
            guard let made = try ChannelRequest.make(message, spec: spec) else {
                return DeliveryOutcome(delivered: false, detail: "\(spec.kind.rawValue) channel without a url")
            }
            request = made
        } catch {
            return DeliveryOutcome(delivered: false, detail: "the message could not be encoded: \(error)")
        }
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = .POST
        outgoing.headers.add(name: "User-Agent", value: "homelab-controller/\(ControllerVersion.current)")
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        outgoing.body = .bytes(ByteBuffer(bytes: request.body))
        do {
            let response = try await http.execute(outgoing, timeout: timeout)
            let status = Int(response.status.code)
            let text = String(buffer: try await response.body.collect(upTo: 64 * 1024))
            if (200..<300).contains(status) { return DeliveryOutcome(delivered: true, detail: "HTTP \(status)") }
            let said = text.trimmingCharacters(in: .whitespacesAndNewlines).prefix(200)
            return DeliveryOutcome(delivered: false, detail: "HTTP \(status)" + (said.isEmpty ? "" : ": \(said)"),
                                   retryAfter: response.headers.first(name: "Retry-After").flatMap(TimeInterval.init))
        } catch {
            return DeliveryOutcome(delivered: false, detail: Self.describe(error))
        }
    }

    /// A transport failure in words: `connection refused`, `timed out`, the TLS problem.
    static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout: return "timed out"
            case .remoteConnectionClosed: return "the receiver closed the connection"
            default: return "\(error)"
            }
        }
        let text = "\(error)"
        return text.localizedCaseInsensitiveContains("connection refused") ? "connection refused" : text
    }
}
