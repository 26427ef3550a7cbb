import Yams

/// The recipe an importer builds, in our format's terms, before it is written as YAML (`RecipeWriter`).
struct RecipeDraft {
    var id: String
    var name: String
    var tagline: String
    var description: String?
    var category: String
    var icon: String?
    var homepage: String?
    var source: String?
    var version: String
    var architectures: [String]
    var inputs: [InputDraft] = []
    var secrets: [SecretDraft] = []
    var component = ComponentDraft()
    var web: WebDraft?
    var notes: String?
}

/// A default or other typed value of an input, written as a number or boolean where it is one.
enum DraftValue: Equatable {
    case text(String)
    case number(Int)
    case flag(Bool)
}

/// A form field of the recipe (`inputs`).
struct InputDraft {
    var name: String
    var type: String
    var label: String?
    var hint: String?
    var required = false
    var defaultValue: DraftValue?
    var regex: String?
    var min: Int?
    var max: Int?
    var options: [String]?
    var length: Int?
    var charset: String?
}

/// A generated value of the recipe (`secrets`).
struct SecretDraft {
    var name: String
    var length: Int
    var charset: String
}

/// The one component an import makes: every service of the app.
struct ComponentDraft {
    var name = "app"
    var services: [ServiceDraft] = []
    /// Top-level named volumes, in the order first used.
    var volumes: [String] = []
    /// Top-level networks, already converted.
    var networks: [(name: String, value: Node)] = []
    /// Minimum free memory, as `requirements.memory` text (`256M`).
    var memory: String?
    var gpu = false
}

/// One compose service, converted: its keys in our subset, ports kept apart so an importer can add the web port.
struct ServiceDraft {
    var name: String
    /// Converted values by key (written in a fixed order).
    var values: [String: Node] = [:]
    var ports: [PortDraft] = []

    var networkMode: String? { values["network_mode"]?.text }
    var usesHostNetwork: Bool { networkMode == "host" }
}

/// A published port, its parts already in our template syntax.
struct PortDraft: Equatable {
    var hostIP: String?
    var published: String?
    var target: String
    /// `udp` or `sctp`; nil for tcp.
    var proto: String?

    /// Short syntax: `[host_ip:][published:]target[/protocol]`.
    var text: String {
        var parts: [String] = []
        if let hostIP, !hostIP.isEmpty { parts.append(hostIP) }
        if let published, !published.isEmpty { parts.append(published) }
        parts.append(target)
        let joined = parts.joined(separator: ":")
        return proto.map { joined + "/" + $0 } ?? joined
    }
}

/// The recipe's `web` entry.
struct WebDraft {
    var service: String?
    var port: String
    var path = "/"
    var scheme = "http"
}
