import Foundation
import Protocol

/// The `homelab scan` and `homelab scan results` table.
public struct ScanTable: Sendable {
    /// The hosts, in the order shown.
    public var candidates: [ScanCandidate]
    /// The time "seen" is measured from.
    public var now: Date

    /// Creates the table.
    public init(candidates: [ScanCandidate], now: Date) {
        self.candidates = candidates
        self.now = now
    }

    /// The table text.
    public func render() -> String {
        Table(
            headers: ["ADDRESS", "NAME", "MAC", "VENDOR", "GUESS", "OS", "SERVICES", "AGENT", "SEEN"],
            rows: candidates.map { candidate in
                [candidate.address, candidate.hostname ?? "-", candidate.mac ?? "-", candidate.vendor ?? "-", candidate.guess.rawValue,
                 candidate.os ?? "-", Self.services(candidate), candidate.hasAgent ? (candidate.device ?? "yes") : "no",
                 Units.ago(candidate.lastSeenAt, now: now)]
            }
        ).render()
    }

    /// `ssh:22,https:443`, or `-` for a host that answered with every port closed.
    public static func services(_ candidate: ScanCandidate) -> String {
        candidate.services.isEmpty ? "-" : candidate.services.map { "\($0.name):\($0.port)" }.joined(separator: ",")
    }
}
