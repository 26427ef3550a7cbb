import CCurl
import Foundation
import Protocol

/// Sends e-mail through libcurl's SMTP client (STARTTLS or TLS with certificate checks, authentication, dot-stuffing).
/// libcurl blocks, so each message is sent on a thread of its own, never on the concurrency pool. A delivery counts only
/// when the server answered the message with 250.
struct SMTPChannelSender: ChannelSender {
    /// Longest a whole exchange may take, in seconds.
    var timeout = 30

    /// libcurl's global state, set up once before the first handle.
    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    func send(_ message: AlertMessage, spec: AlertChannelSpec) async -> DeliveryOutcome {
        guard let smtp = spec.smtp else { return DeliveryOutcome(delivered: false, detail: "smtp channel without smtp settings") }
        let mail = MailMessage.render(message, from: smtp.from, to: smtp.to)
        let (username, password, timeout) = (spec.username, spec.password, self.timeout)
        return await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: Self.transfer(mail, smtp: smtp, username: username, password: password, timeout: timeout))
            }
            thread.name = "homelab-smtp"
            thread.start()
        }
    }

    /// The bytes of the message, read by libcurl's upload callback.
    private final class Upload {
        let bytes: [UInt8]
        var offset = 0
        init(_ data: Data) { bytes = Array(data) }
    }

    /// One SMTP exchange, blocking.
    private static func transfer(_ mail: Data, smtp: SMTPSettings, username: String?, password: String?, timeout: Int) -> DeliveryOutcome {
        guard initialized, let curl = curl_easy_init() else { return DeliveryOutcome(delivered: false, detail: "libcurl could not start") }
        defer { curl_easy_cleanup(curl) }
        let security = smtp.security ?? .starttls
        let scheme = security == .tls ? "smtps" : "smtp"
        let host = smtp.host.contains(":") && !smtp.host.hasPrefix("[") ? "[\(smtp.host)]" : smtp.host
        var recipients: UnsafeMutablePointer<curl_slist>?
        for address in smtp.to { recipients = curl_slist_append(recipients, "<\(address)>") }
        defer { curl_slist_free_all(recipients) }
        let upload = Upload(mail)
        var errors = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        let code: CURLcode = withExtendedLifetime(upload) {
            errors.withUnsafeMutableBufferPointer { errorBuffer -> CURLcode in
                _ = hl_curl_set_string(curl, CURLOPT_URL, "\(scheme)://\(host):\(smtp.effectivePort)")
                _ = hl_curl_set_string(curl, CURLOPT_MAIL_FROM, "<\(smtp.from)>")
                _ = hl_curl_set_pointer(curl, CURLOPT_MAIL_RCPT, recipients)
                _ = hl_curl_set_long(curl, CURLOPT_USE_SSL, security == .starttls ? Int(CURLUSESSL_ALL.rawValue) : Int(CURLUSESSL_NONE.rawValue))
                if let username { _ = hl_curl_set_string(curl, CURLOPT_USERNAME, username) }
                if let password { _ = hl_curl_set_string(curl, CURLOPT_PASSWORD, password) }
                if let caFile = smtp.caFile { _ = hl_curl_set_string(curl, CURLOPT_CAINFO, caFile) }
                _ = hl_curl_set_long(curl, CURLOPT_UPLOAD, 1)
                _ = hl_curl_set_long(curl, CURLOPT_INFILESIZE, upload.bytes.count)
                _ = hl_curl_set_read(curl) { buffer, size, count, context in
                    guard let buffer, let context else { return 0 }
                    let upload = Unmanaged<Upload>.fromOpaque(context).takeUnretainedValue()
                    let length = min(size * count, upload.bytes.count - upload.offset)
                    upload.bytes.withUnsafeBufferPointer { bytes in
                        UnsafeMutableRawPointer(buffer).copyMemory(from: bytes.baseAddress! + upload.offset, byteCount: length)
                    }
                    upload.offset += length
                    return length
                }
                _ = hl_curl_set_pointer(curl, CURLOPT_READDATA, Unmanaged.passUnretained(upload).toOpaque())
                _ = hl_curl_set_long(curl, CURLOPT_TIMEOUT, timeout)
                _ = hl_curl_set_long(curl, CURLOPT_CONNECTTIMEOUT, min(10, timeout))
                _ = hl_curl_set_long(curl, CURLOPT_NOSIGNAL, 1)
                _ = hl_curl_set_pointer(curl, CURLOPT_ERRORBUFFER, errorBuffer.baseAddress)
                return curl_easy_perform(curl)
            }
        }
        let reply = hl_curl_response_code(curl)
        if code == CURLE_OK {
            return reply == 250 ? DeliveryOutcome(delivered: true, detail: "SMTP 250")
                : DeliveryOutcome(delivered: false, detail: "SMTP \(reply) instead of 250")
        }
        let said = String(decoding: errors.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let detail = said.isEmpty ? String(cString: curl_easy_strerror(code)) : said
        return DeliveryOutcome(delivered: false, detail: (reply > 0 ? "SMTP \(reply): " : "") + detail)
    }
}
