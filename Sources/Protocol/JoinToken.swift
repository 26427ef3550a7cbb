/// A parsed join token, `HLJ1.<sha256 of CA cert DER, hex>.<token id>.<secret>`.
public struct JoinToken: Equatable, Sendable, CustomStringConvertible {
    /// Format prefix.
    public static let prefix = "HLJ1"
    /// Lower-case hex SHA-256 of the controller CA certificate's DER.
    public var caHash: String
    /// Public token id.
    public var id: String
    /// Secret part; only its hash is stored by the controller.
    public var secret: String

    /// Creates a token from its parts.
    public init(caHash: String, id: String, secret: String) {
        self.caHash = caHash
        self.id = id
        self.secret = secret
    }

    /// Parses the text form, naming what is wrong when it is not a join token.
    public init(parsing text: String) throws {
        let parts = text.trimmingWhitespace().split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 4, parts[0] == Self.prefix else {
            throw HomelabError(.invalidToken, "not a join token: expected HLJ1.<ca-hash>.<id>.<secret>")
        }
        let hex = Set("0123456789abcdef")
        guard parts[1].count == 64, parts[1].allSatisfy({ hex.contains($0) }) else {
            throw HomelabError(.invalidToken, "join token CA hash must be 64 lower-case hex digits")
        }
        guard !parts[2].isEmpty, !parts[3].isEmpty else {
            throw HomelabError(.invalidToken, "join token has an empty id or secret")
        }
        self.init(caHash: parts[1], id: parts[2], secret: parts[3])
    }

    /// The text form.
    public var description: String { "\(Self.prefix).\(caHash).\(id).\(secret)" }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    public func trimmingWhitespace() -> String {
        let ws: Set<Character> = [" ", "\t", "\n", "\r"]
        return String(self.drop(while: { ws.contains($0) }).reversed().drop(while: { ws.contains($0) }).reversed())
    }
}
