import Foundation
import NIOCore
import NIOPosix

/// One TCP connection attempt: open, refused (a live host with nothing there) or silent; on an open
/// port, optionally the first line the service sends (SSH identifies itself first).
struct PortProbe: Sendable {
    /// What a connection attempt found.
    enum Outcome: Sendable, Equatable {
        case open(banner: String?)
        case refused
        case silent
    }

    let group: any EventLoopGroup

    func probe(address: String, port: Int, timeout: Duration, readBanner: Bool) async -> Outcome {
        guard let target = try? SocketAddress(ipAddress: address, port: port) else { return .silent }
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: group)
                .connectTimeout(.nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000))
                .connect(to: target) { channel in
                    channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
                }
        } catch let error as IOError where error.errnoCode == ECONNREFUSED {
            return .refused
        } catch {
            return .silent
        }
        guard readBanner else {
            try? await channel.executeThenClose { _, _ in }
            return .open(banner: nil)
        }
        let banner = try? await channel.executeThenClose { inbound, _ in
            try await Deadline.run(within: timeout) {
                var line = ByteBuffer()
                for try await chunk in inbound {
                    line.writeImmutableBuffer(chunk)
                    if line.readableBytesView.contains(UInt8(ascii: "\n")) || line.readableBytes >= 255 { break }
                }
                let text = String(buffer: line)
                return text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text
            }
        }
        return .open(banner: banner.flatMap { $0 })
    }
}

/// Runs work with a time limit: the work is canceled and nil returned when the limit strikes first.
enum Deadline {
    static func run<T: Sendable>(within limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
    }
}
