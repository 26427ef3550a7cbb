import NIOHTTP1
import Protocol
import Testing
@testable import Agent

/// restic's REST paths, and who may do what on them (append-only sources, a reader, the prune identity).
@Suite("Backup target: routes and access rules")
struct RESTRouteTests {
    static let pack = String(repeating: "ab", count: 32)

    @Test("paths of one- and two-component repositories parse into config, listings, files and repository creation")
    func parsing() {
        #expect(RESTRoute(uri: "/apps/vw/config") == route("apps/vw", .config))
        #expect(RESTRoute(uri: "/controller/config") == route("controller", .config))
        #expect(RESTRoute(uri: "/apps/vw/data/") == route("apps/vw", .listing(.data)))
        #expect(RESTRoute(uri: "/apps/vw/snapshots/") == route("apps/vw", .listing(.snapshots)))
        #expect(RESTRoute(uri: "/apps/vw/data/\(Self.pack)") == route("apps/vw", .file(.data, Self.pack)))
        #expect(RESTRoute(uri: "/apps/vw/locks/\(Self.pack)") == route("apps/vw", .file(.locks, Self.pack)))
        #expect(RESTRoute(uri: "/apps/vw/?create=true") == route("apps/vw", .repository))
        #expect(RESTRoute(uri: "/apps/vw?create=true") == route("apps/vw", .repository))
    }

    @Test("names that are not restic's, climbing paths and over-deep repositories are refused", arguments: [
        "/", "/apps/vw", "/apps/vw/data/xyz", "/apps/vw/data/\(String(repeating: "AB", count: 32))", "/../etc/config", "/apps/../config",
        "/a/b/c/config", "/apps//vw/config", "/.hidden/config", "/data/config", "/apps/vw/other/\(String(repeating: "ab", count: 32))",
        "/apps/vw/?create=false",
    ])
    func refused(_ uri: String) {
        #expect(RESTRoute(uri: uri) == nil, "\(uri) parsed")
    }

    static let access = TargetAccess(principals: [
        BackupPrincipal(key: "source", name: "device pi4", role: .source, repositories: ["apps/vw"]),
        BackupPrincipal(key: "reader", name: "recovery kit", role: .reader),
        BackupPrincipal(key: "prune", name: "controller prune identity", role: .prune),
    ])

    @Test("a source reads and appends to its own repository, deletes only locks, and reaches no other repository")
    func sourceIsAppendOnly() throws {
        let access = Self.access
        for type in RESTRoute.FileType.allCases {
            let file = route("apps/vw", .file(type, Self.pack))
            #expect(access.allows(key: "source", .GET, file))
            #expect(access.allows(key: "source", .HEAD, file))
            #expect(access.allows(key: "source", .POST, file))
            #expect(access.allows(key: "source", .DELETE, file) == (type == .locks), "DELETE \(type)")
            #expect(access.allows(key: "source", .GET, route("apps/vw", .listing(type))))
        }
        #expect(access.allows(key: "source", .POST, route("apps/vw", .repository)))
        #expect(access.allows(key: "source", .POST, route("apps/vw", .config)))
        #expect(!access.allows(key: "source", .DELETE, route("apps/vw", .config)))
        #expect(!access.allows(key: "source", .PUT, route("apps/vw", .config)))
        #expect(!access.allows(key: "source", .GET, route("apps/other", .config)))
        #expect(!access.allows(key: "source", .POST, route("controller", .file(.locks, Self.pack))))
    }

    @Test("the recovery identity reads everything and touches only locks; the prune identity may delete; unknown keys get nothing")
    func otherRoles() {
        let access = Self.access
        let data = route("controller", .file(.data, Self.pack))
        #expect(access.allows(key: "reader", .GET, data))
        #expect(!access.allows(key: "reader", .POST, data))
        #expect(!access.allows(key: "reader", .DELETE, data))
        #expect(access.allows(key: "reader", .POST, route("controller", .file(.locks, Self.pack))))
        #expect(access.allows(key: "reader", .DELETE, route("controller", .file(.locks, Self.pack))))
        #expect(access.allows(key: "prune", .DELETE, data))
        #expect(access.allows(key: "prune", .DELETE, route("apps/vw", .file(.snapshots, Self.pack))))
        for method in [HTTPMethod.GET, .HEAD, .POST, .DELETE] {
            #expect(!access.allows(key: "stranger", method, route("apps/vw", .config)))
        }
    }

    @Test("byte ranges: a start and an end, an open end, and anything else means the whole file")
    func ranges() {
        #expect(RESTConnection.byteRange("bytes=0-9", size: 100)! == (0, 10))
        #expect(RESTConnection.byteRange("bytes=90-", size: 100)! == (90, 100))
        #expect(RESTConnection.byteRange("bytes=90-200", size: 100)! == (90, 100))
        #expect(RESTConnection.byteRange("bytes=100-", size: 100) == nil)
        #expect(RESTConnection.byteRange("bytes=5-3", size: 100) == nil)
        #expect(RESTConnection.byteRange("bytes=0-1,4-5", size: 100) == nil)
        #expect(RESTConnection.byteRange("items=0-1", size: 100) == nil)
    }

    private func route(_ repository: String, _ target: RESTRoute.Target) -> RESTRoute {
        RESTRoute(repository: repository, target: target)
    }
}
