import Testing
@testable import Agent

/// The peer port's settings, from flags and the config file.
@Suite("Peer port settings")
struct PeerConfigTests {
    static func parse(_ arguments: [String]) throws(AgentError) -> AgentConfig {
        guard case .run(let config) = try AgentArguments.parse(arguments, defaultConfigFile: "/nonexistent") else {
            throw AgentError.config("not a run")
        }
        return config
    }

    @Test("the peer port defaults to 0.0.0.0:7446 with 8 connections and a 10 s handshake, and every one can be set")
    func settings() throws {
        let defaults = try Self.parse([])
        #expect(defaults.peer.host == "0.0.0.0" && defaults.peer.port == 7446 && defaults.peer.connections == 8)
        #expect(defaults.peer.handshakeTimeout == .seconds(10))
        let set = try Self.parse(["--peer-listen", "192.168.1.5", "--peer-port", "0", "--peer-connections", "2", "--peer-handshake-timeout", "3s"])
        #expect(set.peer.host == "192.168.1.5" && set.peer.port == 0 && set.peer.connections == 2 && set.peer.handshakeTimeout == .seconds(3))
    }

    @Test("a port out of range or a connection cap of 0 is refused, naming the flag", arguments: [
        ["--peer-port", "70000"], ["--peer-port", "seven"], ["--peer-connections", "0"],
    ])
    func refused(arguments: [String]) {
        #expect { try Self.parse(arguments) } throws: { error in
            (error as? AgentError)?.message.contains(arguments[0]) == true
        }
    }

    @Test("the corruption hook is a debug-build setting only, VOLUME@OFFSET")
    func corruption() throws {
        #if DEBUG
        let config = try Self.parse(["--test-corrupt-transfer", "app_data@1048576"])
        #expect(config.peer.corruption == .init(volume: "app_data", offset: 1_048_576))
        #expect(throws: AgentError.self) { try Self.parse(["--test-corrupt-transfer", "app_data"]) }
        #else
        #expect(throws: AgentError.self) { try Self.parse(["--test-corrupt-transfer", "app_data@1"]) }
        #endif
    }
}
