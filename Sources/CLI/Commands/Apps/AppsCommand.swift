import ArgumentParser
import Foundation
import Protocol

/// `homelab apps`: the deployments of every device.
public struct AppsCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "apps",
        abstract: "List, inspect, start, stop, restart, move and remove deployed apps; follow their logs.",
        subcommands: [AppsList.self, AppsShow.self, AppsAction.Start.self, AppsAction.Stop.self, AppsAction.Restart.self, AppsRemove.self,
                      AppsLogs.self, AppsOpen.self, AppsDrift.self, AppsPin.Pin.self, AppsPin.Unpin.self, AppsMigrate.self]
    )
    public init() {}
}

/// `homelab apps list`.
public struct AppsList: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "list", abstract: "Every deployment, on every device.", aliases: ["ls"])
    @OptionGroup public var global: GlobalOptions
    @Option(help: "Only those with a component on this device.") public var device: String?
    @Option(help: "Only those in this state (running, stopped, failed, rolled-back, …).") public var state: String?
    @Option(help: "Only this recipe category.") public var category: String?
    @Option(help: "Only deployments of this recipe.") public var recipe: String?
    @Option(help: "Only those on devices of this group.") public var group: String?
    public init() {}
    public func run() async throws { try await run(in: .live()) }

    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let path = APIPaths.deployments + APIPaths.query([("device", device), ("state", state), ("category", category), ("recipe", recipe), ("group", group)])
        let list = try await APIClient.withClient(settings) { try await $0.get(path, as: ListResponse<DeploymentResource>.self) }
        switch global.output {
        case .json: context.console.write(try JSONOutput.render(list))
        case .table:
            context.console.write(list.items.isEmpty ? "No apps deployed. Deploy one with: homelab deploy RECIPE\n"
                                                     : DeploymentTable(deployments: list.items, now: context.now, style: Style(colorEnabled: context.usesColor)).render())
        }
    }
}

/// `homelab apps show NAME`.
public struct AppsShow: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "show", abstract: "A deployment: components, containers, usage, drift, notes, steps.")
    @OptionGroup public var global: GlobalOptions
    @Argument(help: "Deployment name.") public var name: String
    public init() {}
    public func run() async throws { try await run(in: .live()) }

    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let detail = try await APIClient.withClient(settings) { try await $0.get(APIPaths.deployment(name), as: DeploymentDetail.self) }
        switch global.output {
        case .json: context.console.write(try JSONOutput.render(detail))
        case .table: context.console.write(DeploymentDetailView(detail: detail, now: context.now, style: Style(colorEnabled: context.usesColor)).render())
        }
    }
}

/// `homelab apps start|stop|restart NAME [--component C]`.
public enum AppsAction {
    struct Options: ParsableArguments {
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Deployment name.") var name: String
        @Option(help: "Only this component.") var component: String?

        func run(_ verb: String, in context: CommandContext) async throws {
            let settings = try global.settings(in: context)
            let path = "\(APIPaths.deployment(name))/\(verb)" + APIPaths.query([("component", component)])
            let resource = try await APIClient.withClient(settings) { try await $0.post(path, as: DeploymentResource.self) }
            switch global.output {
            case .json: context.console.write(try JSONOutput.render(resource))
            case .table: context.console.write("\(resource.name): \(resource.state.rawValue)\n")
            }
        }
    }

    /// One of the three: its verb is its command name.
    protocol Verb: AsyncParsableCommand {
        var options: Options { get }
    }

    public struct Start: Verb {
        public static let configuration = CommandConfiguration(commandName: "start", abstract: "Start a stopped deployment (or one component).")
        @OptionGroup var options: Options
        public init() {}
    }

    public struct Stop: Verb {
        public static let configuration = CommandConfiguration(commandName: "stop", abstract: "Stop a deployment (or one component); its data stays.")
        @OptionGroup var options: Options
        public init() {}
    }

    public struct Restart: Verb {
        public static let configuration = CommandConfiguration(commandName: "restart", abstract: "Restart a deployment (or one component).")
        @OptionGroup var options: Options
        public init() {}
    }
}

extension AppsAction.Verb {
    public func run() async throws { try await run(in: .live()) }
    public func run(in context: CommandContext) async throws { try await options.run(Self.configuration.commandName ?? "", in: context) }
}

