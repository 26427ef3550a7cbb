import ArgumentParser
import Protocol

/// `homelab apps pin NAME` and `homelab apps unpin NAME`: keep an app on its device, or let it be moved.
public enum AppsPin {
    struct Options: ParsableArguments {
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Deployment name.") var name: String

        func run(pinned: Bool, in context: CommandContext) async throws {
            let settings = try global.settings(in: context)
            let status = try await APIClient.withClient(settings) { client -> PinStatus in
                if pinned { return try await client.put(APIPaths.pin(name), json: Empty(), as: PinStatus.self) }
                try await client.delete(APIPaths.pin(name))
                return PinStatus(deployment: name, pinned: false)
            }
            switch global.output {
            case .json: context.console.write(try JSONOutput.render(status))
            case .table:
                context.console.write(status.pinned ? "\(status.deployment) is pinned: it is never suggested for a move nor moved automatically.\n"
                                                    : "\(status.deployment) is no longer pinned.\n")
            }
        }
    }

    /// `homelab apps pin NAME`.
    public struct Pin: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(commandName: "pin", abstract: "Keep an app on its device: no suggested or automatic moves.")
        @OptionGroup var options: Options
        public init() {}
        public func run() async throws { try await run(in: .live()) }
        public func run(in context: CommandContext) async throws { try await options.run(pinned: true, in: context) }
    }

    /// `homelab apps unpin NAME`.
    public struct Unpin: AsyncParsableCommand {
        public static let configuration = CommandConfiguration(commandName: "unpin", abstract: "Let an app be suggested for a move again.")
        @OptionGroup var options: Options
        public init() {}
        public func run() async throws { try await run(in: .live()) }
        public func run(in context: CommandContext) async throws { try await options.run(pinned: false, in: context) }
    }
}
