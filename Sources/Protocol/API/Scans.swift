import FoundationEssentials

/// `POST /v1/scans`: look for hosts that could join. Every field is optional.
public struct ScanRequest: Codable, Equatable, Sendable {
    /// CIDRs (`192.168.1.0/24`) or single addresses; empty: the controller's own IPv4 subnets (a /24 at most each).
    public var targets: [String]
    /// Scan public (non-private) ranges and targets larger than 4096 addresses too.
    public var force: Bool?
    /// Ports to probe instead of the default set.
    public var ports: [Int]?
    /// The whole scan ends after this many seconds (default 60, at most 600).
    public var timeLimitSeconds: Double?
    /// Each connection attempt gives up after this many milliseconds (default 800).
    public var hostTimeoutMilliseconds: Int?
    /// Hosts probed at once (default 32, at most 256).
    public var concurrency: Int?
    /// Connection attempts started per second at most (default 400).
    public var ratePerSecond: Int?
    /// Ask the resolver for each found host's name (default true).
    public var reverseDNS: Bool?

    /// Creates a request.
    public init(targets: [String] = [], force: Bool? = nil, ports: [Int]? = nil, timeLimitSeconds: Double? = nil,
                hostTimeoutMilliseconds: Int? = nil, concurrency: Int? = nil, ratePerSecond: Int? = nil, reverseDNS: Bool? = nil) {
        self.targets = targets
        self.force = force
        self.ports = ports
        self.timeLimitSeconds = timeLimitSeconds
        self.hostTimeoutMilliseconds = hostTimeoutMilliseconds
        self.concurrency = concurrency
        self.ratePerSecond = ratePerSecond
        self.reverseDNS = reverseDNS
    }

    enum CodingKeys: String, CodingKey { case targets, force, ports, timeLimitSeconds, hostTimeoutMilliseconds, concurrency, ratePerSecond, reverseDNS }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        targets = try container.decodeIfPresent([String].self, forKey: .targets) ?? []
        force = try container.decodeIfPresent(Bool.self, forKey: .force)
        ports = try container.decodeIfPresent([Int].self, forKey: .ports)
        timeLimitSeconds = try container.decodeIfPresent(Double.self, forKey: .timeLimitSeconds)
        hostTimeoutMilliseconds = try container.decodeIfPresent(Int.self, forKey: .hostTimeoutMilliseconds)
        concurrency = try container.decodeIfPresent(Int.self, forKey: .concurrency)
        ratePerSecond = try container.decodeIfPresent(Int.self, forKey: .ratePerSecond)
        reverseDNS = try container.decodeIfPresent(Bool.self, forKey: .reverseDNS)
    }
}

/// An open TCP service found on a host.
public struct ScannedService: Codable, Equatable, Sendable {
    /// TCP port.
    public var port: Int
    /// What usually listens there (`ssh`, `https`, `smb`, `synology-dsm`, `proxmox`, `docker`, `homelab-agent-port`, …).
    public var name: String
    /// The line the service sent first (the SSH identification string).
    public var banner: String?

    /// Creates a service.
    public init(port: Int, name: String, banner: String? = nil) {
        self.port = port
        self.name = name
        self.banner = banner
    }
}

/// What a scan takes a host to be.
public enum DeviceGuess: String, Codable, Sendable, CaseIterable {
    case raspberryPi = "raspberry-pi"
    case nas
    case x86
    case unknown
}

/// A host a scan found: a candidate device (`GET /v1/candidates`, and in a scan's answer).
public struct ScanCandidate: Codable, Equatable, Sendable {
    /// IPv4 address.
    public var address: String
    /// MAC address from the controller's neighbour table (same link only).
    public var mac: String?
    /// Maker from the MAC's vendor prefix.
    public var vendor: String?
    /// Name from reverse DNS.
    public var hostname: String?
    /// Open services, by port.
    public var services: [ScannedService]
    /// Operating system read from the SSH banner (`Debian 12`, `Ubuntu`, …).
    public var os: String?
    /// Raspberry Pi, NAS, x86 or unknown.
    public var guess: DeviceGuess
    /// Whether a homelab agent already runs there (a registered device uses this address, or it announces).
    public var hasAgent: Bool
    /// The registry name of that device, when known.
    public var device: String?
    /// When a scan first found it.
    public var firstSeenAt: Date
    /// When a scan last found it.
    public var lastSeenAt: Date
    /// The scan that last found it.
    public var scanID: String

