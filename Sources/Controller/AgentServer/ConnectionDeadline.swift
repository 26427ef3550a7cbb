import NIOCore
import Synchronization

/// Closes a channel when a deadline passes, unless disarmed first; the deadline can be moved.
final class ConnectionDeadline: Sendable {
    private let deadline: Mutex<ContinuousClock.Instant?>
    private let channel: any Channel

    init(channel: any Channel, after duration: Duration) {
        self.channel = channel
        self.deadline = Mutex(.now + duration)
    }

    /// Moves the deadline to `duration` from now.
    func reset(after duration: Duration) { deadline.withLock { $0 = .now + duration } }

    /// The connection may stay open for good.
    func disarm() { deadline.withLock { $0 = nil } }

    /// Waits for the deadline and closes the channel; returns when disarmed or cancelled.
    func enforce() async {
        while !Task.isCancelled {
            guard let due = deadline.withLock({ $0 }) else { return }
            if ContinuousClock.now >= due {
                channel.close(promise: nil)
                return
            }
            // Wake at least every 250 ms: the deadline may have moved earlier meanwhile.
            try? await Task.sleep(until: min(due, .now + .milliseconds(250)), clock: .continuous)
        }
    }
}
