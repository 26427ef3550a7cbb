import NIOCore
import Protocol
import Testing
@testable import Agent

/// Translations at the Docker edge that need no engine: version negotiation, log frames, stats, references.
@Suite("Docker translation")
struct DockerTranslationTests {
    @Test("the API version is the lower of the engine's newest and ours; an older engine is refused naming both")
    func negotiation() throws {
        #expect(try DockerEngine.negotiate(engine: "20.10.24", engineAPI: "1.41").negotiatedAPI == "1.41")
        #expect(try DockerEngine.negotiate(engine: "27.3.1", engineAPI: "1.47").negotiatedAPI == DockerEngine.newestAPI)
        do {
            _ = try DockerEngine.negotiate(engine: "17.06.0", engineAPI: "1.30")
            Issue.record("an engine with API 1.30 was accepted")
        } catch let error as DockerClientError {
            #expect(error.code == .unsupportedVersion)
            #expect(error.message.contains("1.30") && error.message.contains(DockerEngine.oldestAPI) && error.message.contains("17.06.0"))
        }
        #expect(DockerEngine.compare("1.9", "1.41") < 0)
    }

    /// Docker's multiplexed frames.
    static func frame(_ stream: UInt8, _ text: String) -> [UInt8] {
        let payload = Array(text.utf8)
        let length = UInt32(payload.count)
        return [stream, 0, 0, 0, UInt8(length >> 24), UInt8(length >> 16 & 0xff), UInt8(length >> 8 & 0xff), UInt8(length & 0xff)] + payload
    }

