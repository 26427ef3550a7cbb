import NIOHTTP1

/// A request of restic's REST protocol, read from its method and path: `/REPO/config`,
/// `/REPO/TYPE/` (a listing), `/REPO/TYPE/NAME` and `POST /REPO/?create=true`, where REPO is one or
/// two path components (`controller`, `apps/vaultwarden`).
struct RESTRoute: Equatable, Sendable {
    /// The kinds of files a repository holds besides `config`.
    enum FileType: String, CaseIterable, Sendable {
        case data, index, keys, locks, snapshots
    }

    /// What the request is about.
    enum Target: Equatable, Sendable {
        /// `POST /REPO/?create=true`: make the repository's folders.
        case repository
        /// `/REPO/config`.
        case config
        /// `GET /REPO/TYPE/`.
        case listing(FileType)
        /// `/REPO/TYPE/NAME`, NAME 64 lower-case hex digits.
        case file(FileType, String)
    }

    let repository: String
    let target: Target

    /// A route from its parts.
    init(repository: String, target: Target) {
        self.repository = repository
        self.target = target
    }

    /// Parses a request target (path and query); nil when it is none of the protocol's.
    init?(uri: String) {
        let (path, query) = uri.split(separator: "?", maxSplits: 1).map(String.init).splitPair
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.first == "" else { return nil }
        parts.removeFirst()
        let listing = parts.last == ""
        if listing { parts.removeLast() }
        guard !parts.isEmpty, !parts.contains("") else { return nil }
        if query == "create=true" {
            target = .repository
        } else if listing, let last = parts.last, let type = FileType(rawValue: last) {
            parts.removeLast()
            target = .listing(type)
        } else if !listing, parts.last == "config" {
            parts.removeLast()
            target = .config
        } else if !listing, parts.count >= 2, let type = FileType(rawValue: parts[parts.count - 2]), Self.isObjectName(parts[parts.count - 1]) {
            target = .file(type, parts[parts.count - 1])
            parts.removeLast(2)
        } else {
            return nil
        }
        guard (1...2).contains(parts.count), parts.allSatisfy(Self.isRepositoryComponent) else { return nil }
        repository = parts.joined(separator: "/")
    }

    /// A repository path component: `[a-z0-9][a-z0-9._-]*`, at most 64, never one of the file types or `config`.
    static func isRepositoryComponent(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 64, FileType(rawValue: name) == nil, name != "config" else { return false }
        let allowed: (UInt8) -> Bool = { ($0 >= 0x61 && $0 <= 0x7a) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2e || $0 == 0x5f || $0 == 0x2d }
        return allowed(first) && first != 0x2e && first != 0x5f && first != 0x2d && name.utf8.allSatisfy(allowed)
    }

    /// Whether `name` is 64 lower-case hex digits (a SHA-256), as restic names every file but `config`.
    static func isObjectName(_ name: String) -> Bool {
        name.utf8.count == 64 && name.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}

extension Array where Element == String {
    fileprivate var splitPair: (String, String?) { (self.first ?? "", self.count > 1 ? self[1] : nil) }
}
