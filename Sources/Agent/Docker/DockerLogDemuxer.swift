import NIOCore
import Protocol

/// Splits the Engine's log stream into lines: for a container without a TTY each frame has an
/// 8-byte header (stream: 1 stdout, 2 stderr; 3 zero bytes; big-endian payload length); with a
/// TTY the bytes are raw and all count as stdout. Partial lines wait for their newline.
struct DockerLogDemuxer {
    let tty: Bool
    let timestamps: Bool
    private var frames = DockerStreamFrames()
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
        return try frames.feed(chunk).flatMap { frame in split(frame.source, frame.payload.readableBytesView) }
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

/// The frames of the Engine's multiplexed stream (logs and exec of a container without a TTY): an
/// 8-byte header (stream: 1 stdout, 2 stderr; 3 zero bytes; big-endian payload length), then the payload.
struct DockerStreamFrames {
    private var buffer = ByteBuffer()

    /// The whole frames `chunk` completes, in order.
    mutating func feed(_ chunk: ByteBuffer) throws -> [(source: LogLine.Source, payload: ByteBuffer)] {
        var chunk = chunk
        buffer.writeBuffer(&chunk)
        var frames: [(source: LogLine.Source, payload: ByteBuffer)] = []
        while buffer.readableBytes >= 8 {
            let kind = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self)!
            let length = Int(buffer.getInteger(at: buffer.readerIndex + 4, as: UInt32.self)!)
            guard buffer.readableBytes >= 8 + length else { break }
            buffer.moveReaderIndex(forwardBy: 8)
            let payload = buffer.readSlice(length: length)!
            switch kind {
            case 1: frames.append((.stdout, payload))
            case 2: frames.append((.stderr, payload))
            default: throw DockerClientError(.badResponse, "stream frame of unknown kind \(kind)")
            }
        }
        buffer.discardReadBytes()
        return frames
    }
}
