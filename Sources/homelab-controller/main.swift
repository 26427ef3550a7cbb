import ArgumentParser
import Controller
import Foundation
import Logging
import Protocol
import Scheduler
import ServiceLifecycle

/// `homelab-controller`: runs the controller, or makes a join token offline.
@main
struct ControllerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "homelab-controller",
        abstract: "The homelab controller: device registry, enrollment, HTTPS API.",
        subcommands: [Run.self, JoinToken.self, Backup.self, Restore.self],
        defaultSubcommand: Run.self)
}

/// Options every subcommand shares.
struct StateOptions: ParsableArguments {
    @Option(name: .long, help: "State directory (database, CA, keys).")
    var stateDir: String = ProcessInfo.processInfo.environment["HOMELAB_STATE_DIR"] ?? "/var/lib/homelab-controller"
    @Option(help: ArgumentHelp("Write the admin API token made at first start to this file (0600) instead of the terminal.", valueName: "file"))
    var adminTokenFile: String?

    /// Hands a just-made admin token over (see AdminTokenNotice) and says where it went, on standard error.
    func deliver(_ token: String?) throws {
        guard let token else { return }
        switch try AdminTokenNotice.deliver(token, file: adminTokenFile, stateDirectory: URL(fileURLWithPath: stateDir)) {
        case .terminal: break
        case .file(let path): FileHandle.standardError.write(Data("  admin API token (first start) written to \(path) (mode 0600): read it, then delete it\n".utf8))
        }
    }
}

extension ControllerCommand {
    /// Runs the controller until SIGTERM/SIGINT.
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run the controller (default).")
        @OptionGroup var state: StateOptions
        @Option(help: "Address the API and the agent port bind.") var listen: String = "0.0.0.0"
        @Option(help: "HTTPS API port.") var apiPort: Int = 7443
        @Option(help: "Agent (mutual TLS) port.") var agentPort: Int = 7444
        @Option(help: "Seconds without a heartbeat before a device is offline.") var heartbeatTtl: Double = 30
        @Option(help: "Extra host name or address for the server certificate (repeatable).") var advertise: [String] = []
        @Option(help: "Log level (trace, debug, info, notice, warning, error).") var logLevel: String = "info"
        @Option(help: "Folder of agent binaries handed out per architecture (homelab-agent-linux-<arch>; default <state>/agent-binaries).")
        var agentBinaries: String?
        @Flag(inversion: .prefixedNo, help: "Announce the controller and list announcing devices (UDP multicast 239.255.70.77:7445, TTL 1).")
        var discovery = true
        @Option(help: "Interface to announce and listen on (repeatable; default: every up, multicast-capable, non-loopback one).")
        var discoveryInterface: [String] = []
        @Option(help: "Seconds between the controller's announcements; the discovered list forgets what is silent for three.")
        var announceInterval: Double = 30
        @Option(help: ArgumentHelp("A scheduler weight, FACTOR=WEIGHT (repeatable; see docs/scheduler.md).", valueName: "factor=weight"))
        var weight: [String] = []
        @Option(help: "A folder of your own recipes, read after the bundled catalog and <state>/recipes (repeatable; reloaded on change).")
        var catalog: [String] = []
        @Option(help: "The homelab's reverse proxy for --expose: none, caddy (routes through its admin API) or traefik (container labels).")
        var proxy: String = "none"
        @Option(help: "Exposed apps are reached as NAME.DOMAIN.") var domain: String = "home.arpa"
        @Option(help: "Scheme and port people reach the proxy on, as shown in app URLs.") var proxyScheme: String = "http"
        @Option(help: "See --proxy-scheme.") var proxyPort: Int = 80
        @Option(help: "Caddy's admin API.") var caddyAdmin: String = "http://127.0.0.1:2019"
        @Option(help: "Listen address of the Caddy server the controller adds routes to (made when missing).") var caddyListen: String = ":80"
        @Option(help: "Docker network shared by Traefik and the exposed services.") var traefikNetwork: String = "homelab-proxy"
        @Option(help: "Traefik entrypoint of the routers.") var traefikEntrypoint: String = "web"
        @Option(help: "Seconds a deploy waits for an offline device (or one that dropped its link mid-deploy).") var deviceWait: Int = 120
        @Option(help: "Seconds a deploy waits for health unless the request says otherwise.") var healthTimeout: Int = 120
        @Option(help: ArgumentHelp("A resolution of the metrics history and how long it is kept, RESOLUTION:RETENTION (repeatable; replaces the default 1m:1h 10m:12h 20m:1d 1h:8d 8h:30d 1d:1y).", valueName: "res:kept"))
        var history: [String] = []
        @Option(help: "Seconds raw metrics samples are kept (the history keeps the rest).") var rawMetricsRetention: Double = 3600
        @Option(help: "Percent of CPU, RAM or disk from which a device is yellow.") var healthWarning: Double = 70
        @Option(help: "Percent from which it is red.") var healthCritical: Double = 90
        @Option(help: "Percent of RAM or disk from which a device is overloaded (a move is suggested).") var overloadPercent: Double = 90
        @Option(help: "Seconds a device must stay overloaded before a move is suggested.") var overloadAfter: Double = 900
        @Option(help: "°C a device should stay under (the temperature insight).") var temperatureLimit: Double = 70
        @Option(help: "Seconds between two looks at each app's usage and health.") var appSampleInterval: Double = 60
        @Option(help: ArgumentHelp("Carry out suggested moves on their own inside this daily window, HH:MM-HH:MM (never for pinned apps; off by default).", valueName: "window"))
        var automaticMoves: String?
        @Option(help: "Seconds between two evaluations of the alert rules.") var alertInterval: Double = 15
        @Option(help: "Seconds before a failed alert delivery's first retry (each next one doubles, up to an hour).") var alertRetry: Double = 30
        @Option(help: "Devices waiting for approval at once; past it, the one that asked longest ago is dropped.")
        var maxPendingDevices = ListenerLimits().maximumPendingDevices
        @Option(help: "API connections open at once, in total.") var apiMaxConnections = ListenerLimits().apiConnections
        @Option(help: "API connections open at once from one address.") var apiMaxConnectionsPerAddress = ListenerLimits().apiConnectionsPerAddress
        @Option(help: "Seconds an API connection may take to send a request head (idle keep-alives are closed after it).")
        var apiIdleTimeout = ListenerLimits().apiIdleTimeout
        @Option(help: "Agent-port connections open at once from one address.") var agentMaxConnectionsPerAddress = ListenerLimits().agentConnectionsPerAddress
        @Option(help: "Enrollment requests one address may make per minute.") var enrollmentsPerMinute = ListenerLimits().enrollmentsPerMinute
        @Option(help: "Failed API authentications from one address before each further one waits longer (429).")
        var authFreeFailures = ListenerLimits().authThrottle.freeFailures

