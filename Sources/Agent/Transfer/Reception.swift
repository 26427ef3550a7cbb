import Protocol
import Synchronization

/// One transfer a destination expects, from `transfer.expect` to its end: the peer connection serving
/// it (to abort), the relay stream when the controller relays, and the outcome `transfer.wait` returns.
final class Reception: Sendable {
    /// What the controller asked for.
    let expect: TransferExpect
    /// The outcome: what arrived, or why it failed (settled once the serving session has cleaned up).
    let outcome = Completion<TransferReport>()
    /// The controller's `relay` stream down to this device, when the source has no direct path.
    let relay = Completion<InboundStream>()
    /// The controller link `transfer.wait` came on, where progress goes.
    let controller = Mutex<MessageConnection?>(nil)
    private struct Session {
        var close: (@Sendable () -> Void)?
        var abortedWith: HomelabError?
    }
    private let session = Mutex(Session())

    init(expect: TransferExpect) { self.expect = expect }

    /// Notes the peer connection serving the transfer; false when the transfer has ended or been aborted.
    func attach(abort close: @escaping @Sendable () -> Void) -> Bool {
        session.withLock { session in
            guard outcome.outcome == nil, session.abortedWith == nil, session.close == nil else { return false }
            session.close = close
            return true
        }
    }

    /// Ends the transfer with `error`: at once when no connection serves it, else by closing that
    /// connection, whose session then removes what it made and settles the outcome with `error`.
    func abort(_ error: HomelabError) {
        let close = session.withLock { session -> (@Sendable () -> Void)? in
            guard session.abortedWith == nil else { return nil }
            session.abortedWith = error
            return session.close
        }
        if let close { close() } else { outcome.complete(.failure(error)) }
    }

    /// Settles the outcome from the serving session (an abort's reason wins over what the session saw).
    func finish(_ result: Result<TransferReport, HomelabError>) {
        let aborted = session.withLock { $0.abortedWith }
        outcome.complete(aborted.map { .failure($0) } ?? result.mapError { $0 })
    }
}
