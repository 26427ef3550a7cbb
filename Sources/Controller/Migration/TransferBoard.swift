import Foundation
import Protocol
import Synchronization

/// The transfers the controller coordinates, while they run: the two devices of each and the latest
/// `transfer.progress` from either side. An agent's report counts only for a transfer it is part of.
public final class TransferBoard: Sendable {
    /// What the board holds of one transfer.
    struct Entry: Sendable {
        let source: String
        let destination: String
        var sourceProgress: TransferProgress?
        var destinationProgress: TransferProgress?
        /// When either side last reported.
        var heard: ContinuousClock.Instant
    }
    private let entries = Mutex<[String: Entry]>([:])

    /// Creates an empty board.
    public init() {}

    /// Starts following `transfer` between the devices (ids).
    func begin(_ transfer: String, source: String, destination: String) {
        entries.withLock { $0[transfer] = Entry(source: source, destination: destination, heard: .now) }
    }

    /// Stops following `transfer`.
    func end(_ transfer: String) { entries.withLock { _ = $0.removeValue(forKey: transfer) } }

    /// Records a report from `device`; one for a transfer it is not part of is dropped.
    func report(_ progress: TransferProgress, device: String) {
        entries.withLock { entries in
            guard var entry = entries[progress.transfer] else { return }
            switch progress.side {
            case .source where device == entry.source: entry.sourceProgress = progress
            case .destination where device == entry.destination: entry.destinationProgress = progress
            default: return
            }
            entry.heard = .now
            entries[progress.transfer] = entry
        }
    }

    /// What is known of `transfer` now.
    func entry(_ transfer: String) -> Entry? { entries.withLock { $0[transfer] } }
}
