import Foundation
import ArgumentParser
import Protocol

/// `homelab scan [CIDR…]`: runs a scan on the controller and shows its progress and what it found.
public struct ScanRun: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Scan networks (default: the controller's own subnets, a /24 at most each) for candidate devices.",
        discussion: """
            The controller probes TCP 22 (reading the SSH banner), its own ports, 80/443, 139/445, \
            5000/5001, 8006 and 2375/2376 with bounded concurrency and rate, reads its neighbour table \
            for MAC addresses and vendors, and asks the resolver for names. Public ranges and more than \
            4096 addresses are refused unless --force. Results stay on the controller: 'homelab scan \
            results'; install agents with 'homelab devices add HOST' or '--from-scan'.
            """
    )

    /// Output and connection options.
    @OptionGroup public var global: GlobalOptions

    /// Networks.
    @Argument(help: "IPv4 networks (CIDR) or addresses; none: the controller's own subnets.")
    public var targets: [String] = []

    /// Allow public ranges and big targets.
    @Flag(help: "Scan public ranges and more than 4096 addresses too (only networks you own).")
    public var force = false

    /// Total time limit.
    @Option(help: "Stop after this many seconds (default 60, at most 600).")
    public var timeLimit: Double?

    /// Per-attempt timeout.
    @Option(help: ArgumentHelp("Give up on a connection attempt after this many milliseconds (default 800).", valueName: "ms"))
    public var hostTimeout: Int?

    /// Hosts at once.
    @Option(help: "Hosts probed at once (default 32).")
    public var concurrency: Int?

    /// Rate.
    @Option(help: "Connection attempts per second at most (default 400).")
    public var rate: Int?

    /// Ports.
    @Option(help: ArgumentHelp("Ports to probe instead of the defaults, comma-separated.", valueName: "22,80,…"))
    public var ports: String?

    /// No reverse DNS.
    @Flag(help: "Do not ask the resolver for host names.")
    public var noDNS = false

    /// Creates the command.
    public init() {}

    /// Checks the ports list.
    public func validate() throws {
        if let ports, parsedPorts(ports) == nil { throw ValidationError("--ports takes numbers separated by commas, like 22,80,443") }
    }

    func parsedPorts(_ text: String) -> [Int]? {
        let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return values.isEmpty || values.contains(nil) ? nil : values.compactMap { $0 }
    }

    /// Runs in the process's context.
    public func run() async throws {
        try await run(in: .live())
    }

    /// Starts the scan, prints progress lines as hosts answer, then the table.
    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let request = ScanRequest(targets: targets, force: force ? true : nil, ports: ports.flatMap(parsedPorts), timeLimitSeconds: timeLimit,
                                  hostTimeoutMilliseconds: hostTimeout, concurrency: concurrency, ratePerSecond: rate, reverseDNS: noDNS ? false : nil)
        let progress: @Sendable (String) -> Void = { [output = global.output] line in
            if output == .json { context.console.writeError(line + "\n") } else { context.console.write(line + "\n") }
        }
        let scan = try await APIClient.withClient(settings) { client in
            var scan = try await client.post(APIPaths.scans, json: request, as: ScanResource.self)
            progress("Scan \(scan.id): \(scan.targets.joined(separator: ", ")) (\(scan.hostsTotal) addresses, ports \(scan.ports.map(String.init).joined(separator: ",")), at most \(Int(scan.timeLimitSeconds)) s; stop it with homelab scan cancel \(scan.id))")
            var shown = Set<String>()
            var lastTenth = 0
            while true {
                for candidate in scan.candidates where !shown.contains(candidate.address) {
                    shown.insert(candidate.address)
                    progress("  found \(candidate.address): \(ScanTable.services(candidate))\(candidate.hasAgent ? " (agent)" : "")")
                }
                let tenth = scan.hostsTotal > 0 ? scan.hostsProbed * 10 / scan.hostsTotal : 10
                if tenth > lastTenth && scan.state == .running {
                    lastTenth = tenth
                    progress("  probed \(scan.hostsProbed)/\(scan.hostsTotal), found \(scan.candidates.count)")
                }
                if scan.state != .running { return scan }
                try? await Task.sleep(for: .milliseconds(300))
                scan = try await client.get(APIPaths.scan(scan.id), as: ScanResource.self)
            }
        }
        switch global.output {
        case .json:
            context.console.write(try JSONOutput.render(scan))
        case .table:
            let elapsed = scan.finishedAt.map { String(format: "%.1f", $0.timeIntervalSince(scan.startedAt)) } ?? "?"
            context.console.write("Scan \(scan.id) \(scan.state.rawValue.replacingOccurrences(of: "_", with: " ")) in \(elapsed) s: \(scan.hostsProbed)/\(scan.hostsTotal) addresses probed, \(scan.candidates.count) hosts\n")
            if !scan.candidates.isEmpty { context.console.write(ScanTable(candidates: scan.candidates, now: context.now).render()) }
        }
    }
}
