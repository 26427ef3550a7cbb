import Foundation
import SSHClient

/// An SSH session to a host, driven from async code: every libssh2 call runs on the session's own
/// thread, never on the concurrency pool.
final class RemoteHost: Sendable {
    let host: String
    let port: Int
    private let thread: SSHThread
    private let connection: SSHConnection

    private init(host: String, port: Int, thread: SSHThread, connection: SSHConnection) {
        self.host = host
        self.port = port
        self.thread = thread
        self.connection = connection
    }

    /// Connects and runs the handshake (no authentication yet).
    static func connect(host: String, port: Int, timeout: Duration = .seconds(120)) async throws -> RemoteHost {
        let thread = SSHThread(name: "ssh \(host):\(port)")
        do {
            let connection = try await thread.run { try SSHConnection(host: host, port: port, connectTimeout: .seconds(10), timeout: timeout) }
            return RemoteHost(host: host, port: port, thread: thread, connection: connection)
        } catch {
            thread.stop()
            throw error
        }
    }

    /// The key the server offered.
    var hostKey: SSHConnection.HostKey { connection.hostKey }
    /// The controller's address as the host sees it.
    var localAddress: String { connection.localAddress }

    /// Authenticates `user`.
    func authenticate(user: String, with credential: SSHConnection.Credential) async throws {
        let connection = self.connection
        try await thread.run { try connection.authenticate(user: user, with: credential) }
    }

    /// Runs `command` (with `input` on its standard input).
    func run(_ command: String, input: [UInt8]? = nil) async throws -> SSHConnection.CommandResult {
        let connection = self.connection
        return try await thread.run { try connection.run(command, input: input) }
    }

    /// Disconnects and ends the thread.
    func close() async {
        let connection = self.connection
        _ = try? await thread.run { connection.close() }
        thread.stop()
    }
}