        /// Every limit must leave room for at least one.
        func validate() throws {
            for (flag, value) in [("--max-pending-devices", Int64(maxPendingDevices)), ("--api-max-connections", Int64(apiMaxConnections)),
                                  ("--api-max-connections-per-address", Int64(apiMaxConnectionsPerAddress)), ("--api-idle-timeout", apiIdleTimeout),
                                  ("--agent-max-connections-per-address", Int64(agentMaxConnectionsPerAddress)),
                                  ("--enrollments-per-minute", Int64(enrollmentsPerMinute))] where value < 1 {
                throw ValidationError("\(flag) must be at least 1, got \(value)")
            }
            if authFreeFailures < 0 { throw ValidationError("--auth-free-failures must not be negative, got \(authFreeFailures)") }
        }

        func run() async throws {
            var config = ControllerConfig(stateDirectory: URL(fileURLWithPath: state.stateDir))
            config.apiHost = listen
            config.agentHost = listen
            config.apiPort = apiPort
            config.agentPort = agentPort
            config.heartbeatTTL = heartbeatTtl
            config.advertisedNames = advertise
            config.agentBinariesDirectory = agentBinaries.map { URL(fileURLWithPath: $0) }
            config.discovery.network.enabled = discovery
            config.discovery.network.interfaces = discoveryInterface
            config.discovery.interval = announceInterval
            config.schedulerWeights = try Weights(overrides: weight)
            guard let proxyKind = ProxySettings.Kind(rawValue: proxy) else {
                throw ValidationError("--proxy \(proxy): one of \(ProxySettings.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            config.deployments.proxy.kind = proxyKind
            config.deployments.proxy.domain = domain
            config.deployments.proxy.scheme = proxyScheme
            config.deployments.proxy.port = proxyPort
            config.deployments.proxy.caddyAdmin = caddyAdmin
            config.deployments.proxy.caddyListen = caddyListen
            config.deployments.proxy.traefikNetwork = traefikNetwork
            config.deployments.proxy.traefikEntrypoint = traefikEntrypoint
            config.deployments.deviceWait = .seconds(deviceWait)
            config.deployments.healthTimeout = healthTimeout
            config.limits.maximumPendingDevices = maxPendingDevices
            config.limits.apiConnections = apiMaxConnections
            config.limits.apiConnectionsPerAddress = apiMaxConnectionsPerAddress
            config.limits.apiIdleTimeout = apiIdleTimeout
            config.limits.agentConnectionsPerAddress = agentMaxConnectionsPerAddress
            config.limits.enrollmentsPerMinute = enrollmentsPerMinute
            config.limits.authThrottle.freeFailures = authFreeFailures
            do {
                if !history.isEmpty { config.historyLadder = try HistoryLadder(parsing: history) }
                config.insights.automaticMoves = try automaticMoves.map { try DailyWindow(parsing: $0, timeZone: .current) }
            } catch {
                throw ValidationError("\(error)")
            }
            guard healthWarning < healthCritical else { throw ValidationError("--health-warning must be below --health-critical") }
            config.metricsRetention = rawMetricsRetention
            config.health.warningPercent = healthWarning
            config.health.criticalPercent = healthCritical
            config.insights.overloadPercent = overloadPercent
            config.insights.overloadAfter = overloadAfter
            config.insights.temperatureCelsius = temperatureLimit
            config.insights.appSampleInterval = .milliseconds(Int(appSampleInterval * 1000))
            config.alerts.evaluationInterval = .milliseconds(Int(alertInterval * 1000))
            config.alerts.retryBase = alertRetry
            if !catalog.isEmpty {
                config.catalogDirectories = [RecipeCatalog.bundledDirectory(), config.stateDirectory.appendingPathComponent("recipes")].compactMap { $0 }
                    + catalog.map { URL(fileURLWithPath: $0) }
            }
            var logger = Logger(label: "homelab.controller")
            logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
            let app = try await ControllerApp.open(config: config, logger: logger)
            print("homelab controller \(app.context.info.version)")
            print("  API:        https://\(listen == "0.0.0.0" ? "127.0.0.1" : listen):\(apiPort)/v1")
            print("  dashboard:  https://\(listen == "0.0.0.0" ? "127.0.0.1" : listen):\(apiPort)/ (sign in with an API token)")
            print("  agent port: \(listen):\(agentPort)")
            print("  CA:         sha256:\(app.context.authority.fingerprint)")
            print("  discovery:  \(discovery ? "udp \(config.discovery.network.group):\(config.discovery.network.port)" : "off")")
            print("  proxy:      \(proxy == "none" ? "none" : "\(proxy), apps at NAME.\(domain)")")
            print("  catalog:    \(app.context.catalog.status.recipes) recipes from \(app.context.catalog.directories.map(\.path).joined(separator: ", "))")
            fflush(nil)
            try state.deliver(app.newAdminToken)
            // SIGTERM (systemd's stop) and SIGINT shut the app down gracefully: its services in reverse order.
            do {
                try await ServiceGroup(configuration: .init(services: [ControllerApp.named(app)],
                                                            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)).run()
            } catch {
                throw app.explained(error)
            }
        }
    }

    /// Makes a join token directly in the state directory (no API token needed; for installers).
    struct JoinToken: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "join-token", abstract: "Create a join token offline and print it.")
        @OptionGroup var state: StateOptions
        @Flag(help: "Usable by any number of devices until it expires.") var reusable = false
        @Option(help: "Lifetime in seconds.") var ttl: Int = 86400

