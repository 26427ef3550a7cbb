import Agent
import NIOCore
import NIOPosix
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

switch Result(catching: { () throws(AgentError) in try AgentArguments.parse(Array(CommandLine.arguments.dropFirst())) }) {
case .success(.help):
    print(AgentArguments.usage)
case .success(.version):
    print(BuildInfo.description)
case .success(.stack(let arguments, let config, let removeVolumes)):
    NIOSingletons.groupLoopCountSuggestion = 1
    exit(await LocalStackCommand.run(arguments, config: config, removeVolumes: removeVolumes))
case .success(.run(let config)):
    // One event-loop thread is plenty for one controller link and the Docker socket (Pi Zero budget).
    NIOSingletons.groupLoopCountSuggestion = 1
    ResidentMemory.preferRandomAccess()
    var logger = Logger(label: "homelab.agent")
    logger.logLevel = Logger.Level(rawValue: config.logLevel) ?? .info
    do {
        let app = try AgentApp(config: config, logger: logger)
        logger.info("device \(app.identity.deviceID), key \(app.identity.keyFingerprint), state in \(config.stateDirectory)")
        try await app.run(logger: logger)
    } catch {
        logger.critical("\(error)")
        exit(1)
    }
case .failure(let error):
    let text = Array("homelab-agent: \(error.message)\n".utf8)
    _ = text.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(64)
}
