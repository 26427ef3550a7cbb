import Foundation

/// An Umbrel app's `exports.sh`: a shell script exporting variables for its compose file. It is never run; its
/// plain `export NAME=value` lines are read, and `$(derive_entropy …)` values (secrets derived from the
/// device's seed) become generated secrets.
enum UmbrelExports {
    enum Value: Equatable {
        case constant(String)
        /// Derived from Umbrel's seed: a secret.
        case derived
        /// Anything else a shell would compute.
        case computed
    }

    static func read(_ text: String) -> (values: [String: Value], otherLines: Int) {
        var values: [String: Value] = [:]
        var other = 0
        for rawLine in text.split(whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard line.hasPrefix("export "), let equals = line.firstIndex(of: "=") else {
                other += 1
                continue
            }
            let name = line[line.index(line.startIndex, offsetBy: 7)..<equals].trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty, name.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }) else {
                other += 1
                continue
            }
            var value = String(line[line.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
            let quoted = value.count >= 2 && ((value.hasPrefix("\"") && value.hasSuffix("\"")) || (value.hasPrefix("'") && value.hasSuffix("'")))
            let singleQuoted = quoted && value.hasPrefix("'")
            if quoted { value = String(value.dropFirst().dropLast()) }
            if value.contains("derive_entropy") {
                values[name] = .derived
            } else if !singleQuoted && (value.contains("$") || value.contains("`")) {
                values[name] = .computed
            } else {
                values[name] = .constant(value)
            }
        }
        return (values, other)
    }
}
