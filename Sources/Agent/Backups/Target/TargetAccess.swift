import NIOHTTP1
import Protocol

/// Who may do what on a backup target: the rules of append-only backups, decided from the client
/// certificate's key, the method and the route. Pure, so every rule is tested without a socket.
struct TargetAccess: Sendable {
    private let principals: [String: BackupPrincipal]

    /// The rules for the principals the controller named.
    init(principals: [BackupPrincipal]) {
        self.principals = Dictionary(principals.map { ($0.key, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// The principal whose key this is, if any.
    func principal(key: String) -> BackupPrincipal? { principals[key] }

    /// Whether `key` may do `method` on `route`.
    func allows(key: String, _ method: HTTPMethod, _ route: RESTRoute) -> Bool {
        guard let principal = principals[key] else { return false }
        let reading = method == .GET || method == .HEAD
        switch principal.role {
        case .prune:
            return true
        case .reader:
            if reading { return true }
            // restic takes a lock even to read; a reader may create and remove locks, nothing else.
            if case .file(.locks, _) = route.target { return method == .POST || method == .DELETE }
            return false
        case .source:
            guard principal.repositories.contains(route.repository) else { return false }
            if reading { return true }
            switch (method, route.target) {
            case (.POST, _):
                // Creating the repository, its config, keys, packs, indexes, snapshots and locks: all
                // additions, and a file that exists is refused (403) whoever asks.
                return true
            case (.DELETE, .file(.locks, _)):
                return true
            default:
                return false
            }
        }
    }
}
