/// The controller API's routes.
public enum APIPaths {
    /// `GET`: who the controller is.
    public static let controller = "/v1/controller"
    /// `GET`: all devices.
    public static let devices = "/v1/devices"
    /// `GET`/`POST`: join tokens.
    public static let tokens = "/v1/tokens"
    /// `GET`/`POST`: API tokens (people and programs, with a role).
    public static let apiTokens = "/v1/api-tokens"
    /// `GET`: the audit log.
    public static let audit = "/v1/audit"
    /// Everything heard announcing.
    public static let discovered = "/v1/discovered"
    /// `POST`: where a recipe should run.
    public static let recommendations = "/v1/recommendations"
    /// `GET`: the homelab as the scheduler sees it.
    public static let snapshot = "/v1/snapshot"
    /// `GET`: the app catalog (`?q=&category=&arch=&fits=`).
    public static let recipes = "/v1/recipes"

    /// `GET`/`POST`: deployments.
    public static let deployments = "/v1/deployments"
    /// `GET`: what runs differs from what was deployed.
    public static let drift = "/v1/drift"

    /// `GET`/`DELETE`: one deployment.
    public static func deployment(_ name: String) -> String {
        "\(deployments)/\(segment(name))"
    }

    /// A query string from the pairs whose value is set, values percent-encoded.
    public static func query(_ pairs: [(String, String?)]) -> String {
        let set = pairs.compactMap { key, value in value.map { "\(key)=\(segment($0))" } }
        return set.isEmpty ? "" : "?" + set.joined(separator: "&")
    }
    /// `POST`: start a network scan; `GET`: the recent scans.
    public static let scans = "/v1/scans"
    /// The controller's long operations.
    public static let jobs = "/v1/jobs"
    /// `GET`: every host a scan found.
    public static let candidates = "/v1/candidates"
    /// `POST`: install an agent over SSH.
    public static let bootstraps = "/v1/bootstraps"
    /// `GET`: the SSH host keys the controller accepted.
    public static let knownHosts = "/v1/known-hosts"
    /// Backup targets.
    public static let backupTargets = "/v1/backups/targets"
    /// The recovery kit.
    public static let recoveryKit = "/v1/backups/recovery-kit"

    /// `GET`: every insight now.
    public static let insights = "/v1/insights"
    /// `GET`: every device's and app's health.
    public static let health = "/v1/health"
    /// `GET`: the latest alerts.
    public static let alerts = "/v1/alerts"
    /// `GET`: alert channels.
    public static let alertChannels = "/v1/alerts/channels"
    /// `GET`: alert rules.
    public static let alertRules = "/v1/alerts/rules"

    /// `PUT`/`DELETE`: one alert channel.
    public static func alertChannel(_ name: String) -> String { "\(alertChannels)/\(segment(name))" }

    /// `PUT`/`DELETE`: one alert rule.
    public static func alertRule(_ name: String) -> String { "\(alertRules)/\(segment(name))" }

    /// `POST`: a migration of a deployment (or its plan, or the removal of what the last one kept).
    public static func migrations(_ name: String) -> String { "\(deployment(name))/migrations" }

    /// `PUT`/`DELETE`: whether a deployment is pinned to its devices.
    public static func pin(_ name: String) -> String { "\(deployment(name))/pin" }

    /// `GET`: a device's metrics history.
    public static func deviceMetrics(_ name: String) -> String { "\(device(name))/metrics" }

    /// `GET`/`DELETE`: one scan.
    public static func scan(_ id: String) -> String { "\(scans)/\(segment(id))" }

    /// `GET`: one bootstrap or uninstall.
    public static func bootstrap(_ id: String) -> String { "\(bootstraps)/\(segment(id))" }

    /// `POST`: remove a device's agent over SSH.
    public static func uninstall(_ nameOrID: String) -> String { "\(device(nameOrID))/uninstall" }

    /// `DELETE`: forget a host's keys.
    public static func knownHost(_ host: String) -> String { "\(knownHosts)/\(segment(host))" }
    /// One backup target.
    public static func backupTarget(_ device: String) -> String { "\(backupTargets)/\(segment(device))" }
    /// `POST`: back an app up now; `GET`: its backup runs.
    public static func backups(_ name: String) -> String { "\(deployment(name))/backups" }
    /// `POST`: check an app's repository.
    public static func backupCheck(_ name: String) -> String { "\(deployment(name))/backups/check" }
    /// `POST`: restore an app from a backup run.
    public static func restores(_ name: String) -> String { "\(deployment(name))/restores" }
    /// `GET`/`PUT`: an app's backup policy.
    public static func backupPolicy(_ name: String) -> String { "\(deployment(name))/backup-policy" }
    /// `GET`: one job.
    public static func job(_ id: String) -> String { "\(jobs)/\(segment(id))" }

    /// `GET`: one recipe.
    public static func recipe(_ id: String) -> String {
        "\(recipes)/\(segment(id))"
    }

    /// `POST`: a recipe rendered with inputs.
    public static func render(_ id: String) -> String {
        "\(recipe(id))/render"
    }

    /// `GET`/`DELETE`: one device by name or id.
    public static func device(_ nameOrID: String) -> String {
        "\(devices)/\(segment(nameOrID))"
    }

    /// `POST`: approve a pending device.
    public static func approve(_ nameOrID: String) -> String {
        "\(device(nameOrID))/approve"
    }

    /// `DELETE`: revoke a token.
    public static func token(_ id: String) -> String {
        "\(tokens)/\(segment(id))"
    }

    /// `DELETE`: revoke an API token.
    public static func apiToken(_ id: String) -> String {
        "\(apiTokens)/\(segment(id))"
    }

    /// A path segment with everything but unreserved characters percent-encoded, so a name cannot change the route.
    public static func segment(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.append(Character(Unicode.Scalar(byte)))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                encoded += byte < 16 ? "%0\(hex)" : "%\(hex)"
            }
        }
        // "." and ".." are dot-segments that HTTP stacks collapse; encode them whole.
        if encoded == "." || encoded == ".." { return String(repeating: "%2E", count: encoded.count) }
        return encoded
    }
}
