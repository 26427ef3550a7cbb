import Foundation
import HTTPTypes
import Hummingbird
import Protocol

/// `/devices/add` and `/bootstraps/{id}`: the network scan's candidates, and "add this device over SSH" with its
/// host key shown and confirmed and its progress live. Credentials go to the controller for that install only.
enum BootstrapPages {
    struct AddView: Sendable {
        var chrome: Chrome
        var live: Candidates
        var form: Form
    }

    struct Candidates: Sendable {
        var candidates: [Candidate]
        var scanning: Bool
        var scan: String?
    }

    struct Candidate: Sendable {
        var address: String
        var name: String
        var guess: String
        var vendor: String
        var os: String
        var services: String
        var hasAgent: Bool
        var device: String?
        var addHref: String?
        var lastSeen: TimeView
    }

    /// The SSH form's values (what was typed, kept when the controller refuses it).
    struct Form: Sendable {
        var host: String
        var port: String
        var user: String
        var name: String
        var sudo: Bool
        var installDocker: Bool
    }

    struct BootstrapView: Sendable {
        var chrome: Chrome
        var live: Progress
    }

    /// A bootstrap's steps, and its failure with what to do next.
    struct Progress: Sendable {
        var id: String
        var host: String
        var state: String
        var running: Bool
        var succeeded: Bool
        var steps: [Step]
        var device: String?
        var failure: String?
        var failureCode: String?
        /// The host key to confirm, when the host was not known.
        var hostKey: String?
        var changedKey: Bool
    }

    struct Step: Sendable {
        var step: String
        var status: String
        var message: String
        var time: TimeView
    }

    static func add(_ on: (HTTPRequest.Method, String, @escaping WebRoutes.Handler) -> Void, web: WebContext) {
        on(.get, "/devices/add") { request, _, session in
            let query = request.uri.queryParameters
            let scan = query["scan"].map(String.init)
            return try await web.page(request, fragments: ["candidates": { (try await candidates(web, scan: scan), "add-candidates") }]) {
                (AddView(chrome: Chrome(title: "Add a device", section: "/devices", session: session), live: try await candidates(web, scan: scan),
                         form: Form(host: query["host"].map(String.init) ?? "", port: "22", user: "root", name: "", sudo: false, installDocker: false)),
                 "add-device")
            }
        }
        on(.post, "/devices/scan") { _, _, _ in
            let scan = try await web.controller.scans.start(ScanRequest())
            return WebPage.redirect(to: "/devices/add?scan=\(scan.id)")
        }
        on(.post, "/devices/add") { request, _, _ in
            var request = request
            let form = FormBody(buffer: try await request.collectBody(upTo: 64 << 10))
            let bootstrap = try await web.controller.bootstrap.install(try Self.request(form))
            if WebPage.wantsJSON(request) { return try JSONResponse.make(bootstrap, status: .accepted) }
            return WebPage.redirect(to: "/bootstraps/\(bootstrap.id)")
        }
        on(.get, "/bootstraps/{id}") { request, context, session in
            let id = try context.parameters.require("id")
            return try await web.page(request, fragments: ["live": { (try await progress(web, id), "bootstrap-live") }]) {
                (BootstrapView(chrome: Chrome(title: "Adding a device", section: "/devices", session: session), live: try await progress(web, id)), "bootstrap")
            }
        }
    }

    /// The API request a submitted form stands for; missing or malformed fields are named.
    static func request(_ form: FormBody) throws -> BootstrapRequest {
        guard let host = form.trimmed("host") else { throw HomelabError.badRequest("host: give the device's address or name") }
        let port = try form.trimmed("port").map { text -> Int in
            guard let port = Int(text), (1...65535).contains(port) else { throw HomelabError.badRequest("port: \(text) is not a port (1-65535)") }
            return port
        }
        let password = form.fields["password"].flatMap { $0.isEmpty ? nil : $0 }
        let key = form.fields["privateKey"].flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        guard password != nil || key != nil else { throw HomelabError.badRequest("password or privateKey: give the SSH password or a private key") }
        return BootstrapRequest(host: host, port: port, user: form.trimmed("user"), password: password, privateKey: key,
                                passphrase: form.fields["passphrase"].flatMap { $0.isEmpty ? nil : $0 }, sudo: form["sudo"] == "on",
                                name: form.trimmed("name"), acceptHostKey: form.trimmed("acceptHostKey"), installDocker: form["installDocker"] == "on")
    }

    static func candidates(_ web: WebContext, scan: String?, now: Date = Date()) async throws -> Candidates {
        let running = try await scan.asyncMap { try await web.controller.scans.get($0) }
        let list = try await web.controller.scans.candidates()
        return Candidates(candidates: list.map { candidate in
            Candidate(address: candidate.address, name: candidate.hostname ?? "—", guess: candidate.guess.rawValue, vendor: candidate.vendor ?? "—",
                      os: candidate.os ?? "—", services: candidate.services.map { "\($0.name) (\($0.port))" }.joined(separator: ", "),
                      hasAgent: candidate.hasAgent, device: candidate.device,
                      addHref: candidate.hasSSH && !candidate.hasAgent ? "/devices/add?host=\(WebPage.percentEncoded(candidate.address))#ssh" : nil,
                      lastSeen: TimeView(candidate.lastSeenAt, now: now))
        }, scanning: running?.state == .running, scan: running.map { "\($0.hostsProbed) of \($0.hostsTotal) addresses probed, \($0.candidates.count) found" })
    }

    static func progress(_ web: WebContext, _ id: String, now: Date = Date()) async throws -> Progress {
        let bootstrap = try await web.controller.bootstrap.get(id)
        let failure = bootstrap.failure
        return Progress(id: bootstrap.id, host: bootstrap.host, state: bootstrap.state.rawValue, running: bootstrap.state == .running,
                        succeeded: bootstrap.state == .succeeded,
                        steps: bootstrap.steps.map { Step(step: $0.step, status: $0.status, message: $0.message, time: TimeView($0.time, now: now)) },
                        device: bootstrap.device, failure: failure?.message, failureCode: failure?.code,
                        hostKey: failure?.code == "unknown_host_key" ? failure?.hostKeyFingerprint : nil, changedKey: failure?.code == "host_key_changed")
    }
}
