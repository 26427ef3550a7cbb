import NIOCore
import NIOPosix
import Protocol

/// Probes a service's container from the device: a TCP connect, or an HTTP GET whose status line is read
/// (2xx and 3xx are healthy). The container is reached on its own network address, so the probe needs no
/// published port and no tool inside the image.
enum HealthProbe {
    static let timeout: TimeAmount = .seconds(3)

    static func probe(_ request: StackProbe, reconciler: StackReconciler) async throws -> StackProbeResult {
        guard let container = try await reconciler.containers(of: StackRef(project: request.project, services: [request.service])).first,
              let inspected = try await reconciler.runtime.inspect(container: container.id) else {
            return StackProbeResult(healthy: false, detail: "\(request.service) has no container")
        }
        guard inspected.state == .running else { return StackProbeResult(healthy: false, detail: "\(request.service) is \(inspected.state)") }
        guard let address = inspected.addresses.first else {
            return StackProbeResult(healthy: false, detail: "\(request.service) has no network address to probe")
        }
        let target = "\(address):\(request.port)"
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(timeout)
                .connect(host: address, port: request.port) { channel in
                    channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
                }
            guard let path = request.path else {
                try? await channel.executeThenClose { _, _ in }
                return StackProbeResult(healthy: true, detail: "TCP \(target) accepts connections")
            }
            let status = try await channel.executeThenClose { inbound, outbound -> Int? in
                try await outbound.write(ByteBuffer(string: "GET \(path) HTTP/1.0\r\nHost: \(address)\r\nUser-Agent: homelab-agent\r\nConnection: close\r\n\r\n"))
                return try await withThrowingTaskGroup(of: Int?.self) { group in
                    group.addTask { try await statusCode(inbound) }
                    group.addTask { try await Task.sleep(for: .seconds(5)); return nil }
                    defer { group.cancelAll() }
                    return try await group.next() ?? nil
                }
            }
            guard let status else { return StackProbeResult(healthy: false, detail: "no HTTP answer from \(target)\(path)") }
            return StackProbeResult(healthy: (200..<400).contains(status), detail: "HTTP \(status) from \(target)\(path)")
        } catch {
            let text = "\(error)"
            let reason = text.contains("Connection refused") ? "connection refused" : text.contains("imeout") || text.contains("timed out") ? "no answer" : text
            return StackProbeResult(healthy: false, detail: "\(target): \(reason)")
        }
    }

    /// The status code of an HTTP status line (`HTTP/1.1 200 OK`), or nil when the first line is not one.
    static func statusCode(_ inbound: NIOAsyncChannelInboundStream<ByteBuffer>) async throws -> Int? {
        var head = ""
        for try await var chunk in inbound {
            head += chunk.readString(length: chunk.readableBytes) ?? ""
            if let end = head.firstIndex(of: "\r\n") ?? head.firstIndex(of: "\n") {
                let parts = head[..<end].split(separator: " ")
                guard parts.count >= 2, parts[0].hasPrefix("HTTP/") else { return nil }
                return Int(parts[1])
            }
            if head.utf8.count > 1024 { return nil }
        }
        return nil
    }
}
