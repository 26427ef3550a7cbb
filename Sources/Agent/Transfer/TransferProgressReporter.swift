import Protocol
import Synchronization

/// Sends `transfer.progress` events to the controller: every phase change, and bytes at most twice a second.
final class TransferProgressReporter: Sendable {
    let transfer: String
    let side: TransferProgress.Side
    private let controller: @Sendable () -> MessageConnection?
    private let last = Mutex<(phase: String, at: ContinuousClock.Instant)?>(nil)

    init(transfer: String, side: TransferProgress.Side, controller: @escaping @Sendable () -> MessageConnection?) {
        self.transfer = transfer
        self.side = side
        self.controller = controller
    }

    /// Reports where the transfer stands; a lost event is harmless (the next one says more).
    func report(volume: String?, phase: String, bytes: UInt64) async {
        let now = ContinuousClock.now
        let due = last.withLock { last -> Bool in
            if let last, last.phase == phase, now - last.at < .milliseconds(500) { return false }
            last = (phase, now)
            return true
        }
        guard due, let connection = controller() else { return }
        try? await connection.sendEvent(MessageType.transferProgress,
                                        TransferProgress(transfer: transfer, side: side, volume: volume, phase: phase, bytes: bytes))
    }
}
