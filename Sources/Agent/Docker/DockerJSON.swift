import FoundationEssentials
import NIOCore

/// Docker's JSON, read and written at the edge only: `DockerEngine` builds request bodies with it
/// and reads replies through it, and translates both into the agent's own types.
enum DockerJSON: Codable, Equatable, Sendable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([DockerJSON])
    case object([String: DockerJSON])

    init(stringLiteral value: String) { self = .string(value) }
    init(integerLiteral value: Int) { self = .number(Double(value)) }
    init(booleanLiteral value: Bool) { self = .bool(value) }
    init(arrayLiteral elements: DockerJSON...) { self = .array(elements) }
    init(dictionaryLiteral elements: (String, DockerJSON)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { $1 }))
    }

    init(_ strings: [String]) { self = .array(strings.map { .string($0) }) }
    init(_ map: [String: String]) { self = .object(map.mapValues { .string($0) }) }
    init(_ number: Int64) { self = .number(Double(number)) }

    subscript(key: String) -> DockerJSON {
        if case .object(let object) = self { return object[key] ?? .null }
        return .null
    }

    var string: String? { if case .string(let value) = self { return value }; return nil }
    var int: Int64? { if case .number(let value) = self { return Int64(exactly: value.rounded()) }; return nil }
    var double: Double? { if case .number(let value) = self { return value }; return nil }
    var bool: Bool? { if case .bool(let value) = self { return value }; return nil }
    var array: [DockerJSON] { if case .array(let value) = self { return value }; return [] }
    var object: [String: DockerJSON] { if case .object(let value) = self { return value }; return [:] }
    var stringMap: [String: String] { object.compactMapValues(\.string) }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([DockerJSON].self) { self = .array(value) }
        else { self = .object(try container.decode([String: DockerJSON].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if let whole = Int64(exactly: value) { try container.encode(whole) } else { try container.encode(value) }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The JSON text.
    var buffer: ByteBuffer { ByteBuffer(bytes: (try? JSONEncoder().encode(self)) ?? Data("null".utf8)) }

    /// Parses `buffer`, or nil when it is not JSON.
    static func parse(_ buffer: ByteBuffer) -> DockerJSON? {
        try? JSONDecoder().decode(DockerJSON.self, from: Data(buffer.readableBytesView))
    }
}

/// Query-string helpers for the Engine API.
enum DockerQuery {
    /// `key=value&…`, percent-encoded, in the given order.
    static func encode(_ items: [(String, String)]) -> String {
        items.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    /// The Engine's `filters` parameter: `{"label":["k=v"]}` and the like, as JSON.
    static func filters(_ filters: [String: [String]]) -> String {
        var buffer = DockerJSON.object(filters.mapValues { DockerJSON($0) }).buffer
        return buffer.readString(length: buffer.readableBytes) ?? "{}"
    }

    static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(byte)))
            default:
                let hex = Array("0123456789ABCDEF")
                out += "%\(hex[Int(byte >> 4)])\(hex[Int(byte & 15)])"
            }
        }
        return out
    }
}
