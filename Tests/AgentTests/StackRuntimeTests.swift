import Foundation
import NIOCore
import Protocol
import Testing
@testable import Agent

/// Pulls, logs, stats, events and volume archives against the real dockerd and the loopback registries.
@Suite("Docker runtime (real dockerd)", .enabled(if: DockerFixtures.enabled), .serialized)
struct StackRuntimeTests {
    static func sleeper(_ image: String) -> ServiceSpec {
        var service = ServiceSpec(image: image)
        service.command = ["sleep", "3600"]
        return service
    }

    /// Applies one service using `image` after removing the image locally, so it must be pulled.
    static func applyPulling(_ image: String, credentials: [RegistryCredentials]? = nil) async throws -> (StackReconciler, String, [StackProgress], Result<StackApplyResult, any Error>) {
        _ = try? Tools.run(["docker", "rmi", "-f", image])
        let project = DockerFixtures.project("pull"), reconciler = DockerFixtures.reconciler()
        let steps = Steps()
        let spec = StackSpec(name: project, services: ["app": sleeper(image)], volumes: ["keep": VolumeSpec()])
        let result: Result<StackApplyResult, any Error>
        do {
            result = .success(try await reconciler.apply(StackApply(spec: spec, credentials: credentials)) { await steps.add($0) })
        } catch {
            result = .failure(error)
        }
        return (reconciler, project, await steps.all, result)
    }

    @Test("an image from the open registry is pulled with byte progress")
    func pullOpen() async throws {
        let image = DockerFixtures.values.payload
        let (reconciler, project, steps, result) = try await Self.applyPulling(image)
        defer { DockerFixtures.cleanUp(project) }
        #expect(try result.get().services.first?.change == .created)
        let pulls = steps.filter { $0.phase == .pull }
        #expect(pulls.first?.message == "Pulling \(image)")
        #expect(pulls.contains { ($0.total ?? 0) > 1_000_000 && $0.current == $0.total }, "no byte progress: \(pulls.map(\.message))")
        #expect(try await reconciler.runtime.hasImage(image))
    }

    @Test("the registry with auth serves the right credentials, and refuses wrong ones with nothing left behind")
    func pullAuth() async throws {
        let fixtures = DockerFixtures.values
        let image = "\(fixtures.authRegistry)/homelab-test/busybox:1"
        let wrong = [RegistryCredentials(server: fixtures.authRegistry, username: fixtures.username, password: "wrong")]
        for credentials in [nil, wrong] {
            let (reconciler, project, _, result) = try await Self.applyPulling(image, credentials: credentials)
            #expect(throws: DockerClientError.self) { try result.get() }
            if case .failure(let error as DockerClientError) = result {
                #expect(error.code == .pullFailed)
                #expect(error.message.contains(image))
            }
            let inventory = try await DockerFixtures.inventory(project, reconciler.runtime)
            #expect(inventory.containers.isEmpty && inventory.networks.isEmpty && inventory.volumes.isEmpty)
            #expect(!FileManager.default.fileExists(atPath: reconciler.projectsDirectory + "/" + project))
        }
        let right = [RegistryCredentials(server: fixtures.authRegistry, username: fixtures.username, password: fixtures.password)]
        let (_, project, _, result) = try await Self.applyPulling(image, credentials: right)
        defer { DockerFixtures.cleanUp(project) }
        #expect(try result.get().services.first?.change == .created)
    }

    @Test("an image the registry does not have fails with an error naming it")
    func pullMissing() async throws {
        let image = "\(DockerFixtures.values.openRegistry)/homelab-test/no-such-image:1"
        let (reconciler, project, _, result) = try await Self.applyPulling(image)
        if case .failure(let error as DockerClientError) = result {
            #expect(error.code == .pullFailed && error.message.contains(image), "\(error)")
        } else {
            Issue.record("pulling a missing image gave \(result)")
        }
        #expect(try await DockerFixtures.inventory(project, reconciler.runtime).volumes.isEmpty)
    }

