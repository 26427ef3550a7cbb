import Crypto
import FoundationEssentials
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Protocol

/// One client connection to a backup target: HTTP/1.1 requests of restic's REST protocol, one at a
/// time (keep-alive), each checked against the client certificate's key before anything is read
/// or written. File I/O runs on the thread pool, never on the event loop.
struct RESTConnection: Sendable {
    let channel: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>
    let folder: RepositoryFolder
    let settings: TargetSettingsStore
    let logger: Logger

    /// The media type of a v2 listing (names and sizes), exactly as restic asks for it.
    static let v2 = "application/vnd.x.restic.rest.v2"
    /// The media type of a v1 listing (names only).
    static let v1 = "application/vnd.x.restic.rest.v1"
    /// Bytes collected before one write to disk, and read per chunk of a download.
    static let chunk = 1 << 20

    private typealias Inbound = NIOAsyncChannelInboundStream<HTTPServerRequestPart>.AsyncIterator
    private typealias Outbound = NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>

    func serve() async {
        do {
            try await channel.executeThenClose { inbound, outbound in
                var parts = inbound.makeAsyncIterator()
                var key: String?
                while let part = try await parts.next() {
                    guard case .head(let head) = part else { continue }
                    if key == nil { key = try await peerKey() }
                    let keepAlive = try await handle(head, key: key ?? "", body: &parts, outbound)
                    if !keepAlive || !head.isKeepAlive { break }
                }
            }
        } catch {
            logger.debug("backup client connection ended: \(error)")
        }
    }

    /// Lower-case hex SHA-256 of the client certificate's SubjectPublicKeyInfo.
    private func peerKey() async throws -> String {
        guard let certificate = try await channel.channel.nioSSL_peerCertificate().get() else {
            throw AgentError.tls("the client presented no certificate")
        }
        return SHA256.hash(data: try certificate.extractPublicKey().toSPKIBytes()).hexString
    }

    /// Answers one request; returns false when the connection must close (a body left unread).
    private func handle(_ head: HTTPRequestHead, key: String, body: inout Inbound, _ out: Outbound) async throws -> Bool {
        guard let route = RESTRoute(uri: head.uri) else {
            return try await refuse(head, 404, "no such repository path", body: &body, out)
        }
        guard let access = settings.current.settings.map({ TargetAccess(principals: $0.principals) }) else {
            return try await refuse(head, 503, "this device is no longer a backup target", body: &body, out)
        }
        guard access.allows(key: key, head.method, route) else {
            let who = access.principal(key: key).map { "\($0.role.rawValue) \($0.name)" } ?? "an unknown certificate"
            logger.notice("refused \(head.method) \(head.uri) to \(who)")
            return try await refuse(head, 403, "not allowed for this certificate", body: &body, out)
        }
        do {
            switch (head.method, route.target) {
            case (.POST, .repository):
                try await blocking { try folder.create(route.repository) }
                try await respond(out, 200)
            case (.GET, .listing(let type)):
                try await list(route, type, accept: head.headers.first(name: "accept"), out)
            case (.HEAD, .config), (.HEAD, .file):
                guard let size = try await blocking({ folder.size(folder.path(route)) }) else { throw FolderError(status: 404, message: "not found") }
                try await respond(out, 200, length: size)
            case (.GET, .config), (.GET, .file):
                try await download(route, range: head.headers.first(name: "range"), out)
            case (.POST, .config), (.POST, .file):
                return try await upload(route, body: &body, out)
            case (.DELETE, .config), (.DELETE, .file):
                try await blocking { try folder.remove(folder.path(route)) }
                try await respond(out, 200)
            default:
                return try await refuse(head, 405, "method not allowed", body: &body, out)
            }
        } catch let error as FolderError {
            if error.status >= 500 { logger.error("\(head.method) \(head.uri): \(error.message)") }
            try await respond(out, error.status)
        }
        return try await drain(&body)
    }

    // MARK: Requests

    private func list(_ route: RESTRoute, _ type: RESTRoute.FileType, accept: String?, _ out: Outbound) async throws {
        let files = try await blocking { try folder.list(route.repository, type) }
        struct Entry: Encodable { var name: String; var size: UInt64 }
        let json: Data
        if accept == Self.v2 {
            json = try JSONEncoder().encode(files.map { Entry(name: $0.name, size: $0.size) })
        } else {
            json = try JSONEncoder().encode(files.map { $0.name })
        }
        try await respond(out, 200, body: ByteBuffer(bytes: json), type: accept == Self.v2 ? Self.v2 : Self.v1)
    }

