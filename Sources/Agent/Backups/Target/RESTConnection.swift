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
/// or written. Bulk reads and writes and every fsync run on the thread pool; the small metadata
/// calls (stat, mkdir, unlink, a listing) run in place.
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
        let decision = decide(head, key: key)
        guard case .success(let route) = decision else {
            if case .failure(let reply) = decision { try await send(reply, out) }
            return decision.keepsConnection ? try await drain(&body) : false
        }
        let reply: Reply
        do {
            switch (head.method, route.target) {
            case (.GET, .config), (.GET, .file):
                try await download(route, range: head.headers.first(name: "range"), out)
                return try await drain(&body)
            case (.POST, .config), (.POST, .file):
                return try await upload(route, body: &body, out)
            default:
                reply = try answer(head, route)
            }
        } catch let error as FolderError {
            if error.status >= 500 { logger.error("\(head.method) \(head.uri): \(error.message)") }
            reply = Reply(status: error.status)
        }
        try await send(reply, out)
        return try await drain(&body)
    }

    /// The route of an allowed request, or the refusal: 404 for a path that is none of restic's,
    /// 503 when the device stopped being a target, 403 for what this certificate may not do.
    private func decide(_ head: HTTPRequestHead, key: String) -> Decision {
        guard let route = RESTRoute(uri: head.uri) else { return .refused(head, 404) }
        guard let access = settings.current.settings.map({ TargetAccess(principals: $0.principals) }) else { return .refused(head, 503) }
        guard access.allows(key: key, head.method, route) else {
            let who = access.principal(key: key).map { "\($0.role.rawValue) \($0.name)" } ?? "an unknown certificate"
            logger.notice("refused \(head.method) \(head.uri) to \(who)")
            return .refused(head, 403)
        }
        return .success(route)
    }

    /// The answer to a request that moves no file contents.
    private func answer(_ head: HTTPRequestHead, _ route: RESTRoute) throws(FolderError) -> Reply {
        switch (head.method, route.target) {
        case (.POST, .repository):
            try folder.create(route.repository)
            return Reply(status: 200)
        case (.GET, .listing(let type)):
            return try list(route, type, accept: head.headers.first(name: "accept"))
        case (.HEAD, .config), (.HEAD, .file):
            guard let size = folder.size(folder.path(route)) else { return Reply(status: 404) }
            return Reply(status: 200, length: size)
        case (.DELETE, .config), (.DELETE, .file):
            try folder.remove(folder.path(route))
            return Reply(status: 200)
        default:
            return Reply(status: 405)
        }
    }

    // MARK: Requests

    private func list(_ route: RESTRoute, _ type: RESTRoute.FileType, accept: String?) throws(FolderError) -> Reply {
        let files = try folder.list(route.repository, type)
        struct Entry: Encodable { var name: String; var size: UInt64 }
        let v2 = accept == Self.v2
        do {
            let json = v2 ? try JSONEncoder().encode(files.map { Entry(name: $0.name, size: $0.size) }) : try JSONEncoder().encode(files.map { $0.name })
            return Reply(status: 200, body: ByteBuffer(bytes: json), type: v2 ? Self.v2 : Self.v1)
        } catch {
            throw FolderError(status: 500, message: "cannot encode the listing: \(error)")
        }
    }

    private func download(_ route: RESTRoute, range: String?, _ out: Outbound) async throws {
        let path = folder.path(route)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FolderError.posix(errno, "cannot open", path) }
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
            let bytes = try await NIOThreadPool.singleton.runIfActive { try folder.read(fd, offset: at, count: count) }
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
            file = try folder.begin(route)
        } catch {
            try await send(Reply(status: error.status, close: true), out)
            return false
        }
        var hash = SHA256()
        var pending = ByteBuffer()
        var outcome: FolderError?
        var ended = false
        do {
            while !ended, let part = try await body.next() {
                switch part {
                case .body(var chunk):
                    chunk.withUnsafeReadableBytes { hash.update(bufferPointer: $0) }
                    guard outcome == nil else { continue }
                    pending.writeBuffer(&chunk)
                    guard pending.readableBytes >= Self.chunk else { continue }
                    outcome = await write(&pending, to: file)
                case .end:
                    ended = true
                case .head:
                    break
                }
            }
        } catch {
            // The client went away mid-body: nothing of the upload stays.
            folder.abandon(file)
            throw error
        }
        guard ended else {
            folder.abandon(file)
            return false
        }
        if outcome == nil { outcome = await write(&pending, to: file) }
        if outcome == nil, case .file(_, let name) = route.target, hash.finalize().hexString != name {
            outcome = FolderError(status: 400, message: "the content's SHA-256 is not its name")
        }
        if let failure = outcome {
            folder.abandon(file)
            if failure.status == 507 { logger.error("backup target full: \(failure.message)") }
            try await send(Reply(status: failure.status), out)
            return true
        }
        do {
            // The temporary file is gone after this, whatever its outcome.
            try await NIOThreadPool.singleton.runIfActive { try folder.commit(file) }
            try await send(Reply(status: 200), out)
        } catch let error as FolderError {
            if error.status == 507 { logger.error("backup target full: \(error.message)") }
            try await send(Reply(status: error.status), out)
        }
        return true
    }

    /// Writes and empties `pending` on the thread pool; the failure, if any.
    private func write(_ pending: inout ByteBuffer, to file: RepositoryFolder.PendingFile) async -> FolderError? {
        let bytes = pending
        pending = ByteBuffer()
        do {
            try await NIOThreadPool.singleton.runIfActive { try folder.write(file, bytes) }
            return nil
        } catch {
            return error as? FolderError ?? FolderError(status: 500, message: "\(error)")
        }
    }

    // MARK: Replies

    private func send(_ reply: Reply, _ out: Outbound) async throws {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Length", value: String(reply.length ?? UInt64(reply.body?.readableBytes ?? 0)))
        if let type = reply.type { headers.add(name: "Content-Type", value: type) }
        if reply.close { headers.add(name: "Connection", value: "close") }
        let head = HTTPServerResponsePart.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: reply.status), headers: headers))
        if let body = reply.body {
            try await out.write(contentsOf: [head, .body(.byteBuffer(body)), .end(nil)])
        } else {
            try await out.write(contentsOf: [head, .end(nil)])
        }
    }

    /// Reads the rest of the request; false when the connection ended first.
    private func drain(_ body: inout Inbound) async throws -> Bool {
        while let part = try await body.next() {
            if case .end = part { return true }
        }
        return false
    }
}

/// An answer without a streamed body.
private struct Reply {
    var status: Int
    var body: ByteBuffer?
    var length: UInt64?
    var type: String?
    /// Close the connection after it (the request's body was not read).
    var close = false
}

/// What becomes of a request before any file is touched.
private enum Decision {
    case success(RESTRoute)
    /// Refused with this reply; the connection is kept when the body is small enough to read and drop.
    case failure(Reply)

    /// A refusal; a body of more than 1 MiB is not read (the connection closes instead).
    static func refused(_ head: HTTPRequestHead, _ status: Int) -> Decision {
        let length = head.headers.first(name: "content-length").flatMap(Int.init) ?? 0
        return .failure(Reply(status: status, close: length > RESTConnection.chunk))
    }

    var keepsConnection: Bool {
        if case .failure(let reply) = self { return !reply.close }
        return true
    }
}
