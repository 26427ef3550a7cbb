import Foundation
import NIOCore

/// The controller's API address, always `https://host:port` (plus an optional path prefix).
public struct ControllerURL: Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The API port when none is given with a bare host.
    public static let defaultPort = 7443

    /// Host name or IP address, without IPv6 brackets.
    public var host: String
    /// TCP port.
    public var port: Int
    /// Path prefix without a trailing slash; usually empty.
    public var pathPrefix: String

    /// Parses `https://host[:port][/prefix]`, or a bare `host[:port]` (https and port 7443 assumed).
    public init(parsing text: String) throws(CLIError) {
        let trimmed = text.trimmingWhitespace()
        let hasScheme = trimmed.contains("://")
        guard let components = URLComponents(string: hasScheme ? trimmed : "https://\(trimmed)"),
              let rawHost = components.host, !rawHost.isEmpty
        else {
            throw .usage("'\(text)' is not a controller URL: expected https://HOST[:PORT]")
        }
        guard components.scheme?.lowercased() == "https" else {
            throw .usage("'\(text)' is not a controller URL: the controller API is served over https")
        }
        guard components.query == nil, components.fragment == nil, components.user == nil else {
            throw .usage("'\(text)' is not a controller URL: expected https://HOST[:PORT] without user, query or fragment")
        }
        var host = rawHost
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host
        self.port = components.port ?? (hasScheme ? 443 : Self.defaultPort)
        var path = components.path
        while path.hasSuffix("/") { path.removeLast() }
        self.pathPrefix = path
    }

    /// Whether the host is an IP address literal (no SNI is sent for those).
    public var hostIsIPAddress: Bool {
        (try? SocketAddress(ipAddress: host, port: 0)) != nil
    }

    /// The normalized text form, `https://host:port[/prefix]`.
    public var description: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "https://\(shownHost):\(port)\(pathPrefix)"
    }

    /// The full URL of an API path such as `/v1/devices`.
    public func appending(path: String) -> String {
        description + path
    }
}
