import FoundationEssentials

/// The message types of protocol v1 (`docs/protocol.md` is the catalog).
public enum MessageType {
    /// First message each way.
    public static let hello = "hello"
    /// Successful answer to a request (`re` set).
    public static let reply = "reply"
    /// Failed answer to a request (`re` set), or a fatal connection error (`re` absent).
    public static let error = "error"
    /// Agent → controller request: enroll with a token, or ask to be admitted.
    public static let enroll = "enroll"
    /// Either way, request: liveness round trip.
    public static let ping = "ping"
    /// Agent → controller event: the device's facts (at connect and when they change).
    public static let facts = "facts"
    /// Agent → controller event: one metrics sample.
    public static let metrics = "metrics"
    /// Agent → controller event: "still here", between metrics samples.
    public static let heartbeat = "heartbeat"
    /// Controller → agent request: take a metrics sample now and answer with it.
    public static let sample = "sample"
    /// Either way, request: open a kind-2 stream.
    public static let streamOpen = "stream.open"
    /// Either way, event: the receiver of a stream grants more bytes.
    public static let streamCredit = "stream.credit"
    /// Either way, event: the sender finished a stream, or either side aborts it.
    public static let streamClose = "stream.close"
}

/// Who is speaking on a connection.
public enum PeerRole: String, Codable, Sendable {
    case agent, controller
}

/// `hello`: the first message each way.
public struct Hello: Codable, Equatable, Sendable {
    /// Who sends it.
    public var role: PeerRole
    /// The protocol versions the sender speaks.
    public var versions: ProtocolVersionRange
    /// The sender's software version, for people.
    public var software: String
    /// Optional features the sender supports.
    public var capabilities: [String]
    /// Controller only: random bytes (base64) an enrolling agent signs to prove it holds its key.
    public var challenge: String?
    /// Controller only, on connections without a client certificate: the CA certificate (PEM),
    /// which an enrolling agent checks against the hash in its join token.
    public var caCertificate: String?
    /// Controller only: the device id the client certificate names, when there is one.
    public var deviceID: String?

    /// Creates a hello.
    public init(role: PeerRole, versions: ProtocolVersionRange = .current, software: String, capabilities: [String] = [],
                challenge: String? = nil, caCertificate: String? = nil, deviceID: String? = nil) {
        self.role = role
        self.versions = versions
        self.software = software
        self.capabilities = capabilities
        self.challenge = challenge
        self.caCertificate = caCertificate
        self.deviceID = deviceID
    }
}

/// `enroll`: an agent without a certificate asks for one.
public struct EnrollRequest: Codable, Equatable, Sendable {
    /// Join token (`HLJ1.…`); absent to ask to be admitted by hand (pending).
    public var token: String?
    /// The device's own stable id.
    public var deviceID: String
    /// Name the device asks for (its hostname unless configured).
    public var name: String
    /// The device public key: P-256, SubjectPublicKeyInfo DER, base64.
    public var publicKey: String
    /// ECDSA P-256 SHA-256 signature (DER, base64) over ``signedBytes(challenge:deviceID:publicKey:)``.
    public var signature: String
    /// The device's facts, so a pending device can be judged before approval.
    public var facts: DeviceFacts?

    /// Creates a request.
    public init(token: String?, deviceID: String, name: String, publicKey: String, signature: String, facts: DeviceFacts?) {
        self.token = token
        self.deviceID = deviceID
        self.name = name
        self.publicKey = publicKey
        self.signature = signature
        self.facts = facts
    }

    /// The bytes the agent signs: `homelab-enroll-v1\n<challenge>\n<deviceID>\n<publicKey>`.
    public static func signedBytes(challenge: String, deviceID: String, publicKey: String) -> [UInt8] {
        Array("homelab-enroll-v1\n\(challenge)\n\(deviceID)\n\(publicKey)".utf8)
    }
}

/// The answer to `enroll`.
public struct EnrollReply: Codable, Equatable, Sendable {
    /// Outcome of an enrollment.
    public enum Status: String, Codable, Sendable {
        /// A certificate was issued.
        case enrolled
        /// The request waits for `homelab devices approve`.
        case pending
    }
    /// Outcome.
    public var status: Status
    /// The name the controller registered the device under.
    public var name: String
    /// Device certificate (PEM), when enrolled.
    public var certificate: String?
    /// CA certificate (PEM), when enrolled.
    public var caCertificate: String?

    /// Creates a reply.
    public init(status: Status, name: String, certificate: String? = nil, caCertificate: String? = nil) {
        self.status = status
        self.name = name
        self.certificate = certificate
        self.caCertificate = caCertificate
    }
}

/// `heartbeat`: sent between samples so the controller knows the link is alive.
public struct Heartbeat: Codable, Equatable, Sendable {
    /// Sender's clock.
    public var time: Date
    /// Creates a heartbeat.
    public init(time: Date) { self.time = time }
}

/// `stream.open`: announces a kind-2 stream and the credit the receiver starts with.
public struct StreamOpen: Codable, Equatable, Sendable {
    /// Stream id, chosen by the opener (odd for the dialing side, even for the accepting side).
    public var stream: UInt32
    /// What the stream carries (`logs`, `stats`, `volume`, `bench`, …).
    public var purpose: String
    /// Purpose-specific parameters.
    public var parameters: [String: String]
    /// Creates an open request.
    public init(stream: UInt32, purpose: String, parameters: [String: String] = [:]) {
        self.stream = stream
        self.purpose = purpose
        self.parameters = parameters
    }
}

/// Reply to `stream.open`: the initial credit the receiver grants.
public struct StreamOpened: Codable, Equatable, Sendable {
    /// Bytes the opener may send before waiting for `stream.credit`.
    public var credit: UInt64
    /// Creates the reply.
    public init(credit: UInt64) { self.credit = credit }
}

/// `stream.credit`: the receiver grants `bytes` more.
public struct StreamCredit: Codable, Equatable, Sendable {
    /// Stream id.
    public var stream: UInt32
    /// Additional bytes granted.
    public var bytes: UInt64
    /// Creates a grant.
    public init(stream: UInt32, bytes: UInt64) {
        self.stream = stream
        self.bytes = bytes
    }
}

/// `stream.close`: the end of a stream, cleanly or with an error.
public struct StreamClose: Codable, Equatable, Sendable {
    /// Stream id.
    public var stream: UInt32
    /// Why it was aborted; absent on a clean end.
    public var error: HomelabError?
    /// Creates a close.
    public init(stream: UInt32, error: HomelabError? = nil) {
        self.stream = stream
        self.error = error
    }
}

extension MessageType {
    /// Types that are events: the receiver never replies to them.
    public static let events: Set<String> = [facts, metrics, heartbeat, streamCredit, streamClose, stackProgress, containerEvent, transferProgress, backupProgress]
}
