import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Protocol

/// Talks to the controller's HTTPS API with a bearer token, trusting only the pinned CA.
public struct APIClient: Sendable {
    /// Largest response body read, so a confused server cannot make the CLI buffer without bound.
    static let maximumBodyBytes = 16 * 1024 * 1024
    /// Longest a whole request may take, on top of the per-read timeout.
    static let requestDeadline: TimeAmount = .seconds(60)

    /// The controller.
    public let url: ControllerURL
    private let token: String
    private let pinnedCA: CAFingerprint?
    private let http: HTTPClient

    private init(url: ControllerURL, token: String, pinnedCA: CAFingerprint?, http: HTTPClient) {
        self.url = url
        self.token = token
        self.pinnedCA = pinnedCA
        self.http = http
    }

    /// The TLS settings for a controller: only `ca` is trusted and host names are not checked (the CA is
    /// private and pinned, and people reach the controller by changing IPs); the system trust store when `ca` is nil.
    public static func tlsConfiguration(trusting ca: CACertificate?) -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if let ca {
            tls.trustRoots = .certificates([ca.certificate])
            tls.certificateVerification = .noHostnameVerification
        }
        return tls
    }

    /// Runs `body` with a client for the controller and shuts the client down afterwards, whatever happens.
    public static func withClient<Result: Sendable>(
        url: ControllerURL,
        token: String,
        trusting ca: CACertificate?,
        _ body: (APIClient) async throws -> Result
    ) async throws -> Result {
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tlsConfiguration(trusting: ca),
            redirectConfiguration: .disallow,
            // No read timeout: each request has its deadline (``requestDeadline``), and a followed stream
            // (logs, a deploy's progress during a long health wait) may be silent for minutes.
            timeout: .init(connect: .seconds(5))
        )
        // A CLI reports a refused connection at once instead of retrying until the deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.httpVersion = .http1Only
        let http = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        let client = APIClient(url: url, token: token, pinnedCA: ca?.fingerprint, http: http)
        let result: Result
        do {
            result = try await body(client)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
        return result
    }

    /// Runs `body` with a client made from resolved settings, learning the CA first when only its fingerprint is known.
    public static func withClient<Result: Sendable>(
        _ settings: ClientSettings,
        _ body: (APIClient) async throws -> Result
    ) async throws -> Result {
        let ca = try await settings.trust.resolve(for: settings.url)
        return try await withClient(url: settings.url, token: settings.token, trusting: ca, body)
    }

    /// `GET path`, decoded.
    public func get<Answer: Decodable>(_ path: String, as type: Answer.Type = Answer.self) async throws(CLIError) -> Answer {
        try decode(type, from: try await send(.GET, path, expecting: [200]))
    }

    /// `POST path` with a JSON body, decoded.
    public func post<Answer: Decodable>(_ path: String, json body: some Encodable, as type: Answer.Type = Answer.self) async throws(CLIError) -> Answer {
        let data: Data
        do { data = try WireCoding.encoder.encode(body) } catch { throw CLIError.wrapping(error) }
        return try decode(type, from: try await send(.POST, path, body: data, expecting: [200, 201, 202]))
    }

    /// `GET path` answered with JSON lines (`application/x-ndjson`), each handed to `line` as it arrives,
    /// without a deadline: the stream ends when the controller ends it.
    public func lines(_ path: String, _ line: (Data) async throws -> Void) async throws {
        var request = HTTPClientRequest(url: url.appending(path: path))
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/x-ndjson")
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, deadline: .distantFuture)
        } catch {
            throw TransportErrors.describe(error, url: url, pinnedCA: pinnedCA)
        }
        guard response.status.code == 200 else {
            let body = (try? await response.body.collect(upTo: Self.maximumBodyBytes)) ?? ByteBuffer()
            throw APIErrors.error(status: Int(response.status.code), body: body)
        }
        var pending = Data()
        do {
            for try await chunk in response.body {
                pending.append(contentsOf: chunk.readableBytesView)
                while let newline = pending.firstIndex(of: 10) {
                    let text = pending[pending.startIndex..<newline]
                    pending = Data(pending[pending.index(after: newline)...])
                    if !text.isEmpty { try await line(Data(UntrustedJSON.sanitized(text))) }
                }
                guard pending.count <= Self.maximumBodyBytes else { throw CLIError(.controller, "a line longer than 16 MiB", exitCode: ExitStatus.failure) }
            }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError(.unreachable, "the stream from \(url) broke: \(error)", exitCode: ExitStatus.unreachable)
        }
        if !pending.isEmpty { try await line(Data(UntrustedJSON.sanitized(pending))) }
    }

    /// `PUT path` with a JSON body (create or replace), decoded.
    public func put<Answer: Decodable>(_ path: String, json body: some Encodable, as type: Answer.Type = Answer.self) async throws(CLIError) -> Answer {
        let data: Data
        do { data = try WireCoding.encoder.encode(body) } catch { throw CLIError.wrapping(error) }
        return try decode(type, from: try await send(.PUT, path, body: data, expecting: [200, 201]))
    }

    /// `POST path` without a body, decoded.
    public func post<Answer: Decodable>(_ path: String, as type: Answer.Type = Answer.self) async throws(CLIError) -> Answer {
        try decode(type, from: try await send(.POST, path, expecting: [200, 201, 202]))
    }

    /// `DELETE path`, expecting 204.
    public func delete(_ path: String) async throws(CLIError) {
        _ = try await send(.DELETE, path, expecting: [200, 204])
    }

    private func send(_ method: HTTPMethodName, _ path: String, body: Data? = nil, expecting statuses: Set<Int>) async throws(CLIError) -> ByteBuffer {
        var request = HTTPClientRequest(url: url.appending(path: path))
        switch method {
        case .GET: request.method = .GET
        case .POST: request.method = .POST
        case .PUT: request.method = .PUT
        case .DELETE: request.method = .DELETE
        }
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let status: Int
        let buffer: ByteBuffer
        do {
            let response = try await http.execute(request, timeout: Self.requestDeadline)
            status = Int(response.status.code)
            buffer = try await response.body.collect(upTo: Self.maximumBodyBytes)
        } catch {
            throw TransportErrors.describe(error, url: url, pinnedCA: pinnedCA)
        }
        guard statuses.contains(status) else {
            throw APIErrors.error(status: status, body: buffer)
        }
        return buffer
    }

    private func decode<Answer: Decodable>(_ type: Answer.Type, from buffer: ByteBuffer) throws(CLIError) -> Answer {
        do {
            return try WireCoding.decoder.decode(type, from: Data(UntrustedJSON.sanitized(buffer.readableBytesView)))
        } catch {
            throw CLIError(.controller, "the controller sent an answer this homelab does not understand (\(WireCoding.describe(error)))", exitCode: ExitStatus.failure)
        }
    }

    /// The methods the API uses.
    private enum HTTPMethodName {
        case GET, POST, PUT, DELETE
    }
}
