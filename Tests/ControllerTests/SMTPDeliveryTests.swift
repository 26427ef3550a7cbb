@testable import Controller
import Foundation
import Protocol
import Testing
import TestSupport

/// E-mail alerts through a real SMTP server (Debian's python3-aiosmtpd) on loopback: STARTTLS with a certificate the
/// channel's CA file vouches for, then authentication; a delivery counts only on the server's 250.
@Suite("SMTP alerts", .serialized)
struct SMTPDeliveryTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/dev/smtp-receiver.py").path

    /// The server, its port, its certificate and the file it writes each message to.
    struct Server {
        let child: ChildProcess
        let port: Int
        let certificate: String
        let mailbox: URL

        static func start(in dir: URL) throws -> Server {
            let cert = dir.appendingPathComponent("cert.pem").path, key = dir.appendingPathComponent("key.pem").path
            let status = try ChildProcess("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                                                               "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                                                               "-keyout", key, "-out", cert]).wait()
            guard status == 0 else { throw TestFailure("openssl could not make a certificate (exit \(status))") }
            let mailbox = dir.appendingPathComponent("mailbox.jsonl")
            let child = try ChildProcess("/usr/bin/python3", [script, mailbox.path, cert, key, "homelab", "s3cret pass"], output: .pipe, errors: .inherit)
            var line = Data()
            while !line.contains(10), let chunk = child.output?.availableData, !chunk.isEmpty { line.append(chunk) }
            guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
                child.kill()
                throw TestFailure("the SMTP receiver did not start (is python3-aiosmtpd installed?)")
            }
            return Server(child: child, port: port, certificate: cert, mailbox: mailbox)
        }

        /// The messages taken so far.
        var messages: [[String: Any]] {
            ((try? String(contentsOf: mailbox, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
            }
        }

        func stop() {
            child.kill()
            child.wait()
        }
    }

    /// A temporary directory with the SMTP server and a controller in it.
    static func start(_ name: String = #function) async throws -> (URL, Server, TestController) {
        let dir = try temporaryDirectory(name)
        let server = try Server.start(in: dir)
        do {
            return (dir, server, try await AlertDeliveryTests.controller(dir.appendingPathComponent("controller")))
        } catch {
            server.stop()
            throw error
        }
    }

    static func channel(_ server: Server, password: String = "s3cret pass") -> AlertChannelSpec {
        AlertChannelSpec(kind: .smtp, username: "homelab", password: password,
                         smtp: SMTPSettings(host: "127.0.0.1", port: server.port, security: .starttls, from: "homelab@example.org",
                                            to: ["me@example.org", "ops@example.org"], caFile: server.certificate))
    }

    @Test("a message goes through STARTTLS and authentication, with its subject, addresses and UTF-8 text intact")
    func delivered() async throws {
        let (dir, server, controller) = try await Self.start()
        defer { server.stop(); try? FileManager.default.removeItem(at: dir) }
        let alerts = controller.app.context.alerts
        _ = try await alerts.putChannel("mail", Self.channel(server))
        let result = try await alerts.test("mail")
        #expect(result.delivered && result.detail == "SMTP 250")
        let message = try #require(server.messages.first)
        #expect(message["login"] as? String == "homelab")
        #expect(message["from"] as? String == "homelab@example.org")
        #expect(message["to"] as? [String] == ["me@example.org", "ops@example.org"])
        let data = try #require(message["data"] as? String)
        #expect(data.contains("Subject: [homelab] test: alerts reach mail\r\n"))
        #expect(data.contains("From: homelab <homelab@example.org>\r\n") && data.contains("To: me@example.org, ops@example.org\r\n"))
        let body = try #require(data.components(separatedBy: "\r\n\r\n").last?.replacingOccurrences(of: "\r\n", with: ""))
        #expect(String(decoding: Data(base64Encoded: body) ?? Data(), as: UTF8.self).hasPrefix("This is a test from the homelab controller"))
        #expect(try await alerts.channel("mail").status.state == .ok)
        await controller.stop()
    }

    @Test("a wrong password is the server's 535, a failed test, and no message; a CA that does not vouch for the server fails before any")
    func refused() async throws {
        let (dir, server, controller) = try await Self.start()
        defer { server.stop(); try? FileManager.default.removeItem(at: dir) }
        let alerts = controller.app.context.alerts
        _ = try await alerts.putChannel("mail", Self.channel(server, password: "wrong"))
        do {
            _ = try await alerts.test("mail")
            Issue.record("a refused login counted as delivered")
        } catch let error as HomelabError {
            #expect(error.code == "delivery_failed")
            #expect(error.message.contains("SMTP 535"), "\(error.message)")
        }
        var untrusted = Self.channel(server)
        untrusted.smtp?.caFile = nil  // the system's CAs know nothing of the test certificate
        _ = try await alerts.putChannel("mail", untrusted)
        await #expect(throws: HomelabError.self) { try await alerts.test("mail") }
        #expect(server.messages.isEmpty)
        #expect(try await alerts.channel("mail").status.state == .failing)
        await controller.stop()
    }
}
