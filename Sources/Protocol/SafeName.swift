/// A name that becomes a path, or part of one, on some machine: checked where it enters (an API route, a
/// request from the controller, a recipe file) so that nothing like `..`, `a/b` or a control character ever
/// reaches the file system. The agent checks the same names again and never trusts the controller to have.
public struct SafeName: Hashable, Sendable, CustomStringConvertible {
    /// What the name is for; each kind has its own rule.
    public enum Kind: String, Sendable, CaseIterable {
        /// A compose project (a stack's folder under the agent's `stacks/`): `[a-z0-9][a-z0-9_-]*`, at most 63.
        case project
        /// A service of a stack: `[a-zA-Z0-9][a-zA-Z0-9_.-]*`, at most 63.
        case service
        /// A named volume: Docker's `[a-zA-Z0-9][a-zA-Z0-9_.-]+`, 2 to 128.
        case volume
        /// A network of a stack: the same rule as volumes.
        case network
        /// A file of a stack (`x-homelab-files` keys, `env_file`): a relative path of `[A-Za-z0-9._-]` components,
        /// none of them `.` or `..`, at most 255 bytes in all.
        case fileKey
        /// A recipe id (the recipe's file name without `.yaml`): `[a-z0-9][a-z0-9-]*`, at most 63.
        case recipeID
        /// A device name (a DNS label): `[a-z0-9][a-z0-9-]*`, at most 63.
        case deviceName
        /// A deployment (its stacks are named after it): `[a-z0-9][a-z0-9-]*`, at most 63.
        case deploymentName
        /// A backup repository (one per app): `[a-z0-9][a-z0-9_-]*`, at most 63.
        case repository
        /// A folder on a backup target device: an absolute path whose components are neither empty, `.` nor `..`,
        /// without control characters, at most 1024 bytes.
        case backupTargetPath

        /// How people call it in messages.
        public var label: String {
            switch self {
            case .project: "stack project"
            case .service: "service name"
            case .volume: "volume name"
            case .network: "network name"
            case .fileKey: "file name"
            case .recipeID: "recipe id"
            case .deviceName: "device name"
            case .deploymentName: "deployment name"
            case .repository: "repository name"
            case .backupTargetPath: "backup target path"
            }
        }

        /// The rule, as a sentence people can follow.
        public var rule: String {
            switch self {
            case .project, .repository:
                "lowercase letters, digits, '-' and '_', starting with a letter or digit, at most 63 characters"
            case .service:
                "letters, digits, '-', '_' and '.', starting with a letter or digit, at most 63 characters"
            case .volume, .network:
                "letters, digits, '-', '_' and '.', starting with a letter or digit, 2 to 128 characters"
            case .fileKey:
                "a relative path of letters, digits, '-', '_' and '.', without '.' or '..' parts, at most 255 characters"
            case .recipeID, .deviceName, .deploymentName:
                "lowercase letters, digits and '-', starting with a letter or digit, at most 63 characters"
            case .backupTargetPath:
                "an absolute path without empty, '.' or '..' parts or control characters, at most 1024 characters"
            }
        }
    }

    /// What the name is for.
    public let kind: Kind
    /// The checked text.
    public let value: String

    /// Checks `value` against the rule of `kind`.
    public init(_ value: String, _ kind: Kind) throws(SafeNameError) {
        guard Self.isValid(value, kind) else { throw SafeNameError(kind: kind, value: value) }
        self.kind = kind
        self.value = value
    }

    public var description: String { value }

    /// Checks `value` and returns it unchanged: for the boundaries that keep a `String`.
    @discardableResult
    public static func check(_ value: String, _ kind: Kind) throws(SafeNameError) -> String {
        try SafeName(value, kind).value
    }

    /// Whether `value` follows the rule of `kind`.
    public static func isValid(_ value: String, _ kind: Kind) -> Bool {
        let bytes = Array(value.utf8)
        switch kind {
        case .project, .repository:
            return label(bytes, maximum: 63, first: isLowerAlnum) { isLowerAlnum($0) || $0 == dash || $0 == underscore }
        case .service:
            return label(bytes, maximum: 63, first: isAlnum) { isAlnum($0) || $0 == dash || $0 == underscore || $0 == dot }
        case .volume, .network:
            return bytes.count >= 2 && label(bytes, maximum: 128, first: isAlnum) { isAlnum($0) || $0 == dash || $0 == underscore || $0 == dot }
        case .recipeID, .deviceName, .deploymentName:
            return label(bytes, maximum: 63, first: isLowerAlnum) { isLowerAlnum($0) || $0 == dash }
        case .fileKey:
            guard !bytes.isEmpty, bytes.count <= 255, bytes.first != slash else { return false }
            return components(bytes).allSatisfy { part in
                !part.isEmpty && !isDotOrDotDot(part) && part.allSatisfy { isAlnum($0) || $0 == dash || $0 == underscore || $0 == dot }
            }
        case .backupTargetPath:
            guard bytes.count >= 2, bytes.count <= 1024, bytes.first == slash else { return false }
            return components(Array(bytes.dropFirst())).allSatisfy { part in
                !part.isEmpty && !isDotOrDotDot(part) && part.allSatisfy { $0 >= 0x20 && $0 != 0x7F }
            }
        }
    }

    private static let dash = UInt8(ascii: "-"), underscore = UInt8(ascii: "_"), dot = UInt8(ascii: "."), slash = UInt8(ascii: "/")

    private static func label(_ bytes: [UInt8], maximum: Int, first: (UInt8) -> Bool, rest: (UInt8) -> Bool) -> Bool {
        guard let head = bytes.first, bytes.count <= maximum, first(head) else { return false }
        return bytes.dropFirst().allSatisfy(rest)
    }

    private static func components(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        bytes.split(separator: slash, omittingEmptySubsequences: false)
    }

    private static func isDotOrDotDot(_ part: ArraySlice<UInt8>) -> Bool {
        part.elementsEqual([dot]) || part.elementsEqual([dot, dot])
    }

    private static func isLowerAlnum(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    private static func isAlnum(_ byte: UInt8) -> Bool {
        isLowerAlnum(byte) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }
}

/// A name that does not follow its kind's rule; its message quotes the name with control characters escaped.
public struct SafeNameError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What the name was for.
    public var kind: SafeName.Kind
    /// The refused text.
    public var value: String

    /// Creates the error.
    public init(kind: SafeName.Kind, value: String) {
        self.kind = kind
        self.value = value
    }

    public var description: String {
        "\(kind.label) \"\(PrintableText.escaped(value, limit: 80))\" is not allowed: use \(kind.rule)"
    }
}
