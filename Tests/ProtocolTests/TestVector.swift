import Foundation
import NIOCore
import Protocol
import Testing

/// One test vector from `docs/protocol.md` (section "Test vectors" describes the format).
struct TestVector: Sendable, CustomTestStringConvertible {
    /// A frame the vector expects, in the document's notation.
    enum ExpectedFrame: Sendable, Equatable {
        case message(String)
        case stream(id: UInt32, data: [UInt8])

        /// The frame this notation stands for.
        var frame: Frame {
            switch self {
            case .message(let json): return .message(ByteBuffer(string: json))
            case .stream(let id, let data): return .stream(id: id, data: ByteBuffer(bytes: data))
            }
        }
    }

    /// What the envelope of a message frame decodes to.
    enum ExpectedEnvelope: Sendable, Equatable {
        case header(v: Int, id: UInt64, type: String, re: UInt64?)
        case error(HomelabError.Code)
    }

    var name: String
    var maximumFrameLength = FrameLimits.defaultMaximumFrameLength
    /// Bytes delivered per read, in order; EOF follows the last.
    var reads: [[UInt8]] = []
    var frames: [ExpectedFrame] = []
    var envelopes: [ExpectedEnvelope] = []
    var error: HomelabError.Code?

    /// All bytes of the vector, as one buffer.
    var bytes: ByteBuffer { ByteBuffer(bytes: reads.joined()) }
    var testDescription: String { name }
}

/// Reads the fenced ```` ```vector ```` blocks of `docs/protocol.md`, the single source of the vectors.
enum TestVectors {
    /// A problem in the document's vector blocks.
    struct FormatError: Error, CustomStringConvertible {
        var description: String
    }

    /// The package root, found from this file's path (ProtocolTests declares no resources).
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Tests/ProtocolTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()  // the package root

    /// `docs/protocol.md`.
    static let documentURL = packageRoot.appendingPathComponent("docs/protocol.md")

    /// Every vector in the document, in document order.
    static func load() throws -> [TestVector] {
        try parse(String(contentsOf: documentURL, encoding: .utf8))
    }

    /// The vector called `name`.
    static func named(_ name: String) throws -> TestVector {
        guard let vector = try load().first(where: { $0.name == name }) else {
            throw FormatError(description: "no vector named '\(name)' in docs/protocol.md")
        }
        return vector
    }

    /// Parses the vector blocks of a Markdown text.
    static func parse(_ markdown: String) throws -> [TestVector] {
        var vectors: [TestVector] = []
        var block: [(key: String, value: String, line: Int)]?
        for (index, rawLine) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(rawLine)
            let lineNumber = index + 1
            guard var current = block else {
                if line.trimmingCharacters(in: .whitespaces) == "```vector" { block = [] }
                continue
            }
            if line.trimmingCharacters(in: .whitespaces) == "```" {
                vectors.append(try vector(from: current))
                block = nil
                continue
            }
            if line.first == " " || line.first == "\t" {
                guard !current.isEmpty else { throw FormatError(description: "line \(lineNumber): continuation without a key") }
                current[current.count - 1].value += " " + line.trimmingCharacters(in: .whitespaces)
            } else if !line.trimmingCharacters(in: .whitespaces).isEmpty {
                guard let colon = line.firstIndex(of: ":") else {
                    throw FormatError(description: "line \(lineNumber): expected 'key: value', got '\(line)'")
                }
                let key = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
                let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
                current.append((key, value, lineNumber))
            }
            block = current
        }
        if block != nil { throw FormatError(description: "unterminated vector block") }
        let names = vectors.map(\.name)
        if Set(names).count != names.count { throw FormatError(description: "duplicate vector names in \(names)") }
        return vectors
    }

    private static func vector(from lines: [(key: String, value: String, line: Int)]) throws -> TestVector {
        var vector = TestVector(name: "")
        for (key, value, line) in lines {
            func fail(_ problem: String) -> FormatError { FormatError(description: "line \(line): \(problem)") }
            switch key {
            case "name":
                vector.name = value
            case "max-frame-length":
                guard let maximum = Int(value) else { throw fail("bad max-frame-length '\(value)'") }
                vector.maximumFrameLength = maximum
            case "read":
                guard let bytes = hex(value) else { throw fail("bad hex '\(value)'") }
                vector.reads.append(bytes)
            case "frame":
                if value.hasPrefix("message ") {
                    vector.frames.append(.message(String(value.dropFirst("message ".count))))
                } else {
                    let parts = value.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
                    guard parts.count >= 2, parts[0] == "stream", let id = UInt32(parts[1]),
                          let data = hex(parts.dropFirst(2).joined()) else { throw fail("bad frame '\(value)'") }
                    vector.frames.append(.stream(id: id, data: data))
                }
            case "envelope":
                vector.envelopes.append(try envelope(value, fail: fail))
            case "error":
                vector.error = HomelabError.Code(rawValue: value)
            default:
                throw fail("unknown key '\(key)'")
            }
        }
        guard !vector.name.isEmpty else { throw FormatError(description: "a vector has no name") }
        guard !vector.reads.isEmpty else { throw FormatError(description: "vector \(vector.name) has no read") }
        return vector
    }

    private static func envelope(_ value: String, fail: (String) -> FormatError) throws -> TestVector.ExpectedEnvelope {
        var fields: [String: String] = [:]
        for pair in value.split(separator: " ") {
            let kv = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard kv.count == 2 else { throw fail("bad envelope field '\(pair)'") }
            fields[kv[0]] = kv[1]
        }
        if let code = fields["error"] { return .error(HomelabError.Code(rawValue: code)) }
        guard let v = fields["v"].flatMap({ Int($0) }), let id = fields["id"].flatMap({ UInt64($0) }), let type = fields["type"] else {
            throw fail("envelope needs v, id and type: '\(value)'")
        }
        var re: UInt64?
        if let text = fields["re"] {
            guard let number = UInt64(text) else { throw fail("bad re '\(text)'") }
            re = number
        }
        return .header(v: v, id: id, type: type, re: re)
    }

    /// Bytes from hex digits, ignoring whitespace; nil when the text is not hex.
    static func hex(_ text: String) -> [UInt8]? {
        let digits = Array(text.filter { !$0.isWhitespace })
        guard digits.count.isMultiple(of: 2), digits.allSatisfy(\.isHexDigit) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let byte = UInt8(String(digits[index...index + 1]), radix: 16) else { return nil }
            bytes.append(byte)
            index += 2
        }
        return bytes
    }
}