    @Test("logs come back demultiplexed and in order; following ends when the container stops; TTY logs are raw")
    func logs() async throws {
        let project = DockerFixtures.project("logs"), reconciler = DockerFixtures.reconciler()
        defer { DockerFixtures.cleanUp(project) }
        var talker = ServiceSpec(image: DockerFixtures.image)
        talker.command = ["sh", "-c", "echo out1; sleep 0.2; echo err1 >&2; sleep 0.2; echo out2; sleep 0.2; echo err2 >&2; sleep 1.5"]
        var terminal = talker
        terminal.tty = true
        terminal.command = ["sh", "-c", "echo on-a-tty; sleep 1.5"]
        _ = try await reconciler.apply(StackApply(spec: StackSpec(name: project, services: ["talker": talker, "terminal": terminal])))

        var followed: [LogLine] = []
        try await reconciler.logs(StackLogsRequest(project: project, service: "talker", follow: true)) { followed.append($0) }
        #expect(followed.map { "\($0.stream.rawValue):\($0.text)" } == ["stdout:out1", "stderr:err1", "stdout:out2", "stderr:err2"])
        #expect(followed.allSatisfy { $0.time?.contains("T") == true })

        var tail: [LogLine] = []
        try await reconciler.logs(StackLogsRequest(project: project, service: "talker", follow: false, tail: 1)) { tail.append($0) }
        #expect(tail.map(\.text) == ["err2"])

        var raw: [LogLine] = []
        try await reconciler.logs(StackLogsRequest(project: project, service: "terminal", follow: true)) { raw.append($0) }
        #expect(raw.map(\.text) == ["on-a-tty"] && raw.first?.stream == .stdout)
    }

    @Test("stats per container add up to the stack's total; events report a container's death")
    func statsAndEvents() async throws {
        let project = DockerFixtures.project("stats"), reconciler = DockerFixtures.reconciler()
        defer { DockerFixtures.cleanUp(project) }
        let events = Task {
            var seen: [RuntimeEvent] = []
            try? await reconciler.runtime.events { event in
                guard event.labels[StackLabels.project] == project else { return }
                seen.append(event)
                if event.action == "die" { throw CancellationError() }
            }
            return seen
        }
        var burner = ServiceSpec(image: DockerFixtures.image)
        burner.command = ["sh", "-c", "head -c 50000000 /dev/zero > /dev/null; sleep 3600"]
        var quitter = ServiceSpec(image: DockerFixtures.image)
        quitter.command = ["sh", "-c", "sleep 3; exit 3"]
        _ = try await reconciler.apply(StackApply(spec: StackSpec(name: project, services: ["burner": burner, "sleeper": Self.sleeper(DockerFixtures.image), "quitter": quitter])))

        let stats = try await reconciler.stats(StackRef(project: project, services: ["burner", "sleeper"]))
        #expect(stats.services.keys.sorted() == ["burner", "sleeper"])
        #expect(stats.services.values.allSatisfy { $0.memoryBytes > 0 && $0.memoryLimitBytes > 0 })
        #expect(stats.total.memoryBytes == stats.services.values.map(\.memoryBytes).reduce(0, +))

        let seen = await events.value
        #expect(seen.contains { $0.action == "die" && $0.labels[StackLabels.service] == "quitter" && $0.labels["exitCode"] == "3" }, "\(seen)")
    }

