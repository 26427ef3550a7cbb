import ArgumentParser

/// Parses `--label key=value` arguments into a dictionary.
public enum LabelArguments {
    /// The labels of `key=value` strings; keys must be non-empty and unique.
    public static func parse(_ arguments: [String]) throws(ValidationError) -> [String: String] {
        var labels: [String: String] = [:]
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "=") else {
                throw ValidationError("label '\(argument)' must be key=value")
            }
            let key = String(argument[..<equals]).trimmingWhitespace()
            let value = String(argument[argument.index(after: equals)...])
            guard !key.isEmpty else {
                throw ValidationError("label '\(argument)' has an empty key")
            }
            guard labels[key] == nil else {
                throw ValidationError("label '\(key)' is given twice")
            }
            labels[key] = value
        }
        return labels
    }
}
