import FoundationEssentials
import NIOCore
import NIOHTTP1
import Protocol

extension DockerEngine {
    // MARK: Pull

    public func pull(_ reference: String, credentials: RegistryCredentials?, progress: @Sendable (PullProgress) async -> Void) async throws {
        let (image, tag) = Self.splitReference(reference)
        var headers: [(String, String)] = []
        if let credentials {
            let auth: DockerJSON = ["username": .string(credentials.username), "password": .string(credentials.password),
                                    "serveraddress": .string(credentials.server)]
            // The Engine reads this header as URL-safe base64.
            let encoded = Data(auth.buffer.readableBytesView).base64EncodedString()
            headers.append(("X-Registry-Auth", String(encoded.map { $0 == "+" ? "-" : $0 == "/" ? "_" : $0 })))
        }
        let path = try await versioned("/images/create", [("fromImage", image), ("tag", tag)])
        let failure: String? = try await client.execute(.POST, path, headers: headers) { status, body in
            var lines = JSONLines()
            var layers = PullLayers()
            var error: String?
            while let chunk = try await body.next() {
                for line in lines.feed(chunk) {
                    if status != 200 { error = line["message"].string ?? error; continue }
                    if let message = line["error"].string { error = message; continue }
                    layers.update(line)
                    await progress(PullProgress(image: reference, status: line["status"].string ?? "", current: layers.current, total: layers.total))
                }
            }
            if status != 200 && error == nil { error = "HTTP \(status)" }
            return error
        }
        if let failure {
            throw DockerClientError(.pullFailed, "pull \(reference): \(failure)")
        }
    }

    /// `repository` and `tag` (`latest` when absent; an `@digest` reference stays whole with an empty tag).
    static func splitReference(_ reference: String) -> (image: String, tag: String) {
        if reference.contains("@") { return (reference, "") }
        let lastSlash = reference.lastIndex(of: "/") ?? reference.startIndex
        if let colon = reference[lastSlash...].lastIndex(of: ":") {
            return (String(reference[..<colon]), String(reference[reference.index(after: colon)...]))
        }
        return (reference, "latest")
    }

    // MARK: Logs

    public func logs(container id: String, options: LogOptions, _ line: (LogLine) async throws -> Void) async throws {
        guard let details = try? await call(.GET, "/containers/\(id)/json", what: "inspect container \(id)") else {
            throw DockerClientError(.notFound, "logs of \(id): no such container")
        }
        let tty = details["Config"]["Tty"].bool ?? false
        var query = [("stdout", "1"), ("stderr", "1"), ("timestamps", options.timestamps ? "1" : "0"), ("follow", options.follow ? "1" : "0")]
        if let tail = options.tail { query.append(("tail", String(tail))) }
        let path = try await versioned("/containers/\(id)/logs", query)
        try await client.execute(.GET, path) { status, body in
            guard status == 200 else {
                var text = ByteBuffer()
                while var chunk = try await body.next() { text.writeBuffer(&chunk) }
                try Self.check(status, text, what: "logs of \(id)")
                return
            }
            var demuxer = DockerLogDemuxer(tty: tty, timestamps: options.timestamps)
            while let chunk = try await body.next() {
                for entry in try demuxer.feed(chunk) { try await line(entry) }
            }
            for entry in demuxer.finish() { try await line(entry) }
        }
    }

    // MARK: Stats

    public func stats(container id: String) async throws -> ContainerStats {
        let reply = try await call(.GET, "/containers/\(id)/stats", query: [("stream", "0")], what: "stats of \(id)")
        return Self.stats(from: reply)
    }

    /// Translates one Engine stats reply, computing CPU % and memory the way `docker stats` does.
    static func stats(from reply: DockerJSON) -> ContainerStats {
        let cpu = reply["cpu_stats"], previous = reply["precpu_stats"]
        let cpuDelta = Double((cpu["cpu_usage"]["total_usage"].int ?? 0) - (previous["cpu_usage"]["total_usage"].int ?? 0))
        let systemDelta = Double((cpu["system_cpu_usage"].int ?? 0) - (previous["system_cpu_usage"].int ?? 0))
        let online = Double(cpu["online_cpus"].int ?? Int64(cpu["cpu_usage"]["percpu_usage"].array.count))
        let cpuPercent = systemDelta > 0 && cpuDelta > 0 ? cpuDelta / systemDelta * max(online, 1) * 100 : 0
        let memory = reply["memory_stats"]
        let usage = memory["usage"].int ?? 0
        // Page cache is not the container's own memory: cgroup v1 reports it as total_inactive_file, v2 as inactive_file.
        let inactive = memory["stats"]["total_inactive_file"].int ?? memory["stats"]["inactive_file"].int ?? 0
        var rx: Int64 = 0, tx: Int64 = 0
        for network in reply["networks"].object.values {
            rx += network["rx_bytes"].int ?? 0
            tx += network["tx_bytes"].int ?? 0
        }
        var read: Int64 = 0, write: Int64 = 0
        for entry in reply["blkio_stats"]["io_service_bytes_recursive"].array {
            switch entry["op"].string?.lowercased() {
            case "read": read += entry["value"].int ?? 0
            case "write": write += entry["value"].int ?? 0
            default: break
            }
        }
        return ContainerStats(
            cpuPercent: cpuPercent, memoryBytes: inactive < usage ? usage - inactive : usage, memoryLimitBytes: memory["limit"].int ?? 0,
            networkRxBytes: rx, networkTxBytes: tx, blockReadBytes: read, blockWriteBytes: write
        )
    }