    private func download(_ route: RESTRoute, range: String?, _ out: Outbound) async throws {
        let path = folder.path(route)
        let fd = try await blocking { () throws -> Int32 in
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw FolderError.posix(errno, "cannot open", path) }
            return fd
        }
        defer { close(fd) }
        var info = stat()
        fstat(fd, &info)
        let size = UInt64(info.st_size)
        var start: UInt64 = 0, end = size
        var status = 200
        if let range, let (from, to) = Self.byteRange(range, size: size) {
            (start, end, status) = (from, to, 206)
        }
        var headers = [("Content-Length", String(end - start))]
        if status == 206 { headers.append(("Content-Range", "bytes \(start)-\(end - 1)/\(size)")) }
        try await out.write(.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: HTTPHeaders(headers))))
        var offset = start
        while offset < end {
            let count = Int(min(UInt64(Self.chunk), end - offset))
            let at = offset
            let bytes = try await blocking { try folder.read(fd, offset: at, count: count) }
            guard bytes.readableBytes > 0 else { throw FolderError(status: 500, message: "\(path) ended early") }
            offset += UInt64(bytes.readableBytes)
            try await out.write(.body(.byteBuffer(bytes)))
        }
        try await out.write(.end(nil))
    }

    /// `bytes=A-B` or `bytes=A-` within `size`: the half-open range to send, or nil for the whole file.
    static func byteRange(_ header: String, size: UInt64) -> (UInt64, UInt64)? {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return nil }
        let bounds = header.dropFirst(6).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard bounds.count == 2, let start = UInt64(bounds[0]), start < size else { return nil }
        guard !bounds[1].isEmpty else { return (start, size) }
        guard let last = UInt64(bounds[1]), last >= start else { return nil }
        return (start, min(last + 1, size))
    }

    /// Stores a body under its name: every file but `config` must hash to its name (400), an
    /// existing file is never replaced (403), a full disk is 507, and nothing half-written stays.
    private func upload(_ route: RESTRoute, body: inout Inbound, _ out: Outbound) async throws -> Bool {
        let file: RepositoryFolder.PendingFile
        do {
            file = try await blocking { try folder.begin(route) }
        } catch let error as FolderError {
            try await respond(out, error.status, close: true)
            return false
        }
        var hash = SHA256()
        var pending = ByteBuffer()
        var failure: FolderError?
        do {
            while let part = try await body.next() {
                switch part {
                case .body(var chunk):
                    chunk.withUnsafeReadableBytes { hash.update(bufferPointer: $0) }
                    guard failure == nil else { continue }
                    pending.writeBuffer(&chunk)
                    if pending.readableBytes >= Self.chunk {
                        let bytes = pending
                        pending = ByteBuffer()
                        do { try await blocking { try folder.write(file, bytes) } } catch let error as FolderError { failure = error }
                    }
                case .end:
                    do {
                        if let failure { throw failure }
                        let bytes = pending
                        try await blocking { try folder.write(file, bytes) }
                        if case .file(_, let name) = route.target {
                            let digest = hash.finalize().hexString
                            guard digest == name else { throw FolderError(status: 400, message: "the content's SHA-256 is \(digest), not its name") }
                        }
                    } catch let error as FolderError {
                        await (try? blocking { folder.abandon(file) })
                        if error.status == 507 { logger.error("backup target full: \(error.message)") }
                        try await respond(out, error.status)
                        return true
                    }
                    do {
                        // The temporary file is gone after this, whatever its outcome.
                        try await blocking { try folder.commit(file) }
                    } catch let error as FolderError {
                        if error.status == 507 { logger.error("backup target full: \(error.message)") }
                        try await respond(out, error.status)
                        return true
                    }
                    try await respond(out, 200)
                    return true
                case .head:
                    break
                }
            }
        } catch {
            // The client went away mid-body: nothing of the upload stays.
            await (try? blocking { folder.abandon(file) })
            throw error
        }
        await (try? blocking { folder.abandon(file) })
        return false
    }

    // MARK: Replies

    private func respond(_ out: Outbound, _ status: Int, length: UInt64? = nil, body: ByteBuffer? = nil, type: String? = nil,
                         close: Bool = false) async throws {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Length", value: String(length ?? UInt64(body?.readableBytes ?? 0)))
        if let type { headers.add(name: "Content-Type", value: type) }
        if close { headers.add(name: "Connection", value: "close") }
        try await out.write(.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: headers)))
        if let body { try await out.write(.body(.byteBuffer(body))) }
        try await out.write(.end(nil))
    }

    /// Refuses a request; a body is read and dropped (up to 1 MiB) to keep the connection, else it closes.
    private func refuse(_ head: HTTPRequestHead, _ status: Int, _ message: String, body: inout Inbound, _ out: Outbound) async throws -> Bool {
        let length = head.headers.first(name: "content-length").flatMap(Int.init) ?? 0
        let keep = length <= Self.chunk
        try await respond(out, status, close: !keep)
        return keep ? try await drain(&body) : false
    }

    /// Reads the rest of the request; false when the connection ended first.
    private func drain(_ body: inout Inbound) async throws -> Bool {
        while let part = try await body.next() {
            if case .end = part { return true }
        }
        return false
    }

    private func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await NIOThreadPool.singleton.runIfActive { try work() }
    }
}
