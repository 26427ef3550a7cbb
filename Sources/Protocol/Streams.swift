import NIOCore
import Synchronization

/// The sending end of a kind-2 stream: `write` waits while the receiver has granted no credit,
/// so a slow reader never makes the sender buffer without bound.
public struct OutboundStream: Sendable {
    /// Stream id.
    public let id: UInt32
    let connection: MessageConnection
    let state: OutboundStreamState
    /// Largest kind-2 frame payload this side sends.
    public static let maximumChunk = 64 * 1024

    /// Sends `data`, split into frames no larger than the available credit.
    public func write(_ data: ByteBuffer) async throws {
        var remaining = data
        while remaining.readableBytes > 0 {
            let allowed = try await state.take(upTo: min(remaining.readableBytes, Self.maximumChunk))
            let chunk = remaining.readSlice(length: allowed)!
            try await connection.sendStreamData(id: id, data: chunk)
        }
    }

    /// Ends the stream cleanly (or with `error`).
    public func finish(error: HomelabError? = nil) async throws {
        try await connection.finishOutbound(id: id, error: error)
    }
}

/// Credit the receiver granted and the writer waiting for it.
final class OutboundStreamState: Sendable {
    private struct State {
        var credit: UInt64 = 0
        var waiter: CheckedContinuation<Void, any Error>?
        var error: HomelabError?
    }
    private let state = Mutex(State())

    func grant(_ bytes: UInt64) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            state.credit &+= bytes
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    func abort(_ error: HomelabError) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            state.error = error
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(throwing: error)
    }

    /// Takes up to `wanted` bytes of credit, waiting until at least one byte is available.
    func take(upTo wanted: Int) async throws -> Int {
        while true {
            let taken = try state.withLock { state -> Int in
                if let error = state.error { throw error }
                let n = Int(min(UInt64(wanted), state.credit))
                state.credit -= UInt64(n)
                return n
            }
            if taken > 0 { return taken }
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: Result<Void, HomelabError>? = state.withLock { state in
                    if let error = state.error { return .failure(error) }
                    if state.credit > 0 { return .success(()) }
                    state.waiter = continuation
                    return nil
                }
                if let resumeNow { continuation.resume(with: resumeNow) }
            }
        }
    }
}

/// The receiving end of a kind-2 stream: an async sequence of chunks; consuming them grants the sender more credit.
public struct InboundStream: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    /// Stream id.
    public let id: UInt32
    /// The most bytes the sender may have in flight.
    public let window: UInt64
    let connection: MessageConnection
    let state: InboundStreamState

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: state.chunks.makeAsyncIterator(), id: id, connection: connection)
    }

    /// Iterates chunks, returning credit as they are taken.
    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncThrowingStream<ByteBuffer, any Error>.AsyncIterator
        let id: UInt32
        let connection: MessageConnection

        public mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else { return nil }
            await connection.consumed(id: id, bytes: UInt64(chunk.readableBytes))
            return chunk
        }
    }
}

/// Bytes in flight on an inbound stream, and the buffered chunks.
final class InboundStreamState: Sendable {
    let chunks: AsyncThrowingStream<ByteBuffer, any Error>
    private let continuation: AsyncThrowingStream<ByteBuffer, any Error>.Continuation
    private struct Credit {
        /// Bytes the sender may still send.
        var remaining: UInt64
        /// Bytes consumed since the last grant.
        var unacknowledged: UInt64 = 0
    }
    private let credit: Mutex<Credit>
    private let window: UInt64

    init(window: UInt64) {
        self.window = window
        self.credit = Mutex(Credit(remaining: window))
        (chunks, continuation) = AsyncThrowingStream.makeStream(of: ByteBuffer.self)
    }

    /// Buffers `data`; false when it exceeds the credit granted (a protocol violation).
    func accept(_ data: ByteBuffer) -> Bool {
        let ok = credit.withLock { credit -> Bool in
            guard UInt64(data.readableBytes) <= credit.remaining else { return false }
            credit.remaining -= UInt64(data.readableBytes)
            return true
        }
        if ok { continuation.yield(data) }
        return ok
    }

    /// Records `bytes` consumed; returns the credit to grant once half the window is consumed.
    func consumed(_ bytes: UInt64) -> UInt64? {
        credit.withLock { credit -> UInt64? in
            credit.unacknowledged += bytes
            guard credit.unacknowledged >= window / 2 else { return nil }
            let grant = credit.unacknowledged
            credit.unacknowledged = 0
            credit.remaining += grant
            return grant
        }
    }

    func finish(error: HomelabError?) {
        continuation.finish(throwing: error)
    }
}