    /// Whether SSH answers there, so `homelab devices add` can reach it.
    public var hasSSH: Bool { services.contains { $0.name == "ssh" } }

    /// Creates a candidate.
    public init(address: String, mac: String? = nil, vendor: String? = nil, hostname: String? = nil, services: [ScannedService],
                os: String? = nil, guess: DeviceGuess, hasAgent: Bool, device: String? = nil, firstSeenAt: Date, lastSeenAt: Date, scanID: String) {
        self.address = address
        self.mac = mac
        self.vendor = vendor
        self.hostname = hostname
        self.services = services
        self.os = os
        self.guess = guess
        self.hasAgent = hasAgent
        self.device = device
        self.firstSeenAt = firstSeenAt
        self.lastSeenAt = lastSeenAt
        self.scanID = scanID
    }
}

/// Where a scan stands.
public enum ScanState: String, Codable, Sendable {
    case running
    /// Every target was probed.
    case completed
    /// Stopped at its time limit; what it found so far is kept.
    case timedOut = "timed_out"
    /// Stopped by `DELETE /v1/scans/{id}`.
    case canceled
    case failed
}

/// A scan as `POST /v1/scans` and `GET /v1/scans/{id}` answer it.
public struct ScanResource: Codable, Equatable, Sendable {
    /// Scan id.
    public var id: String
    /// Running, completed, timed out, canceled or failed.
    public var state: ScanState
    /// The CIDRs scanned (the defaults resolved).
    public var targets: [String]
    /// Ports probed.
    public var ports: [Int]
    /// Addresses in the targets.
    public var hostsTotal: Int
    /// Addresses probed so far.
    public var hostsProbed: Int
    /// Hosts that answered, so far.
    public var candidates: [ScanCandidate]
    /// The time limit, seconds.
    public var timeLimitSeconds: Double
    /// When it started.
    public var startedAt: Date
    /// When it ended.
    public var finishedAt: Date?
    /// Why it failed.
    public var error: String?

    /// Creates a resource.
    public init(id: String, state: ScanState, targets: [String], ports: [Int], hostsTotal: Int, hostsProbed: Int,
                candidates: [ScanCandidate], timeLimitSeconds: Double, startedAt: Date, finishedAt: Date? = nil, error: String? = nil) {
        self.id = id
        self.state = state
        self.targets = targets
        self.ports = ports
        self.hostsTotal = hostsTotal
        self.hostsProbed = hostsProbed
        self.candidates = candidates
        self.timeLimitSeconds = timeLimitSeconds
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.error = error
    }
}

/// The body of a `scan.progress` event.
public struct ScanProgress: Codable, Equatable, Sendable {
    /// Scan id.
    public var scan: String
    /// `started`, `found` (a host answered), `progress` (every tenth of the targets), `finished`.
    public var phase: String
    /// Addresses probed so far.
    public var hostsProbed: Int
    /// Addresses in the targets.
    public var hostsTotal: Int
    /// Hosts found so far.
    public var found: Int
    /// The host, with `found`.
    public var address: String?
    /// The scan's state, with `finished`.
    public var state: ScanState?

    /// Creates a progress event body.
    public init(scan: String, phase: String, hostsProbed: Int, hostsTotal: Int, found: Int, address: String? = nil, state: ScanState? = nil) {
        self.scan = scan
        self.phase = phase
        self.hostsProbed = hostsProbed
        self.hostsTotal = hostsTotal
        self.found = found
        self.address = address
        self.state = state
    }
}
