/// A variable a recipe's text may hold.
public enum TemplateVariable: Sendable, Hashable, CustomStringConvertible {
    case input(String)
    case secret(String)
    case deployment(DeploymentField)
    case componentHost(String)
    case componentPort(String)

    /// What `${deployment.*}` offers.
    public enum DeploymentField: String, Sendable, CaseIterable {
        case name, id, timezone, uid, gid, domain
    }

    public var description: String {
        switch self {
        case .input(let name): "${input.\(name)}"
        case .secret(let name): "${secret.\(name)}"
        case .deployment(let field): "${deployment.\(field.rawValue)}"
        case .componentHost(let name): "${component.\(name).host}"
        case .componentPort(let name): "${component.\(name).port}"
        }
    }
}

/// Text with `${…}` variables. `$$` is a literal `$`; a `$` followed by anything but `{` or `$` is literal too.
public struct Template: Sendable, Equatable {
    public enum Segment: Sendable, Equatable {
        case text(String)
        case variable(TemplateVariable)
    }

    public var segments: [Segment]

    /// The variables, in order of appearance.
    public var variables: [TemplateVariable] {
        segments.compactMap { if case .variable(let variable) = $0 { variable } else { nil } }
    }

    /// Parses `text`; the error says what is wrong in words.
    public init(parsing text: String) throws(TemplateError) {
        var segments: [Segment] = []
        var literal = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            literal += rest[..<dollar]
            let after = rest.index(after: dollar)
            if after < rest.endIndex && rest[after] == "$" {
                literal += "$"
                rest = rest[rest.index(after: after)...]
            } else if after < rest.endIndex && rest[after] == "{" {
                guard let close = rest[after...].firstIndex(of: "}") else {
                    throw TemplateError(message: "\"${\" is never closed with \"}\" (write $$ for a literal $)")
                }
                let name = String(rest[rest.index(after: after)..<close])
                if !literal.isEmpty { segments.append(.text(literal)) }
                literal = ""
                segments.append(.variable(try Self.variable(name)))
                rest = rest[rest.index(after: close)...]
            } else {
                literal += "$"
                rest = rest[after...]
            }
        }
        literal += rest
        if !literal.isEmpty { segments.append(.text(literal)) }
        self.segments = segments
    }

    static func variable(_ name: String) throws(TemplateError) -> TemplateVariable {
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        let known = "${input.NAME}, ${secret.NAME}, ${deployment.FIELD} or ${component.NAME.host|port}"
        switch parts.first {
        case "input" where parts.count == 2 && !parts[1].isEmpty: return .input(parts[1])
        case "secret" where parts.count == 2 && !parts[1].isEmpty: return .secret(parts[1])
        case "deployment" where parts.count == 2:
            guard let field = TemplateVariable.DeploymentField(rawValue: parts[1]) else {
                let fields = TemplateVariable.DeploymentField.allCases.map(\.rawValue).joined(separator: ", ")
                throw TemplateError(message: "${\(name)} is unknown: deployment offers \(fields)")
            }
            return .deployment(field)
        case "component" where parts.count == 3 && !parts[1].isEmpty:
            switch parts[2] {
            case "host": return .componentHost(parts[1])
            case "port": return .componentPort(parts[1])
            default: throw TemplateError(message: "${\(name)} is unknown: a component offers host and port")
            }
        default:
            throw TemplateError(message: "${\(name)} is not a variable: use \(known) (write $$ for a literal $)")
        }
    }

    /// The text with each variable replaced by `value(variable)`.
    public func render(_ value: (TemplateVariable) throws -> String) rethrows -> String {
        var out = ""
        for segment in segments {
            switch segment {
            case .text(let text): out += text
            case .variable(let variable): out += try value(variable)
            }
        }
        return out
    }
}

/// A template that does not parse.
public struct TemplateError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