    // MARK: Events

    public func events(_ event: (RuntimeEvent) async throws -> Void) async throws {
        let filters = DockerQuery.filters(["type": ["container"], "event": ["die", "oom", "health_status"]])
        let path = try await versioned("/events", [("filters", filters)])
        try await client.execute(.GET, path) { status, body in
            var lines = JSONLines()
            while let chunk = try await body.next() {
                for line in lines.feed(chunk) {
                    guard status == 200 else { throw DockerClientError(.httpStatus, "events: \(line["message"].string ?? "HTTP \(status)")") }
                    try await event(RuntimeEvent(
                        containerID: line["Actor"]["ID"].string ?? line["id"].string ?? "", action: line["Action"].string ?? "",
                        labels: line["Actor"]["Attributes"].stringMap
                    ))
                }
            }
        }
    }

    // MARK: Archives

    public func archive(container id: String, path: String, _ chunk: (ByteBuffer) async throws -> Void) async throws {
        let request = try await versioned("/containers/\(id)/archive", [("path", path)])
        try await client.execute(.GET, request) { status, body in
            guard status == 200 else {
                var text = ByteBuffer()
                while var part = try await body.next() { text.writeBuffer(&part) }
                return try Self.check(status, text, what: "archive \(path) of \(id)")
            }
            while let part = try await body.next() { try await chunk(part) }
        }
    }

    public func extract(container id: String, path: String, tar: AsyncThrowingStream<ByteBuffer, any Error>) async throws {
        let request = try await versioned("/containers/\(id)/archive", [("path", path)])
        let (status, reply) = try await client.execute(.PUT, request, body: .stream(tar, contentType: "application/x-tar")) { status, body in
            var text = ByteBuffer()
            while var part = try await body.next() { text.writeBuffer(&part) }
            return (status, text)
        }
        try Self.check(status, reply, what: "extract into \(path) of \(id)")
    }
}

extension DockerEngine {
    // MARK: Exec

    public func exec(container id: String, command: [String], _ output: (ByteBuffer) async throws -> Void) async throws -> ExecResult {
        let created = try await call(.POST, "/containers/\(id)/exec",
                                     json: ["AttachStdout": true, "AttachStderr": true, "AttachStdin": false, "Tty": false, "Cmd": DockerJSON(command)],
                                     what: "exec in container \(id)")
        guard let exec = created["Id"].string else { throw DockerClientError(.badBody, "exec in container \(id): no Id in the reply") }
        let start = try await versioned("/exec/\(exec)/start")
        let options: DockerJSON = ["Detach": false, "Tty": false]
        let body = options.buffer
        let errors = try await client.execute(.POST, start, body: .bytes(body, contentType: "application/json")) { status, reply -> [UInt8] in
            guard status == 200 else {
                var text = ByteBuffer()
                while var part = try await reply.next() { text.writeBuffer(&part) }
                try Self.check(status, text, what: "start exec in container \(id)")
                return []
            }
            var frames = DockerStreamFrames()
            var errors: [UInt8] = []
            while let chunk = try await reply.next() {
                for frame in try frames.feed(chunk) {
                    if frame.source == .stdout {
                        try await output(frame.payload)
                    } else {
                        errors.append(contentsOf: frame.payload.readableBytesView)
                        if errors.count > 4096 { errors.removeFirst(errors.count - 4096) }
                    }
                }
            }
            return errors
        }
        // The stream ends when the command's output does; its exit code may take a moment longer.
        for _ in 0..<500 {
            let state = try await call(.GET, "/exec/\(exec)/json", what: "inspect exec in container \(id)")
            if state["Running"].bool == false, let code = state["ExitCode"].int {
                return ExecResult(exitCode: Int(code), errors: String(decoding: errors, as: UTF8.self))
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw DockerClientError(.timedOut, "exec in container \(id): still running after its output ended")
    }
}

/// Splits a stream of newline-delimited JSON into values, across chunk boundaries.
struct JSONLines {
    private var pending = ByteBuffer()

    mutating func feed(_ chunk: ByteBuffer) -> [DockerJSON] {
        var chunk = chunk
        pending.writeBuffer(&chunk)
        var values: [DockerJSON] = []
        while let newline = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let line = pending.readSlice(length: newline - pending.readerIndex + 1)!
            if let value = DockerJSON.parse(line) { values.append(value) }
        }
        // A last value without a newline is complete when it parses.
        if pending.readableBytes > 0, let value = DockerJSON.parse(pending) {
            values.append(value)
            pending.clear()
        }
        pending.discardReadBytes()
        return values
    }
}

/// Bytes done and total of a pull, summed over its layers.
struct PullLayers {
    private var layers: [String: (current: Int64, total: Int64)] = [:]

    mutating func update(_ line: DockerJSON) {
        guard let id = line["id"].string else { return }
        let detail = line["progressDetail"]
        if let total = detail["total"].int, let current = detail["current"].int, total > 0 {
            layers[id] = (current, total)
        } else if let status = line["status"].string, status == "Download complete" || status == "Pull complete" || status == "Already exists" {
            if let known = layers[id] { layers[id] = (known.total, known.total) }
        }
    }

    var current: Int64 { layers.values.reduce(0) { $0 + $1.current } }
    var total: Int64 { layers.values.reduce(0) { $0 + $1.total } }
}
