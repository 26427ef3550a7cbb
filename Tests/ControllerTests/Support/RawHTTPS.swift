import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A TLS connection to the API that writes bytes exactly as given (a huge head, a slow trickle, nothing at
/// all) and reads the raw answer, so tests see what a misbehaving client sees.
struct RawHTTPS {
    /// What came back.
    struct Answer {
        /// The status of the first response line, when one came.
        var status: Int?
        /// Header fields, names lower-cased.
        var headers: [String: String]
        /// The body text.
        var body: String
        /// Whether the server closed the connection (before the read deadline).
        var closed: Bool
    }

    let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>

    /// Opens a TLS connection trusting `ca` (or a plain TCP one when `tls` is false).
    static func connect(port: Int, ca: NIOSSLCertificate, tls: Bool = true) async throws -> RawHTTPS {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates([ca])
        let context = try NIOSSLContext(configuration: configuration)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if tls { try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: "localhost")) }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        return RawHTTPS(channel: channel)
    }

    /// Writes `bytes` now.
    func send(_ bytes: some Sequence<UInt8>) async throws {
        try await channel.channel.writeAndFlush(ByteBuffer(bytes: Array(bytes)))
    }

    /// Reads until the server closes or `deadline` passes; parses what arrived as an HTTP response.
    func read(for deadline: Duration = .seconds(10)) async throws -> Answer {
        let received = Received()
        let closed = try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                try? await channel.executeThenClose { inbound, _ in
                    for try await chunk in inbound { received.data.withLock { $0.append(contentsOf: chunk.readableBytesView) } }
                }
                return true
            }
            group.addTask {
                try await Task.sleep(for: deadline)
                return false
            }
            let first = try await group.next()!
            if !first { channel.channel.close(promise: nil) }
            group.cancelAll()
            return first
        }
        return Self.parse(received.data.withLock { $0 }, closed: closed)
    }

    /// The bytes read so far, shared with the reading task.
    final class Received: Sendable {
        let data = Mutex(Data())
    }

    /// Sends a whole request and reads the answer.
    static func exchange(port: Int, ca: NIOSSLCertificate, _ request: some Sequence<UInt8>, deadline: Duration = .seconds(10)) async throws -> Answer {
        let connection = try await connect(port: port, ca: ca)
        try await connection.send(request)
        return try await connection.read(for: deadline)
    }

    static func parse(_ data: Data, closed: Bool) -> Answer {
        let text = String(decoding: data, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return Answer(status: nil, headers: [:], body: text, closed: closed) }
        let lines = text[..<end.lowerBound].components(separatedBy: "\r\n")
        let status = lines.first.flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Int($0) }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Answer(status: status, headers: headers, body: String(text[end.upperBound...]), closed: closed)
    }
}
