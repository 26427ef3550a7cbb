import Foundation
import NIOCore

/// An `application/x-www-form-urlencoded` body (or query) as name → value; a name given twice keeps its last value.
struct FormBody: Sendable {
    /// The fields.
    var fields: [String: String]

    /// Parses form-encoded text (`+` is a space, `%XX` a byte).
    init(text: String) {
        var components = URLComponents()
        components.percentEncodedQuery = text.replacingOccurrences(of: "+", with: "%20")
        fields = (components.queryItems ?? []).reduce(into: [:]) { $0[$1.name] = $1.value ?? "" }
    }

    /// Parses a collected request body.
    init(buffer: ByteBuffer) { self.init(text: String(buffer: buffer)) }

    /// A field's value.
    subscript(_ name: String) -> String? { fields[name] }

    /// A field's value with surrounding white space removed; nil when empty.
    func trimmed(_ name: String) -> String? {
        fields[name].map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
    }
}
