import Protocol

/// How an agent runs: `/etc/homelab/agent.yaml` (or `--config`), then command-line flags.
public struct AgentConfig: Sendable, Equatable {
    /// Controller agent address, `host:port`; without one the agent finds the controller by its announcements.
    public var controller: String?
    /// Join token (`HLJ1.…`); without one the agent asks to be approved by hand.
    public var joinToken: String?
    /// Name to register under (default: the hostname).
    public var name: String?
    /// State directory (identity, certificate, pinned CA).
    public var stateDirectory: String = "/var/lib/homelab-agent"
    /// Seconds between metrics samples.
    public var sampleInterval: Duration = .seconds(10)
    /// Seconds between heartbeats.
    public var heartbeatInterval: Duration = .seconds(5)
    /// Seconds between enrollment attempts while pending approval.
    public var pendingPollInterval: Duration = .seconds(5)
    /// Largest reconnect delay.
    public var maximumBackoff: Duration = .seconds(30)
    /// Docker socket path (default: `DOCKER_HOST` when `unix://`, else `/var/run/docker.sock`).
    public var dockerSocket: String?
    /// Log level name.
    public var logLevel: String = "info"
    /// Multicast discovery: on/off and the interfaces it uses (empty: every up, multicast-capable, non-loopback one).
    public var discovery = DiscoverySettings()
    /// Seconds between announcements once connected (±20 % jitter).
    public var announceInterval: Duration = .seconds(30)
    /// A declared hardware profile (lab and demos): caps what the agent reports and marks it simulated.
    public var profile: HardwareProfile?
    /// With a profile: the cgroup the device's containers run in (the lab's dockerd `--cgroup-parent`), whose memory
    /// counts as the simulated device's own.
    public var profileMemoryCgroup: String?
    /// The peer port, where other devices send volumes to this one.
    public var peer = Transfers.Settings()
    /// The restic executable for backups (default: `restic` on `PATH`, `/usr/local/bin`, `/usr/bin`).
    public var restic: String?

    /// Creates the default configuration.
    public init() {}

    /// The keys a config file may set, as written in YAML.
    public static let keys = ["controller", "join_token", "name", "state_dir", "sample_interval", "heartbeat_interval",
                              "pending_poll_interval", "max_backoff", "docker_socket", "log_level",
                              "discovery", "discovery_interfaces", "announce_interval", "profile", "profile_memory_cgroup", "restic",
                              "peer_listen", "peer_port", "peer_connections", "peer_handshake_timeout"] + debugKeys

    #if DEBUG
    /// Settings only debug builds (the tests) know.
    static let debugKeys = ["test_corrupt_transfer"]
    #else
    static let debugKeys: [String] = []
    #endif

    /// Applies one `key: value` setting; `source` names the file and line in errors.
    public mutating func set(_ key: String, _ value: String, source: String) throws(AgentError) {
        switch key {
        case "controller": controller = try Self.address(value, source: source)
        case "join_token": joinToken = value
        case "name": name = value
        case "state_dir": stateDirectory = value
        case "sample_interval": sampleInterval = try Self.duration(value, key: key, source: source)
        case "heartbeat_interval": heartbeatInterval = try Self.duration(value, key: key, source: source)
        case "pending_poll_interval": pendingPollInterval = try Self.duration(value, key: key, source: source)
        case "max_backoff": maximumBackoff = try Self.duration(value, key: key, source: source)
        case "docker_socket": dockerSocket = value
        case "log_level":
            guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(value) else {
                throw AgentError.config("\(source): log_level must be one of trace, debug, info, notice, warning, error, critical")
            }
            logLevel = value
        case "discovery":
            guard let enabled = ["true": true, "on": true, "yes": true, "false": false, "off": false, "no": false][value] else {
                throw AgentError.config("\(source): discovery must be true or false, got '\(value)'")
            }
            discovery.enabled = enabled
        case "discovery_interfaces":
            discovery.interfaces = value.split(separator: ",").map { String($0).trimmed }.filter { !$0.isEmpty }
        case "announce_interval": announceInterval = try Self.duration(value, key: key, source: source)
        case "profile":
            do {
                profile = try HardwareProfile(parsing: value)
            } catch {
                throw AgentError.config("\(source): profile: \(error)")
            }
        case "profile_memory_cgroup":
            guard value.hasPrefix("/"), !value.contains("..") else {
                throw AgentError.config("\(source): profile_memory_cgroup must be a cgroup path like /hl-pi4, got '\(value)'")
            }
            profileMemoryCgroup = value
        case "peer_listen": peer.host = value
        case "peer_port": peer.port = try Self.number(value, key: key, in: 0...65535, source: source)
        case "peer_connections": peer.connections = try Self.number(value, key: key, in: 1...1024, source: source)
        case "peer_handshake_timeout": peer.handshakeTimeout = try Self.duration(value, key: key, source: source)
        case "test_corrupt_transfer" where Self.debugKeys.contains(key):
            let parts = value.split(separator: "@")
            guard parts.count == 2, let offset = UInt64(parts[1]) else {
                throw AgentError.config("\(source): \(key) must be VOLUME@OFFSET, got '\(value)'")
            }
            peer.corruption = .init(volume: String(parts[0]), offset: offset)
        case "restic":
            guard value.hasPrefix("/") else { throw AgentError.config("\(source): restic must be an absolute path, got '\(value)'") }
            restic = value
        default:
            throw AgentError.config("\(source): unknown setting '\(key)' (known: \(Self.keys.joined(separator: ", ")))")
        }
    }

    /// Loads settings from a YAML file of top-level `key: value` pairs.
    public mutating func load(file path: String) throws(AgentError) {
        guard let text = SystemFiles.read(path) else {
            throw AgentError.config("cannot read config file \(path)")
        }
        for setting in try FlatYAML.parse(text, file: path) {
            try set(setting.key, setting.value, source: "\(path):\(setting.line)")
        }
    }

    /// The controller's host and port.
    public var controllerEndpoint: ControllerLocator.Endpoint? {
        controller.flatMap(ControllerLocator.Endpoint.init(parsing:))
    }

    static func address(_ value: String, source: String) throws(AgentError) -> String {
        let withPort = value.contains(":") && !value.hasSuffix("]") ? value : value + ":7444"
        guard ControllerLocator.Endpoint(parsing: withPort) != nil else {
            throw AgentError.config("\(source): controller must be host:port, got '\(value)'")
        }
        return withPort
    }

    /// A whole number within `range`.
    static func number(_ value: String, key: String, in range: ClosedRange<Int>, source: String) throws(AgentError) -> Int {
        guard let number = Int(value), range.contains(number) else {
            throw AgentError.config("\(source): \(key) must be a whole number from \(range.lowerBound) to \(range.upperBound), got '\(value)'")
        }
        return number
    }

    /// Parses `10s`, `500ms`, `2m`, `1h` or plain seconds.
    static func duration(_ value: String, key: String, source: String) throws(AgentError) -> Duration {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, scale) in units where value.hasSuffix(suffix) {
            if let number = Double(value.dropLast(suffix.count)), number > 0 { return .milliseconds(Int(number * scale * 1000)) }
        }
        if let number = Double(value), number > 0 { return .milliseconds(Int(number * 1000)) }
        throw AgentError.config("\(source): \(key) must be a positive duration like 10s, 500ms or 2m, got '\(value)'")
    }
}
