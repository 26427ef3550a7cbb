import Testing
@testable import Agent
import Protocol

/// The destination's tickets, with the clock given: each refusal has its own code, a good ticket opens once.
@Suite("Transfer tickets")
struct TransferTicketsTests {
    static let secret = String(repeating: "ab", count: 32)

    static func expect(_ transfer: String = "t", source: String = "src", expiresIn: Int = 60) -> TransferExpect {
        TransferExpect(transfer: transfer, ticket: secret, source: source, volumes: [TransferVolume(name: "app_data")],
                       migration: "m", incremental: false, expiresIn: expiresIn)
    }

    static func code(_ body: () throws(HomelabError) -> TransferExpect) -> HomelabError.Code? {
        do throws(HomelabError) {
            _ = try body()
            return nil
        } catch {
            return error.code
        }
    }

    @Test("a ticket opens once, for the device it names, before it expires; each refusal says which rule")
    func rules() throws {
        let tickets = TransferTickets()
        let now = ContinuousClock.now
        try tickets.add(Self.expect(), now: now)
        #expect(tickets.names(source: "src") && !tickets.names(source: "other"))
        #expect(Self.code { () throws(HomelabError) in try tickets.redeem(transfer: "t", ticket: "wrong", device: "src", now: now) } == .ticketUnknown)
        #expect(Self.code { () throws(HomelabError) in try tickets.redeem(transfer: "x", ticket: Self.secret, device: "src", now: now) } == .ticketUnknown)
        #expect(Self.code { () throws(HomelabError) in try tickets.redeem(transfer: "t", ticket: Self.secret, device: "other", now: now) } == .ticketWrongDevice)
        #expect(Self.code { () throws(HomelabError) in try tickets.redeem(transfer: "t", ticket: Self.secret, device: "src", now: now + .seconds(61)) } == .ticketExpired)
        #expect(Self.code { () throws(HomelabError) in try tickets.redeem(transfer: "t", ticket: Self.secret, device: "src", now: now) } == nil)
        #expect(Self.code { () throws(HomelabError) in try tickets.redeem(transfer: "t", ticket: Self.secret, device: "src", now: now) } == .ticketUsed)
        #expect(tickets.expiry(of: "t") == nil, "a used ticket no longer waits for its source")
    }

    @Test("a withdrawn ticket is refused as spent; the same transfer cannot be expected twice")
    func withdrawn() throws {
        let tickets = TransferTickets()
        try tickets.add(Self.expect())
        #expect(Self.code { () throws(HomelabError) in
            try tickets.add(Self.expect())
            return Self.expect()
        } == .invalidSpec)
        tickets.withdraw("t")
        #expect(Self.code { () throws(HomelabError) in try tickets.redeem(transfer: "t", ticket: Self.secret, device: "src") } == .ticketUsed)
    }
}