    @Test("log frames split anywhere give the same lines, streams kept apart, partial lines joined")
    func demultiplex() throws {
        let bytes = Self.frame(1, "2026-11-27T03:00:00.000000001Z out one\n") + Self.frame(2, "2026-11-27T03:00:00.1Z err ")
            + Self.frame(2, "continued\n") + Self.frame(1, "2026-11-27T03:00:00.2Z no newline")
        for size in [1, 3, 8, 9, 50, bytes.count] {
            var demuxer = DockerLogDemuxer(tty: false, timestamps: true)
            var lines: [LogLine] = []
            var offset = 0
            while offset < bytes.count {
                lines += try demuxer.feed(ByteBuffer(bytes: bytes[offset..<min(offset + size, bytes.count)]))
                offset += size
            }
            lines += demuxer.finish()
            #expect(lines == [
                LogLine(stream: .stdout, time: "2026-11-27T03:00:00.000000001Z", text: "out one"),
                LogLine(stream: .stderr, time: "2026-11-27T03:00:00.1Z", text: "err continued"),
                LogLine(stream: .stdout, time: "2026-11-27T03:00:00.2Z", text: "no newline"),
            ], "chunks of \(size)")
        }
        var bad = DockerLogDemuxer(tty: false, timestamps: false)
        #expect(throws: DockerClientError.self) { try bad.feed(ByteBuffer(bytes: [7, 0, 0, 0, 0, 0, 0, 1, 65])) }
        var raw = DockerLogDemuxer(tty: true, timestamps: false)
        #expect(try raw.feed(ByteBuffer(string: "a\r\nb\n")).map(\.text) == ["a", "b"])
    }

    @Test("stats: CPU share of the cores, memory without page cache (cgroup v1 and v2), I/O summed")
    func stats() throws {
        let v2 = DockerJSON.parse(ByteBuffer(string: """
        {"cpu_stats":{"cpu_usage":{"total_usage":3000000000},"system_cpu_usage":20000000000,"online_cpus":2},
         "precpu_stats":{"cpu_usage":{"total_usage":2000000000},"system_cpu_usage":16000000000},
         "memory_stats":{"usage":104857600,"limit":1073741824,"stats":{"inactive_file":41943040}},
         "networks":{"eth0":{"rx_bytes":100,"tx_bytes":200},"eth1":{"rx_bytes":1,"tx_bytes":2}},
         "blkio_stats":{"io_service_bytes_recursive":[{"op":"read","value":4096},{"op":"write","value":8192},{"op":"read","value":1}]}}
        """))!
        let stats = DockerEngine.stats(from: v2)
        #expect(stats == ContainerStats(cpuPercent: 50, memoryBytes: 62_914_560, memoryLimitBytes: 1_073_741_824, networkRxBytes: 101,
                                        networkTxBytes: 202, blockReadBytes: 4097, blockWriteBytes: 8192))
        let v1 = DockerJSON.parse(ByteBuffer(string: """
        {"cpu_stats":{"cpu_usage":{"total_usage":10,"percpu_usage":[5,5,0,0]},"system_cpu_usage":100},
         "precpu_stats":{"cpu_usage":{"total_usage":10},"system_cpu_usage":90},
         "memory_stats":{"usage":1000,"limit":5000,"stats":{"total_inactive_file":400}},
         "blkio_stats":{"io_service_bytes_recursive":[{"op":"Read","value":7},{"op":"Total","value":7}]}}
        """))!
        let old = DockerEngine.stats(from: v1)
        #expect(old.cpuPercent == 0 && old.memoryBytes == 600 && old.blockReadBytes == 7 && old.networkRxBytes == 0)
    }

    @Test("image references split into repository and tag; registries are found for credentials")
    func references() {
        #expect(DockerEngine.splitReference("busybox") == ("busybox", "latest"))
        #expect(DockerEngine.splitReference("127.0.0.1:5000/team/app:2.1") == ("127.0.0.1:5000/team/app", "2.1"))
        #expect(DockerEngine.splitReference("localhost:5000/app") == ("localhost:5000/app", "latest"))
        #expect(DockerEngine.splitReference("app@sha256:abc") == ("app@sha256:abc", ""))
        #expect(StackReconciler.registry(of: "127.0.0.1:5101/homelab-test/busybox:1") == "127.0.0.1:5101")
        #expect(StackReconciler.registry(of: "library/postgres:16") == "docker.io")
        #expect(StackReconciler.registry(of: "ghcr.io/owner/app") == "ghcr.io")
    }

    @Test("the create body carries every field the spec has, in the Engine's names")
    func createBody() {
        var service = ServiceSpec(image: "app:1")
        service.ports = [PortSpec(target: 80, published: 8080, hostIP: "127.0.0.1"), PortSpec(target: 53, protocol: "udp")]
        service.healthcheck = Healthcheck(test: ["CMD", "true"], interval: .seconds(2), retries: 3)
        service.restart = "on-failure:4"
        service.devices = ["/dev/ttyUSB0"]
        service.cpus = 0.5
        service.memLimit = 64 << 20
        service.tmpfs = ["/run:size=1m"]
        service.sysctls = ["net.core.somaxconn": "1024"]
        service.ulimits = ["nofile": Ulimit(soft: 1, hard: 2)]
        service.capAdd = ["NET_ADMIN"]
        service.logging = Logging(driver: "json-file", options: ["max-size": "1m"])
        let body = DockerCreateBody.make(ContainerCreate(name: "p-app-1", service: service, labels: ["k": "v"],
                                                         networks: [("p_default", ["app"]), ("p_back", ["db"])]))
        let host = body["HostConfig"]
        #expect(host["PortBindings"]["80/tcp"].array.first?["HostPort"].string == "8080")
        #expect(host["PortBindings"]["53/udp"] == .null)
        #expect(body["ExposedPorts"].object.keys.sorted() == ["53/udp", "80/tcp"])
        #expect(body["Healthcheck"]["Interval"].int == 2_000_000_000)
        #expect(host["RestartPolicy"] == ["Name": "on-failure", "MaximumRetryCount": 4])
        #expect(host["Devices"].array.first?["PathInContainer"].string == "/dev/ttyUSB0")
        #expect(host["NanoCpus"].int == 500_000_000 && host["Memory"].int == 64 << 20)
        #expect(host["Tmpfs"]["/run"].string == "size=1m" && host["Sysctls"]["net.core.somaxconn"].string == "1024")
        #expect(host["Ulimits"].array.first?["Hard"].int == 2 && host["CapAdd"] == ["NET_ADMIN"])
        #expect(host["LogConfig"]["Config"]["max-size"].string == "1m")
        #expect(host["NetworkMode"].string == "p_default")
        #expect(body["NetworkingConfig"]["EndpointsConfig"].object.keys.sorted() == ["p_default"], "one network at creation, the rest joined after")
    }
}
