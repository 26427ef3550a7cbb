import Protocol
import Synchronization
import Testing

@Suite("Internal errors stay on their side of the wire", .timeLimit(.minutes(1)))
struct InternalErrorTests {
    /// What a database error looks like: SQL, a row, a column with a secret's hash.
    struct DatabaseLikeError: Error, CustomStringConvertible {
        var description: String { #"SQLite error 1: could not decode Date from "12020-01-01" - row: [id:"abc" secretHash:"5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"]"# }
    }

    @Test("a request that fails with a non-protocol error reaches the peer as 'internal' without its text, and the handler hears of it")
    func internalTextNotSent() async throws {
        let reported = Mutex<[String]>([])
        let controller = TestHandler(
            onRequest: { _, _ in throw DatabaseLikeError() },
            onFailure: { message, error in reported.withLock { $0.append("\(message.header.type): \(error)") } })
        try await withConnectedPeers(controllerHandler: controller) { agent, _ in
            let error = await #expect(throws: HomelabError.self) {
                try await agent.connection.request(MessageType.enroll, Empty(), as: Empty.self)
            }
            #expect(error?.code == .internal)
            #expect(error?.message == "'enroll' failed on the controller; its log has the details")
            let message = error?.message ?? ""
            #expect(!message.contains("secretHash"))
        }
        #expect(reported.withLock { $0 }.count == 1)
        #expect(reported.withLock { $0 }.first?.contains("secretHash") == true, "the details go to this side's log")
    }

    @Test("a protocol error is still sent as it is")
    func protocolErrorsPass() async throws {
        let controller = TestHandler(onRequest: { _, _ in throw HomelabError(.invalidToken, "join token abc expired") })
        try await withConnectedPeers(controllerHandler: controller) { agent, _ in
            let error = await #expect(throws: HomelabError.self) {
                try await agent.connection.request(MessageType.enroll, Empty(), as: Empty.self)
            }
            #expect(error == HomelabError(.invalidToken, "join token abc expired"))
        }
    }
}
