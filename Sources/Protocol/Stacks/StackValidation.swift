/// One thing wrong with a stack spec, named by its field path (`services.web.ports[1].published`).
public struct StackSpecProblem: Codable, Equatable, Sendable, CustomStringConvertible {
    /// The field, as a path into the compose document.
    public var field: String
    /// What is wrong with it.
    public var message: String
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
    public var description: String { "\(field): \(message)" }
}

/// A stack spec that cannot be applied; nothing was created.
public struct StackSpecError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Every problem found, in document order.
    public var problems: [StackSpecProblem]
    public init(problems: [StackSpecProblem]) { self.problems = problems }
    public var description: String {
        "invalid stack spec: " + problems.map(\.description).joined(separator: "; ")
    }
}

extension StackSpec {
    /// Every problem of the spec; empty when it can be applied.
    public func problems() -> [StackSpecProblem] {
        var check = StackValidation(spec: self)
        check.run()
        return check.problems
    }

    /// Throws ``StackSpecError`` unless the spec can be applied.
    public func validate() throws(StackSpecError) {
        let found = problems()
        if !found.isEmpty { throw StackSpecError(problems: found) }
    }

    /// The services in an order where every service comes after those it depends on (names sorted
    /// within a level), or nil when `depends_on` has a cycle or names an unknown service.
    public func startOrder() -> [String]? {
        var order: [String] = []
        var placed = Set<String>()
        while order.count < services.count {
            let ready = services.keys.filter { name in
                !placed.contains(name) && (services[name]!.dependsOn ?? [:]).keys.allSatisfy(placed.contains)
            }.sorted()
            if ready.isEmpty { return nil }
            order += ready
            placed.formUnion(ready)
        }
        return order
    }
}

/// The checks behind ``StackSpec/problems()``.
struct StackValidation {
    let spec: StackSpec
    var problems: [StackSpecProblem] = []

    mutating func run() {
        checkName("name", spec.name, .project)
        if spec.services.isEmpty { add("services", "a stack needs at least one service") }
        for name in (spec.volumes ?? [:]).keys.sorted() { checkName("volumes.\(name)", name, .volume) }
        for name in (spec.networks ?? [:]).keys.sorted() { checkName("networks.\(name)", name, .network) }
        for path in (spec.files ?? [:]).keys.sorted() { checkName("x-homelab-files.\(path)", path, .fileKey) }
        for name in spec.services.keys.sorted() { checkService(name, spec.services[name]!) }
        checkPublishedPorts()
        let dependencies = spec.services.values.flatMap { ($0.dependsOn ?? [:]).keys }
        if spec.startOrder() == nil && dependencies.allSatisfy({ spec.services[$0] != nil }) {
            add("services", "depends_on has a cycle")
        }
    }

    mutating func add(_ field: String, _ message: String) {
        problems.append(StackSpecProblem(field: PrintableText.escaped(field, limit: 200), message: message))
    }

    /// A problem unless `name` follows the ``SafeName`` rule of `kind`.
    mutating func checkName(_ field: String, _ name: String, _ kind: SafeName.Kind) {
        do { try SafeName.check(name, kind) } catch { add(field, error.description) }
    }

    mutating func checkService(_ name: String, _ service: ServiceSpec) {
        let at = "services.\(name)"
        checkName(at, name, .service)
        if service.image.isEmpty || service.image.contains(where: { $0 == " " || $0 == "\n" }) {
            add("\(at).image", "\"\(service.image)\" is not an image reference")
        }
        for key in (service.environment ?? [:]).keys.sorted() where !Self.isVariableName(key) {
            add("\(at).environment.\(key)", "\"\(key)\" is not a variable name")
        }
        checkEnvFiles(at, service)
        for (index, port) in (service.ports ?? []).enumerated() { checkPort("\(at).ports[\(index)]", port) }
        if service.networkMode == "host" && !(service.ports ?? []).filter({ $0.published != nil }).isEmpty {
            add("\(at).ports", "published ports do not apply with network_mode host")
        }
        for (index, mount) in (service.volumes ?? []).enumerated() { checkMount("\(at).volumes[\(index)]", mount) }
        for (index, entry) in (service.tmpfs ?? []).enumerated() where !entry.hasPrefix("/") {
            add("\(at).tmpfs[\(index)]", "\"\(entry)\" is not an absolute path")
        }
        checkNetworks(at, service)
        checkDependencies(at, name, service)
        if let health = service.healthcheck { checkHealth("\(at).healthcheck", health) }
        if let restart = service.restart, !Self.isRestartPolicy(restart) {
            add("\(at).restart", "\"\(restart)\" is not one of no, always, unless-stopped, on-failure[:N]")
        }
        for key in (service.labels ?? [:]).keys.sorted() where key.isEmpty || key.hasPrefix("com.docker.compose.") {
            add("\(at).labels.\(key)", "label keys must be non-empty and not in com.docker.compose.*")
        }
        if let workingDir = service.workingDir, !workingDir.hasPrefix("/") {
            add("\(at).working_dir", "\"\(workingDir)\" is not an absolute path")
        }
        for (index, device) in (service.devices ?? []).enumerated() where !device.hasPrefix("/") {
            add("\(at).devices[\(index)]", "\"\(device)\" must start with the host's device path")
        }
        if let mode = service.networkMode, !["host", "none", "bridge"].contains(mode) {
            add("\(at).network_mode", "\"\(mode)\" is not one of host, none, bridge")
        }
        for key in (service.ulimits ?? [:]).keys.sorted() {
            let limit = service.ulimits![key]!
            if limit.soft < 0 || limit.soft > limit.hard { add("\(at).ulimits.\(key)", "soft (\(limit.soft)) must be between 0 and hard (\(limit.hard))") }
        }
        if let memory = service.memLimit, memory < 6 << 20 { add("\(at).mem_limit", "\(memory) bytes is below Docker's minimum of 6 MiB") }
        if let cpus = service.cpus, !(cpus > 0 && cpus <= 1024) { add("\(at).cpus", "\(cpus) is not a CPU count above 0") }
    }

