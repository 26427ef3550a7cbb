import Foundation
import Protocol

/// An alert as an RFC 5322 message: UTF-8 text in base64, a subject encoded as RFC 2047 words when it is not ASCII.
enum MailMessage {
    /// The message's bytes, lines ending in CRLF.
    static func render(_ message: AlertMessage, from: String, to: [String], host: String = ProcessInfo.processInfo.hostName) -> Data {
        let headers = [
            "From: homelab <\(from)>",
            "To: \(to.joined(separator: ", "))",
            "Subject: \(ChannelRequest.headerText(message.subjectLine))",
            "Date: \(date(message.time))",
            "Message-ID: <homelab.\(message.deliveryID).\(Int(message.time.timeIntervalSince1970))@\(host.isEmpty ? "homelab" : host)>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "X-Homelab-Alert: \(message.kind.rawValue)",
        ]
        let encoded = Data((message.body + "\n").utf8).base64EncodedString()
        let lines = stride(from: 0, to: encoded.count, by: 76).map { start -> String in
            let from = encoded.index(encoded.startIndex, offsetBy: start)
            return String(encoded[from..<encoded.index(from, offsetBy: min(76, encoded.count - start))])
        }
        return Data((headers + [""] + lines).joined(separator: "\r\n").utf8 + Array("\r\n".utf8))
    }

    /// `Tue, 01 Dec 2026 10:00:00 +0000`.
    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        return formatter.string(from: date)
    }

    /// Whether an address looks like one (`local@domain`, no spaces, commas or angle brackets): the rest is the server's to judge.
    static func isAddress(_ text: String) -> Bool {
        guard !text.contains(where: { $0.isWhitespace || "<>,;\"".contains($0) }) else { return false }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
    }
}
