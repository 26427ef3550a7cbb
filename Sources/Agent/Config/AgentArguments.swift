/// The agent's command line: `--config FILE` first, then flags that override the file.
public enum AgentArguments {
    /// Usage text.
    public static let usage = """
    usage: homelab-agent [--config FILE] [--controller HOST:PORT] [--join-token TOKEN] [--name NAME]
                         [--state-dir DIR] [--sample-interval 10s] [--docker-socket PATH] [--log-level LEVEL]
                         [--discovery true|false] [--discovery-interfaces eth0,wlan0] [--announce-interval 30s]
                         [--profile ram=8G,disk=2T,cores=4,arch=arm64,always-on=true,watts=15]
                         [--peer-listen 0.0.0.0] [--peer-port 7446] [--peer-connections 8] [--peer-handshake-timeout 10s] [--restic PATH]

    Runs the homelab agent: enrolls with the controller (a join token, or approval with
    'homelab devices approve NAME'), then reports this device's facts and metrics.
    Without --controller it finds the controller by its multicast announcements (UDP 239.255.70.77:7445).
    Settings come from /etc/homelab/agent.yaml (when present, or --config), then the flags;
    every flag is also a config key (--max-backoff is max_backoff). See docs/configuration.md.

    Local stack commands (this device's Docker, no controller; the same flags apply):
      homelab-agent stack apply FILE.json     bring the device to a stack spec (compose JSON)
      homelab-agent stack ls                  the stacks the agent manages here
      homelab-agent stack rm PROJECT [--volumes true]
      homelab-agent volume archive VOLUME IMAGE > FILE.tar    a volume's contents as tar, via IMAGE
      homelab-agent volume restore VOLUME IMAGE < FILE.tar    unpack into VOLUME (checked entry by entry)
    """

    /// What the command line asked for.
    public enum Parsed: Equatable {
        /// Run with this configuration.
        case run(AgentConfig)
        /// Print usage.
        case help
        /// Print the version.
        case version
        /// A local command (`stack apply FILE`, `stack ls`, `stack rm PROJECT`, `volume archive|restore VOLUME IMAGE`) with the configuration.
        case stack([String], AgentConfig, removeVolumes: Bool)
    }

    /// Parses `arguments` (without the program name); `defaultConfigFile` is read when present and no `--config` is given.
    public static func parse(_ arguments: [String], defaultConfigFile: String = "/etc/homelab/agent.yaml") throws(AgentError) -> Parsed {
        var flags: [(key: String, value: String)] = []
        var configFile: String?
        let stackCommand = arguments.first == "stack" || arguments.first == "volume"
        var positional: [String] = []
        var removeVolumes = false
        var index = stackCommand ? 1 : 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "-h" || argument == "--help" { return .help }
            if argument == "--version" { return .version }
            guard argument.hasPrefix("--") else {
                guard stackCommand else { throw AgentError.config("unexpected argument '\(argument)'\n\n\(usage)") }
                positional.append(argument)
                index += 1
                continue
            }
            var name = String(argument.dropFirst(2))
            var value: String
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            } else {
                index += 1
                guard index < arguments.count else { throw AgentError.config("--\(name) needs a value") }
                value = arguments[index]
            }
            if name == "config" {
                configFile = value
            } else if stackCommand && name == "volumes" {
                removeVolumes = value == "true"
            } else {
                let key = name.replacingDashes()
                guard AgentConfig.keys.contains(key) else { throw AgentError.config("unknown option --\(name)\n\n\(usage)") }
                flags.append((key, value))
            }
            index += 1
        }
        var config = AgentConfig()
        if let configFile {
            try config.load(file: configFile)
        } else if SystemFiles.read(defaultConfigFile) != nil {
            try config.load(file: defaultConfigFile)
        }
        for flag in flags {
            try config.set(flag.key, flag.value, source: "--\(flag.key.replacingUnderscores())")
        }
        if stackCommand {
            let verbs = arguments[0] == "stack" ? ["apply", "ls", "rm"] : ["archive", "restore"]
            guard verbs.contains(positional.first ?? "") else { throw AgentError.config("\(arguments[0]): expected one of \(verbs.joined(separator: ", "))\n\n\(usage)") }
            return .stack([arguments[0]] + positional, config, removeVolumes: removeVolumes)
        }
        return .run(config)
    }
}

extension String {
    fileprivate func replacingDashes() -> String { String(map { $0 == "-" ? "_" : $0 }) }
    fileprivate func replacingUnderscores() -> String { String(map { $0 == "_" ? "-" : $0 }) }
}
