import FoundationEssentials

/// Where alerts go.
public enum AlertChannelKind: String, Codable, Sendable, CaseIterable {
    /// A JSON POST signed as Standard Webhooks sign (`webhook-id`, `webhook-timestamp`, `webhook-signature` headers).
    case webhook
    /// ntfy: a POST to a topic URL with `Title`, `Priority` and `Tags` headers.
    case ntfy
    /// Gotify: `POST /message` with an application token.
    case gotify
    /// E-mail through an SMTP server (STARTTLS or TLS, with authentication).
    case smtp
    /// A Discord (or Discord-compatible) webhook.
    case discord
    /// A Slack (or Slack-compatible: Mattermost, Rocket.Chat) incoming webhook.
    case slack
}

/// How the SMTP connection is protected.
public enum SMTPSecurity: String, Codable, Sendable, CaseIterable {
    /// Plain connection upgraded with STARTTLS, refused when the server does not offer it (port 587).
    case starttls
    /// TLS from the first byte (port 465).
    case tls
    /// No encryption: only for a relay on the same host or network (port 25).
    case none
}

/// The mail part of an `smtp` channel.
public struct SMTPSettings: Codable, Equatable, Sendable {
    /// The server's host name or address.
    public var host: String
    /// Its port (default: 587 for STARTTLS, 465 for TLS, 25 without).
    public var port: Int?
    /// STARTTLS (default), TLS or none.
    public var security: SMTPSecurity?
    /// The sender address.
    public var from: String
    /// The recipients.
    public var to: [String]
    /// A PEM file of the CA to trust instead of the system's (a relay with its own CA).
    public var caFile: String?
    /// Creates settings.
    public init(host: String, port: Int? = nil, security: SMTPSecurity? = nil, from: String, to: [String], caFile: String? = nil) {
        self.host = host
        self.port = port
        self.security = security
        self.from = from
        self.to = to
        self.caFile = caFile
    }

    /// The port in use.
    public var effectivePort: Int {
        if let port { return port }
        switch security ?? .starttls {
        case .starttls: return 587
        case .tls: return 465
        case .none: return 25
        }
    }
}

/// `PUT /v1/alerts/channels/{name}`: a channel as written. Secrets (`secret`, `token`, `password`, and the URL of a
/// Discord or Slack webhook, which is one) are stored sealed and never shown again.
public struct AlertChannelSpec: Codable, Equatable, Sendable {
    /// The kind of receiver.
    public var kind: AlertChannelKind
    /// Where to POST: the webhook URL, the ntfy topic URL, the Gotify server, the Discord or Slack webhook URL.
    public var url: String?
    /// `webhook`: the signing key (`whsec_` and base64, as Standard Webhooks write it, or any text).
    public var secret: String?
    /// `ntfy`: an access token; `gotify`: the application token.
    public var token: String?
    /// `ntfy` (basic authentication) and `smtp`: the user name.
    public var username: String?
    /// Its password.
    public var password: String?
    /// `smtp`: the server and the addresses.
    public var smtp: SMTPSettings?
    /// `HH:MM-HH:MM` in the controller's time zone: notifications wait until the end (a firing and its resolution
    /// inside the quiet hours are both dropped).
    public var quietHours: String?
    /// Creates a spec.
    public init(kind: AlertChannelKind, url: String? = nil, secret: String? = nil, token: String? = nil, username: String? = nil,
                password: String? = nil, smtp: SMTPSettings? = nil, quietHours: String? = nil) {
        self.kind = kind
        self.url = url
        self.secret = secret
        self.token = token
        self.username = username
        self.password = password
        self.smtp = smtp
        self.quietHours = quietHours
    }
}

/// How a channel's deliveries are going.
public struct AlertChannelStatus: Codable, Equatable, Sendable {
    /// `ok` (the last attempt was delivered), `failing` (it was not), `untested` (nothing sent yet).
    public enum State: String, Codable, Sendable { case ok, failing, untested }
    /// The state.
    public var state: State
    /// When the last attempt ended.
    public var lastAttemptAt: Date?
    /// When a message last got through.
    public var lastDeliveredAt: Date?
    /// What the last failed attempt got: `HTTP 500: …`, `SMTP 535: authentication failed`, `connection refused`.
    public var lastError: String?
    /// Failed attempts since the last delivery.
    public var consecutiveFailures: Int
    /// Deliveries waiting (retries and quiet hours).
    public var pending: Int
    /// Creates a status.
    public init(state: State, lastAttemptAt: Date?, lastDeliveredAt: Date?, lastError: String?, consecutiveFailures: Int, pending: Int) {
        self.state = state
        self.lastAttemptAt = lastAttemptAt
        self.lastDeliveredAt = lastDeliveredAt
        self.lastError = lastError
        self.consecutiveFailures = consecutiveFailures
        self.pending = pending
    }
}

/// A channel as the API shows it: no secret, a Discord or Slack URL cut after its host.
public struct AlertChannelResource: Codable, Equatable, Sendable {
    /// Its name.
    public var name: String
    /// The kind of receiver.
    public var kind: AlertChannelKind
    /// Where it sends, without secrets: `https://ntfy.sh/homelab`, `https://discord.com/…`, `smtp://mail.example.org:587 → me@example.org`.
    public var target: String
    /// The quiet hours, when set.
    public var quietHours: String?
    /// How deliveries go.
    public var status: AlertChannelStatus
    /// When it was written.
    public var updatedAt: Date
    /// Creates a resource.
    public init(name: String, kind: AlertChannelKind, target: String, quietHours: String?, status: AlertChannelStatus, updatedAt: Date) {
        self.name = name
        self.kind = kind
        self.target = target
        self.quietHours = quietHours
        self.status = status
        self.updatedAt = updatedAt
    }
}

/// `POST /v1/alerts/channels/{name}/test`: one message sent now, and what the receiver answered.
public struct AlertTestResult: Codable, Equatable, Sendable {
    /// The channel.
    public var channel: String
    /// True only when the receiver answered 2xx (HTTP) or 250 (SMTP).
    public var delivered: Bool
    /// What it answered: `HTTP 204`, `SMTP 250`, or the failure.
    public var detail: String
    /// How long it took, in milliseconds.
    public var milliseconds: Int
    /// Creates a result.
    public init(channel: String, delivered: Bool, detail: String, milliseconds: Int) {
        self.channel = channel
        self.delivered = delivered
        self.detail = detail
        self.milliseconds = milliseconds
    }
}
