import Protocol
import Synchronization

/// The transfers a destination expects, each with its one-time ticket: good for one connection, from
/// the device the ticket names, before it expires. Used and expired tickets are kept a while, so a
/// late or second attempt is told exactly why it is refused.
final class TransferTickets: Sendable {
    private struct Ticket {
        let expect: TransferExpect
        let expires: ContinuousClock.Instant
        /// Presented once already.
        var used = false
        /// Its transfer ended or was cancelled before the ticket was presented.
        var withdrawn = false
    }
    private let tickets = Mutex<[String: Ticket]>([:])
    /// How long a used or expired ticket is remembered.
    static let remembered: Duration = .seconds(600)

    /// Expects `expect` until `expect.expiresIn` seconds from `now`.
    func add(_ expect: TransferExpect, now: ContinuousClock.Instant = .now) throws(HomelabError) {
        try tickets.withLock { (tickets: inout [String: Ticket]) throws(HomelabError) in
            tickets = tickets.filter { now < $0.value.expires + Self.remembered }
            guard tickets[expect.transfer] == nil else {
                throw HomelabError(.invalidSpec, "transfer \(expect.transfer) is expected already")
            }
            tickets[expect.transfer] = Ticket(expect: expect, expires: now + .seconds(expect.expiresIn))
        }
    }

    /// Whether any ticket (pending, used or expired) names `device` as its source: a connection whose
    /// certificate names another device is refused before a message is read.
    func names(source device: String) -> Bool {
        tickets.withLock { tickets in tickets.values.contains { $0.expect.source == device } }
    }

    /// Spends the ticket of `transfer` for a connection from `device`; refuses an unknown, used or expired
    /// ticket and one that names another device.
    func redeem(transfer: String, ticket: String, device: String, now: ContinuousClock.Instant = .now) throws(HomelabError) -> TransferExpect {
        try tickets.withLock { (tickets: inout [String: Ticket]) throws(HomelabError) -> TransferExpect in
            guard var known = tickets[transfer], Self.same(known.expect.ticket, ticket) else {
                throw HomelabError(.ticketUnknown, "this device expects no transfer with that ticket")
            }
            guard known.expect.source == device else {
                throw HomelabError(.ticketWrongDevice, "the ticket of transfer \(transfer) is for another source device than \(device)")
            }
            guard now < known.expires else { throw HomelabError(.ticketExpired, "the ticket of transfer \(transfer) expired") }
            guard !known.used else { throw HomelabError(.ticketUsed, "the ticket of transfer \(transfer) was used already") }
            guard !known.withdrawn else { throw HomelabError(.ticketUsed, "transfer \(transfer) was cancelled or has ended") }
            known.used = true
            tickets[transfer] = known
            return known.expect
        }
    }

    /// When the ticket of `transfer` expires, if it is known and unused.
    func expiry(of transfer: String) -> ContinuousClock.Instant? {
        tickets.withLock { tickets in tickets[transfer].flatMap { $0.used || $0.withdrawn ? nil : $0.expires } }
    }

    /// Makes the ticket of `transfer` unusable (the transfer was cancelled or ended).
    func withdraw(_ transfer: String) {
        tickets.withLock { tickets in tickets[transfer]?.withdrawn = true }
    }

    /// Compares two secrets in time that does not depend on where they differ.
    private static func same(_ left: String, _ right: String) -> Bool {
        let a = Array(left.utf8), b = Array(right.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
