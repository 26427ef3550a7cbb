import Foundation
import Protocol

/// Prints API answers as JSON: pretty-printed, keys sorted, dates as the API sends them (ISO 8601).
public enum JSONOutput {
    /// The JSON text of a value, with a final newline.
    public static func render(_ value: some Encodable) throws(CLIError) -> String {
        let encoder = WireCoding.encoder
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
        } catch {
            throw CLIError.wrapping(error)
        }
    }
}