        func run() async throws {
            let app = try await ControllerApp.open(config: ControllerConfig(stateDirectory: URL(fileURLWithPath: state.stateDir)))
            try state.deliver(app.newAdminToken)
            let created = try await app.context.tokens.createJoinToken(.init(reusable: reusable, ttlSeconds: ttl))
            print(created.token)
        }
    }
}

extension ControllerCommand {
    /// Backs the controller's own state up to a backup target.
    struct Backup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Back the controller's state up to a backup target (the database, the CA, the keys, the configuration).",
            discussion: "Safe while the controller runs (SQLite's online backup). Needs restic on this machine. Export the recovery kit afterwards (homelab backup export-keys): it holds this repository's password.")
        @OptionGroup var state: StateOptions
        @Option(help: "The backup target's device (default: the only target).") var target: String?
        @Option(help: "A configuration file to keep with the state (repeatable; default /etc/homelab/controller.env when it exists).")
        var config: [String] = []
        @Option(help: "The restic executable (default: restic on PATH).") var restic: String?

        func run() async throws {
            let files = config.isEmpty
                ? ["/etc/homelab/controller.env"].filter { FileManager.default.isReadableFile(atPath: $0) } : config
            let backup = ControllerStateBackup(stateDirectory: URL(fileURLWithPath: state.stateDir), configFiles: files.map(URL.init(fileURLWithPath:)),
                                               resticPath: restic)
            let summary = try await backup.backup(target: target, logger: Logger(label: "homelab.controller.backup"))
            print("backed up \(state.stateDir) (\(summary.bytes) bytes) to \(summary.repository) as snapshot \(summary.snapshot)")
        }
    }

    /// Brings a backed-up state back on a fresh machine.
    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Restore the controller's state from the recovery kit (opened with: gpg -d KIT | tar -x -C DIR).",
            discussion: "Then start the controller: the agents reconnect by themselves, since the CA and their certificates are the same.")
        @OptionGroup var state: StateOptions
        @Option(help: ArgumentHelp("The opened recovery kit's folder (it holds kit.json).", valueName: "dir")) var kit: String
        @Option(help: "A snapshot id (default: the newest).") var snapshot: String?
        @Option(help: "The repository's location instead of the kit's URL (a folder copied from the target, say).") var repository: String?
        @Flag(help: "Replace the state that is in the state directory.") var force = false
        @Option(help: "The restic executable (default: restic on PATH).") var restic: String?

        func run() async throws {
            let restore = ControllerStateBackup(stateDirectory: URL(fileURLWithPath: state.stateDir), resticPath: restic)
            let summary = try await restore.restore(kit: URL(fileURLWithPath: kit), snapshot: snapshot, repository: repository, force: force)
            print("restored snapshot \(summary.snapshot) from \(summary.repository) into \(state.stateDir); start the controller and its agents reconnect")
        }
    }
}
