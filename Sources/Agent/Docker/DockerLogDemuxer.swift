import NIOCore
import Protocol

/// Splits the Engine's log stream into lines: for a container without a TTY each frame has an
/// 8-byte header (stream: 1 stdout, 2 stderr; 3 zero bytes; big-endian payload length); with a
/// TTY the bytes are raw and all count as stdout. Partial lines wait for their newline.
struct DockerLogDemuxer {
    let tty: Bool
    let timestamps: Bool
    private var frames = ByteBuffer()
    private var partial: [LogLine.Source: [UInt8]] = [:]
    /// Longest line kept whole; longer ones are cut so a line without newline cannot grow without bound.
    static let maximumLine = 1 << 20

    init(tty: Bool, timestamps: Bool) {
        self.tty = tty
        self.timestamps = timestamps
    }

    /// The complete lines in `chunk` and what came before it.
    mutating func feed(_ chunk: ByteBuffer) throws -> [LogLine] {
        if tty { return split(.stdout, chunk.readableBytesView) }
        var chunk = chunk
        frames.writeBuffer(&chunk)
        var lines: [LogLine] = []
        while frames.readableBytes >= 8 {
            let kind = frames.getInteger(at: frames.readerIndex, as: UInt8.self)!
            let length = Int(frames.getInteger(at: frames.readerIndex + 4, as: UInt32.self)!)
            guard frames.readableBytes >= 8 + length else { break }
            frames.moveReaderIndex(forwardBy: 8)
            let payload = frames.readSlice(length: length)!
            let source: LogLine.Source
            switch kind {
            case 1: source = .stdout
            case 2: source = .stderr
            default: throw DockerClientError(.badResponse, "log stream frame of unknown kind \(kind)")
            }
            lines += split(source, payload.readableBytesView)
        }
        frames.discardReadBytes()
        return lines
    }

    /// The unterminated last lines, at the end of the stream.
    mutating func finish() -> [LogLine] {
        let rest = [LogLine.Source.stdout, .stderr].compactMap { source -> LogLine? in
            guard let bytes = partial[source], !bytes.isEmpty else { return nil }
            return line(source, bytes)
        }
        partial = [:]
        return rest
    }

    private mutating func split(_ source: LogLine.Source, _ bytes: ByteBufferView) -> [LogLine] {
        var lines: [LogLine] = []
        var current = partial[source] ?? []
        for byte in bytes {
            if byte == UInt8(ascii: "\n") {
                lines.append(line(source, current))
                current.removeAll(keepingCapacity: true)
            } else {
                current.append(byte)
                if current.count >= Self.maximumLine {
                    lines.append(line(source, current))
                    current.removeAll(keepingCapacity: true)
                }
            }
        }
        partial[source] = current
        return lines
    }

    /// A line, its `RFC3339Nano ` prefix taken off as the time when timestamps were asked for.
    private func line(_ source: LogLine.Source, _ bytes: [UInt8]) -> LogLine {
        var text = String(decoding: bytes.last == UInt8(ascii: "\r") ? bytes.dropLast() : bytes[...], as: UTF8.self)
        var time: String?
        if timestamps, let space = text.firstIndex(of: " "), text[..<space].contains("T") {
            time = String(text[..<space])
            text = String(text[text.index(after: space)...])
        }
        return LogLine(stream: source, time: time, text: text)
    }
}