    mutating func checkEnvFiles(_ at: String, _ service: ServiceSpec) {
        for (index, path) in (service.envFile ?? []).enumerated() {
            guard SafeName.isValid(path, .fileKey) else {
                add("\(at).env_file[\(index)]", "\"\(PrintableText.escaped(path))\" must be a relative path inside the project directory (\(SafeName.Kind.fileKey.rule))")
                continue
            }
            guard let contents = spec.files?[path] else {
                add("\(at).env_file[\(index)]", "\"\(path)\" has no contents in x-homelab-files")
                continue
            }
            do { _ = try EnvFile.parse(contents) } catch {
                add("x-homelab-files.\(path)", "line \(error.line): \(error.message)")
            }
        }
    }

    mutating func checkPort(_ at: String, _ port: PortSpec) {
        if !(1...65535).contains(port.target) { add("\(at).target", "\(port.target) is not a port (1-65535)") }
        if let published = port.published, !(1...65535).contains(published) {
            add("\(at).published", "\(published) is not a port (1-65535)")
        }
        if !["tcp", "udp", "sctp"].contains(port.transport) { add("\(at).protocol", "\"\(port.transport)\" is not tcp, udp or sctp") }
        if let address = port.hostIP, !Self.isIPAddress(address) { add("\(at).host_ip", "\"\(address)\" is not an IP address") }
    }

    mutating func checkMount(_ at: String, _ mount: MountSpec) {
        if !mount.target.hasPrefix("/") { add("\(at).target", "\"\(mount.target)\" is not an absolute path") }
        switch mount.type {
        case "volume":
            guard let source = mount.source, !source.isEmpty else { return add("\(at).source", "a volume mount needs a source") }
            if !SafeName.isValid(source, .volume) {
                checkName("\(at).source", source, .volume)
            } else if spec.volumes?[source] == nil {
                add("\(at).source", "volume \"\(source)\" is not declared under the top-level volumes")
            }
        case "bind":
            if !(mount.source ?? "").hasPrefix("/") { add("\(at).source", "a bind mount needs an absolute host path") }
        case "tmpfs":
            if mount.source != nil { add("\(at).source", "a tmpfs mount has no source") }
        default:
            add("\(at).type", "\"\(mount.type)\" is not volume, bind or tmpfs")
        }
    }

    mutating func checkNetworks(_ at: String, _ service: ServiceSpec) {
        guard let networks = service.networks else { return }
        if service.networkMode != nil { add("\(at).networks", "networks cannot be combined with network_mode") }
        for name in networks.keys.sorted() where name != "default" && spec.networks?[name] == nil {
            add("\(at).networks.\(name)", "network \"\(name)\" is not declared under the top-level networks")
        }
    }

    mutating func checkDependencies(_ at: String, _ name: String, _ service: ServiceSpec) {
        for (dependency, condition) in (service.dependsOn ?? [:]).sorted(by: { $0.key < $1.key }) {
            let field = "\(at).depends_on.\(dependency)"
            guard let target = spec.services[dependency] else { add(field, "unknown service \"\(dependency)\""); continue }
            if dependency == name { add(field, "a service cannot depend on itself") }
            let hasTest = target.healthcheck.map { $0.disable != true && $0.test?.first != "NONE" && $0.test != nil } ?? false
            if condition.condition == .serviceHealthy && !hasTest {
                add(field, "service_healthy needs a healthcheck on \"\(dependency)\"")
            }
        }
    }

    mutating func checkHealth(_ at: String, _ health: Healthcheck) {
        if let test = health.test, health.disable != true {
            let kinds = ["CMD", "CMD-SHELL", "NONE"]
            if test.isEmpty || !kinds.contains(test[0]) || (test[0] != "NONE" && test.count < 2) {
                add("\(at).test", "expected [\"CMD\", …], [\"CMD-SHELL\", \"…\"] or [\"NONE\"]")
            }
        }
        if let retries = health.retries, retries < 0 { add("\(at).retries", "must not be negative") }
        for (field, value) in [("interval", health.interval), ("timeout", health.timeout), ("start_period", health.startPeriod)] {
            if let value, value.milliseconds < 0 { add("\(at).\(field)", "must not be negative") }
        }
    }

    mutating func checkPublishedPorts() {
        var seen: [String: String] = [:]
        for name in spec.services.keys.sorted() {
            for (index, port) in (spec.services[name]!.ports ?? []).enumerated() {
                guard let published = port.published else { continue }
                let key = "\(port.hostIP ?? "*")|\(published)/\(port.transport)"
                let field = "services.\(name).ports[\(index)].published"
                if let first = seen[key] {
                    add(field, "\(published)/\(port.transport) is already published by \(first)")
                } else {
                    seen[key] = field
                }
            }
        }
    }

    // MARK: Lexical rules

    static func isVariableName(_ text: String) -> Bool {
        !text.isEmpty && !text.contains("=") && !text.contains(where: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\0" })
    }

    static func isRestartPolicy(_ text: String) -> Bool {
        if ["no", "always", "unless-stopped", "on-failure"].contains(text) { return true }
        guard text.hasPrefix("on-failure:"), let count = Int(text.dropFirst("on-failure:".count)) else { return false }
        return count >= 0
    }

    static func isIPAddress(_ text: String) -> Bool {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        if parts.count == 4 { return parts.allSatisfy { part in UInt8(part).map { String($0) == part } ?? false } }
        return text.contains(":") && text.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
    }
}
