import Logging
import Synchronization

/// A logger whose messages a test reads back (warnings a refusal must leave, say).
final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])

    /// A logger writing here, from `level` up.
    func logger(level: Logger.Level = .info) -> Logger {
        var logger = Logger(label: "test.captured") { _ in Handler(log: self) }
        logger.logLevel = level
        return logger
    }

    /// Every message so far, as `level: text`.
    var messages: [String] { lines.withLock { $0 } }

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            log.append("\(event.level): \(event.message)")
        }
    }
}