/// `homelab apps rm NAME --keep-data|--delete-data`.
public struct AppsRemove: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "rm", abstract: "Remove a deployment from its devices.", aliases: ["remove"])
    @OptionGroup public var global: GlobalOptions
    @Argument(help: "Deployment name.") public var name: String
    @Flag(help: "Keep its volumes on the devices.") public var keepData = false
    @Flag(help: "Delete its volumes: its data is gone for good.") public var deleteData = false
    @Flag(name: [.short, .long], help: "Do not ask for confirmation.") public var yes = false
    public init() {}
    public func run() async throws { try await run(in: .live()) }

    public func validate() throws {
        guard keepData != deleteData else { throw ValidationError("say what happens to the app's data: --keep-data or --delete-data") }
    }

    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        if !yes {
            guard context.console.isInputTerminal else { throw CLIError.usage("removing an app needs confirmation: pass --yes when not on a terminal") }
            guard context.console.confirm("Remove \(name)\(deleteData ? " and delete its data" : "")?") else { throw CLIError.aborted("nothing removed") }
        }
        try await APIClient.withClient(settings) { try await $0.delete(APIPaths.deployment(name) + APIPaths.query([("data", deleteData ? "delete" : "keep")])) }
        if global.output == .table { context.console.write("Removed \(name)\(deleteData ? " and its data" : " (its volumes are kept)")\n") }
    }
}

/// `homelab apps logs NAME`.
public struct AppsLogs: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "logs", abstract: "A deployment's logs (one service's).")
    @OptionGroup public var global: GlobalOptions
    @Argument(help: "Deployment name.") public var name: String
    @Flag(name: [.short, .long], help: "Keep printing new lines until the container stops or Ctrl-C.") public var follow = false
    @Option(help: "Only the last N lines.") public var tail: Int?
    @Option(help: "The component (default: the one with the web entry, or the only one).") public var component: String?
    @Option(help: "The service (default: the component's only one).") public var service: String?
    @Flag(help: "Prefix each line with its time.") public var timestamps = false
    public init() {}
    public func run() async throws { try await run(in: .live()) }

    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let path = "\(APIPaths.deployment(name))/logs" + APIPaths.query([("component", component), ("service", service), ("tail", tail.map(String.init)),
                                                                          ("follow", follow ? "true" : nil)])
        try await APIClient.withClient(settings) { client in
            try await client.lines(path) { data in
                if global.output == .json {
                    context.console.write(String(decoding: data, as: UTF8.self) + "\n")
                    return
                }
                guard let line = try? WireCoding.decoder.decode(LogLine.self, from: data) else { return }
                let text = (timestamps ? "\(line.time ?? "-") " : "") + line.text + "\n"
                if line.stream == .stderr { context.console.writeError(text) } else { context.console.write(text) }
            }
        }
    }
}

/// `homelab apps open NAME`: prints the URL to open.
public struct AppsOpen: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "open", abstract: "Print the URL of a deployment's web entry.")
    @OptionGroup public var global: GlobalOptions
    @Argument(help: "Deployment name.") public var name: String
    public init() {}
    public func run() async throws { try await run(in: .live()) }

    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        // The stored list, not the detail: no device needs asking for a URL.
        let list = try await APIClient.withClient(settings) { try await $0.get(APIPaths.deployments, as: ListResponse<DeploymentResource>.self) }
        guard let deployment = list.items.first(where: { $0.name == name || $0.id == name }) else {
            throw CLIError(.notFound, "no deployment \(name)", exitCode: ExitStatus.notFound)
        }
        guard let url = deployment.url else { throw CLIError(.notFound, "\(name) has no web entry", exitCode: ExitStatus.notFound) }
        context.console.write(url + "\n")
    }
}

/// `homelab apps drift`: where what runs differs from what was deployed, homelab-wide.
public struct AppsDrift: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(commandName: "drift", abstract: "What runs on the devices that differs from what was deployed.")
    @OptionGroup public var global: GlobalOptions
    public init() {}
    public func run() async throws { try await run(in: .live()) }

    public func run(in context: CommandContext) async throws {
        let settings = try global.settings(in: context)
        let report = try await APIClient.withClient(settings) { try await $0.get(APIPaths.drift, as: DriftReport.self) }
        switch global.output {
        case .json: context.console.write(try JSONOutput.render(report))
        case .table:
            var sections = Sections()
            for deployment in report.deployments { sections.add(deployment.deployment, .lines(deployment.problems)) }
            if !report.unknownStacks.isEmpty {
                sections.add("Stacks no deployment accounts for", .table(Table(headers: ["DEVICE", "STACK", "DEPLOYMENT LABEL"], rows: report.unknownStacks.map {
                    [$0.device, $0.project, $0.deployment ?? "-"]
                })))
            }
            if !report.unreachable.isEmpty { sections.add("Not answering (not checked)", .lines(report.unreachable)) }
            context.console.write(sections.sections.isEmpty ? "No drift: every deployment runs as deployed.\n" : sections.render())
        }
    }
}
