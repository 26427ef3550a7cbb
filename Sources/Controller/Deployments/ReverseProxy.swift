import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Protocol

/// The homelab's reverse proxy: which one, and the names apps get under it (docs/deployments.md).
public struct ProxySettings: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        /// No proxy: apps are opened on `http://DEVICE-ADDRESS:PORT`.
        case none
        /// A Caddy the controller configures through its admin API.
        case caddy
        /// A Traefik that reads the containers' labels on the shared proxy network.
        case traefik
    }
    public var kind: Kind = .none
    /// Apps are reached as `NAME.DOMAIN`.
    public var domain = "home.arpa"
    /// Scheme and port people reach the proxy on (in the URLs shown).
    public var scheme = "http"
    public var port = 80
    /// Caddy's admin API.
    public var caddyAdmin = "http://127.0.0.1:2019"
    /// The listen address of the Caddy server the routes go into (made when missing).
    public var caddyListen = ":80"
    /// Traefik's entrypoint, and the network shared by Traefik and the exposed services.
    public var traefikEntrypoint = "web"
    public var traefikNetwork = "homelab-proxy"

    public init() {}

    /// The host name an exposed deployment is reached by.
    func host(for name: String) -> String { "\(name).\(domain)" }

    /// The URL of an exposed deployment.
    func url(for name: String, path: String) -> String {
        let standard = (scheme == "http" && port == 80) || (scheme == "https" && port == 443)
        return "\(scheme)://\(host(for: name))\(standard ? "" : ":\(port)")\(path.hasPrefix("/") ? path : "/" + path)"
    }
}

/// Routes in a Caddy through its admin API: one route per deployment, `@id` `homelab-NAME`, in a server
/// `homelab` of the http app, matched by host and reverse-proxied to the device's published port.
struct CaddyAdmin: Sendable {
    let base: String
    let listen: String
    /// `http`: the server is made with Caddy's automatic HTTPS off (it would otherwise serve TLS on any port but 80).
    let scheme: String
    static let server = "homelab"

    /// Adds or replaces the route of `name`.
    func route(_ name: String, host: String, upstream: String) async throws {
        try await ensureServer()
        _ = try await call(.DELETE, "/id/\(Self.id(name))", accept: [200, 404])
        let route: [String: Any] = [
            "@id": Self.id(name),
            "match": [["host": [host]]],
            "handle": [["handler": "reverse_proxy", "upstreams": [["dial": upstream]]]],
            "terminal": true,
        ]
        _ = try await call(.POST, "/config/apps/http/servers/\(Self.server)/routes", json: route)
    }

    /// Removes the route of `name` (none is fine).
    func remove(_ name: String) async throws {
        _ = try await call(.DELETE, "/id/\(Self.id(name))", accept: [200, 404])
    }

    static func id(_ name: String) -> String { "homelab-\(name)" }

    /// Makes the `homelab` server when Caddy has none, creating the http app (and the apps object) as needed.
    private func ensureServer() async throws {
        var server: [String: Any] = ["listen": [listen], "routes": [] as [Any]]
        if scheme == "http" { server["automatic_https"] = ["disable": true] }
        if try await exists("/config/apps/http/servers/\(Self.server)") { return }
        if try await exists("/config/apps/http/servers") {
            _ = try await call(.PUT, "/config/apps/http/servers/\(Self.server)", json: server)
        } else if try await exists("/config/apps/http") {
            _ = try await call(.PUT, "/config/apps/http/servers", json: [Self.server: server])
        } else if try await exists("/config/apps") {
            _ = try await call(.PUT, "/config/apps/http", json: ["servers": [Self.server: server]])
        } else {
            _ = try await call(.POST, "/config/apps", json: ["http": ["servers": [Self.server: server]]])
        }
    }

    /// Whether the config has a value at `path` (Caddy answers `null`, or 400 "invalid traversal path", when not).
    private func exists(_ path: String) async throws -> Bool {
        let (status, body) = try await call(.GET, path, accept: [200, 400])
        return status == 200 && body != "null"
    }

    private func call(_ method: HTTPMethod, _ path: String, json: Any? = nil, accept: Set<Int> = [200]) async throws -> (status: Int, body: String) {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        }
        let status: Int
        let body: String
        do {
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            status = Int(response.status.code)
            body = String(buffer: try await response.body.collect(upTo: 1 << 20)).trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw HomelabError(.proxyError, "Caddy's admin API at \(base) did not answer: \(error)")
        }
        guard accept.contains(status) else {
            throw HomelabError(.proxyError, "Caddy's admin API refused \(method) \(path) (HTTP \(status)): \(body.prefix(300))")
        }
        return (status, body)
    }
}

/// Traefik: the exposed service joins the shared proxy network (besides its own, so apps cannot reach
/// each other through it) and carries the router and service labels, with `traefik.docker.network` set,
/// as Traefik otherwise picks one of the container's networks at random.
enum TraefikLabels {
    static func apply(to spec: inout StackSpec, service name: String, containerPort: Int, router: String, host: String, settings: ProxySettings) {
        guard var service = spec.services[name] else { return }
        let key = "homelab-proxy"
        var networks = spec.networks ?? [:]
        networks[key] = NetworkSpec(external: true, name: settings.traefikNetwork)
        spec.networks = networks
        var joined = service.networks ?? ["default": ServiceNetwork()]
        joined[key] = ServiceNetwork()
        service.networks = joined
        var labels = service.labels ?? [:]
        labels["traefik.enable"] = "true"
        labels["traefik.docker.network"] = settings.traefikNetwork
        labels["traefik.http.routers.\(router).rule"] = "Host(`\(host)`)"
        labels["traefik.http.routers.\(router).entrypoints"] = settings.traefikEntrypoint
        labels["traefik.http.routers.\(router).service"] = router
        labels["traefik.http.services.\(router).loadbalancer.server.port"] = String(containerPort)
        service.labels = labels
        spec.services[name] = service
    }
}
