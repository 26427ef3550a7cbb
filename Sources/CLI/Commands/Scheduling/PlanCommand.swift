import ArgumentParser
import Foundation
import Protocol
import Recipes
import Scheduler

/// `homelab plan --snapshot FILE RECIPE_FILE`: the scheduler offline, on a saved (or imagined) homelab.
public struct PlanCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Run the scheduler offline on a snapshot file: where would this app go, or go if I added a device? Which moves would even the load?",
        discussion: """
            Example: homelab snapshot export -f lab.json; homelab plan --snapshot lab.json \
            --add-device name=pi5,arch=arm64,ram=8G,disk=256G,cores=4,always-on=true,watts=7 recipes/immich.yaml
            homelab plan --snapshot lab.json --rebalance
            """
    )

    @OptionGroup public var global: GlobalOptions
    @OptionGroup public var constraints: PlacementOptions
    @Option(help: ArgumentHelp("The snapshot (homelab snapshot export).", valueName: "file")) public var snapshot: String
    @Option(name: .customLong("add-device"), help: ArgumentHelp(
        "An imagined device: name=N plus the keys of a hardware profile (ram, disk, cores, arch, always-on, watts) (repeatable).",
        valueName: "spec"))
    public var added: [String] = []
    @Option(name: .customLong("weight"), help: ArgumentHelp("A factor weight, FACTOR=WEIGHT (repeatable; docs/scheduler.md).", valueName: "factor=weight"))
    public var weights: [String] = []
    @Flag(help: "Propose moves of deployed apps that lower the peak RAM/CPU pressure, each with its gain.") public var rebalance = false
    @Argument(help: ArgumentHelp("A recipe file (not with --rebalance).", valueName: "recipe")) public var recipe: String?

    public init() {}

    public func run() async throws { try await run(in: .live()) }

    public func run(in context: CommandContext) async throws {
        guard let data = FileManager.default.contents(atPath: snapshot) else {
            throw CLIError(.localFile, "cannot read \(snapshot)", exitCode: ExitStatus.failure)
        }
        var cluster: ClusterSnapshot
        do {
            cluster = try WireCoding.decoder.decode(ClusterSnapshot.self, from: data)
        } catch {
            throw CLIError(.localFile, "\(snapshot) is not a snapshot: \(WireCoding.describe(error))", exitCode: ExitStatus.failure)
        }
        let readable = ClusterSnapshot.readableVersions
        guard readable.contains(cluster.version) else {
            throw CLIError(.localFile, "\(snapshot) is a version \(cluster.version) snapshot; this homelab reads versions \(readable.lowerBound)-\(readable.upperBound)",
                           exitCode: ExitStatus.failure)
        }
        for spec in added { cluster.devices.append(try Self.device(spec)) }
        let scheduler: Scheduler
        do {
            scheduler = Scheduler(weights: try Weights(overrides: weights))
        } catch {
            throw CLIError.usage("--weight \(error)")
        }
        if rebalance {
            let moves = scheduler.rebalance(cluster)
            switch global.output {
            case .json: context.console.write(try JSONOutput.render(moves))
            case .table:
                context.console.write(moves.isEmpty ? "No move lowers the peak pressure by a point or more.\n"
                    : Table(headers: ["#", "APP", "FROM", "TO", "GAIN", "PRESSURE"], rows: moves.enumerated().map { index, move in
                        ["\(index + 1)", move.app, move.from, move.to, "\(PlanView.number(move.gain)) pts", move.reason]
                    }).render())
            }
            return
        }
        guard let recipe else { throw CLIError.usage("name a recipe file, or ask for --rebalance") }
        let loaded = try RecipeFiles.load(recipe)
        let plan = scheduler.plan(cluster, constraints.request(recipe: loaded.id).placement(for: loaded))
        switch global.output {
        case .json: context.console.write(try JSONOutput.render(plan))
        case .table: context.console.write(PlanView(plan: plan, explain: constraints.explain).render())
        }
    }

    /// `name=pi5,arch=arm64,ram=8G,disk=256G,…` as an online device with that much free.
    static func device(_ spec: String) throws -> DeviceState {
        var rest: [String] = []
        var name: String?
        for pair in spec.split(separator: ",") {
            if pair.hasPrefix("name=") { name = String(pair.dropFirst(5)) } else { rest.append(String(pair)) }
        }
        guard let name, !name.isEmpty else { throw CLIError.usage("--add-device \(spec): needs name=NAME") }
        let profile: HardwareProfile
        do {
            profile = try HardwareProfile(parsing: rest.joined(separator: ","))
        } catch {
            throw CLIError.usage("--add-device \(spec): \(error)")
        }
        let memory = profile.memoryBytes.map { Int64(clamping: $0) }
        let disk = profile.diskBytes.map { Int64(clamping: $0) }
        return DeviceState(name: name, architecture: profile.architecture, cores: profile.cores, memoryTotalBytes: memory,
                           memoryAvailableBytes: memory, storageTotalBytes: disk, storageAvailableBytes: disk, alwaysOn: profile.alwaysOn,
                           watts: profile.watts)
    }
}