    @Test("a volume with files, links, modes and an empty directory archives and restores byte-identical")
    func archiveRestore() async throws {
        let project = DockerFixtures.project("vol"), reconciler = DockerFixtures.reconciler()
        defer { DockerFixtures.cleanUp(project) }
        let source = "\(project)_data", copy = "\(project)-copy"
        try await reconciler.runtime.createVolume(name: source, labels: [StackLabels.project: project])
        try await reconciler.runtime.createVolume(name: copy, labels: [StackLabels.project: project])
        _ = try DockerFixtures.inVolume(source, """
            mkdir -p /v/empty /v/deep/er/still && echo hello > /v/deep/er/file && chmod 640 /v/deep/er/file && \
            head -c 3000000 /dev/urandom > /v/big && ln -s deep/er/file /v/link && ln -s no-such-file /v/dangling && \
            chmod 1777 /v/deep && chown 1000:100 /v/big && printf 'x' > '/v/name with spaces'
            """)
        let archiver = VolumeArchiver(runtime: reconciler.runtime)
        var tar = ByteBuffer()
        try await archiver.archive(volume: source, image: DockerFixtures.image) { chunk in
            var chunk = chunk
            tar.writeBuffer(&chunk)
        }
        let counts = try await archiver.restore(volume: copy, image: DockerFixtures.image, tar: [tar].async)
        #expect(counts.entries == 10)
        let original = try DockerFixtures.walk(source), restored = try DockerFixtures.walk(copy)
        #expect(original.contains("./big 644 1000:100 3000000"))
        #expect(restored == original)
        let helpers = try await reconciler.runtime.containers(labelled: ["io.homelab.helper": "volume", "io.homelab.volume": copy])
        #expect(helpers.isEmpty, "the helper container was left behind")
    }

    @Test("a crafted archive with ../ entries is refused and writes nothing")
    func craftedArchive() async throws {
        let project = DockerFixtures.project("evil"), reconciler = DockerFixtures.reconciler()
        defer { DockerFixtures.cleanUp(project) }
        let target = "\(project)-target"
        try await reconciler.runtime.createVolume(name: target, labels: [StackLabels.project: project])
        let scratch = NSTemporaryDirectory() + "evil-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try Tools.run(["python3", "-c", """
            import io, tarfile
            with tarfile.open("evil.tar", "w", format=tarfile.GNU_FORMAT) as t:
                for name in ["../escaped", "../../etc/homelab-escaped"]:
                    info = tarfile.TarInfo(name); data = b"gotcha"; info.size = len(data); t.addfile(info, io.BytesIO(data))
            """], in: scratch)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: scratch + "/evil.tar"))
        let archiver = VolumeArchiver(runtime: reconciler.runtime)
        await #expect(throws: TarRejection(.parentTraversal, path: "../escaped")) {
            try await archiver.restore(volume: target, image: DockerFixtures.image, tar: [ByteBuffer(bytes: bytes)].async)
        }
        #expect(try DockerFixtures.walk(target) == ". 755 0:0 4096 directory\n")
        // An empty input is no archive; a restore into a volume made for it removes the volume again.
        let fresh = "\(project)-fresh"
        await #expect(throws: TarRejection(.truncated, path: "")) {
            try await archiver.restore(volume: fresh, image: DockerFixtures.image, tar: [ByteBuffer]().async)
        }
        #expect(try await !reconciler.runtime.volumes(labelled: [:]).contains { $0.name == fresh })
        await #expect(throws: DockerClientError.self) {
            try await archiver.archive(volume: fresh, image: DockerFixtures.image) { _ in }
        }
        #expect(try await !reconciler.runtime.volumes(labelled: [:]).contains { $0.name == fresh }, "archiving a missing volume made it")
        let helpers = try await reconciler.runtime.containers(labelled: ["io.homelab.helper": "volume", "io.homelab.volume": target])
        #expect(helpers.isEmpty)
    }

    @Test("the API version is negotiated with the real engine")
    func negotiated() async throws {
        let version = try await DockerFixtures.engine().version()
        #expect(DockerEngine.compare(version.negotiatedAPI, DockerEngine.oldestAPI) >= 0)
        #expect(DockerEngine.compare(version.negotiatedAPI, version.engineAPI) <= 0)
        #expect(DockerEngine.compare(version.negotiatedAPI, DockerEngine.newestAPI) <= 0)
    }
}

extension Array where Element: Sendable {
    /// The elements as an async sequence.
    var async: AsyncStream<Element> {
        AsyncStream { continuation in
            for element in self { continuation.yield(element) }
            continuation.finish()
        }
    }
}
