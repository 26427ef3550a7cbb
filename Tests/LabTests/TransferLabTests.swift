import CLI
import Foundation
import Protocol
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

extension LabTests {
    /// Volumes moved between two lab devices by their agents (real dockerds, GNU tar, the peer port,
    /// the controller relaying when the direct path is blocked), and every way such a move can fail.
    /// The destination's Docker keeps its data on a 320 MB file system of its own.
    @Suite("Volume transfers between lab devices", TransferLabScope(agentExtra: TransferLab.corrupting(TransferLab.flipped)))
    struct TransferLabTests {
        let lab = Lab()
        var transfers: TransferLab { TransferLab(lab: lab) }
        static let source = TransferLab.source, destination = TransferLab.destination
        /// The volume whose stream the source's agent corrupts at `flipOffset` (inside its 4 MiB file).
        static let flipped = TransferLab.flipped, flipOffset = TransferLab.flipOffset

        func ready() async throws -> ClientSettings { try await transfers.ready() }

        /// The destination holds no volume named `name`, no volume of `migration`, and no tar of ours runs.
        func expectNothingLeft(_ name: String, migration: String? = nil) throws {
            #expect(!(try transfers.volumes(on: Self.destination)).contains(name), "the destination keeps nothing of \(name)")
            if let migration {
                let labelled = try transfers.docker(Self.destination, ["volume", "ls", "-q", "--filter", "label=io.homelab.migration=\(migration)"])
                #expect(labelled.isEmpty, "no volume of migration \(migration) is left: \(labelled)")
            }
            #expect(try transfers.processes(matching: "/\(name)/_data").isEmpty, "no tar still works on \(name)")
        }

        static let everyKind = """
            head -c 1000000 /dev/urandom > random.bin && chmod 640 random.bin && chown 1000:100 random.bin
            truncate -s 100M sparse.img && printf 'tail' >> sparse.img
            printf 'linked' > a && ln a b && mkdir hard && ln a hard/c
            ln -s random.bin relative && ln -s /etc/localtime absolute && ln -s ../nowhere dangling
            mkdir -p empty 'with space/ünïcödé ñame' shared && chmod 1777 shared && chmod 2775 'with space'
            printf 'x' > 'with space/ünïcödé ñame/f i l e.txt' && printf 's' > setuid && chmod 4755 setuid
            mkfifo pipe && printf 'attr' > tagged && python3 -c 'import os; os.setxattr("tagged", "user.origin", b"nas")'
            touch -h -d '2001-02-03 04:05:06.789' relative && touch -d '2002-03-04 05:06:07.123456789' random.bin
            chmod 750 . && chown 999:999 .
            """

        @Test("a volume with every kind of file moves byte for byte: manifests equal, and an independent walk of both sides too")
        func everyKind() async throws {
            let settings = try await ready()
            let name = "hlt-kinds_data"
            let original = try transfers.makeVolume(name, Self.everyKind)
            let transfer = try await transfers.transfer(settings, TransferRequest(source: Self.source, destination: Self.destination, volumes: [name]))
            #expect(transfer.state == .succeeded, "\(transfer.failure?.message ?? "")")
            #expect(transfer.route == "direct")
            let copy = try transfers.mountpoint(name, on: Self.destination)
            let walked = try transfers.walk(copy)
            #expect(walked == (try transfers.walk(original)))
            #expect(walked.count == 18, "every entry is there: \(walked.count)")
            #expect(walked.contains { $0.hasPrefix("absolute l") && $0.hasSuffix("target=/etc/localtime") }, "an absolute symlink stays a link")
            #expect(walked.contains { $0.hasPrefix("b ") && $0.contains("link=a") }, "hard links stay linked")
            #expect(walked.contains { $0.hasPrefix("pipe p") })
            #expect(try transfers.allocatedBlocks(copy + "/sparse.img") < 1024, "the sparse file stays sparse")
            let manifest = try #require(transfer.manifests?.first)
            #expect(manifest.entries == 18)
            #expect(manifest.bytes == 1_000_000 + 100 * 1024 * 1024 + 4 + 6 + 1 + 1 + 4)
            let labels = try transfers.docker(Self.destination, ["volume", "inspect", "-f", "{{json .Labels}}", name])
            #expect(labels.contains("\"com.docker.compose.project\":\"hlt-kinds\"") && labels.contains("io.homelab.migration"))
        }

        @Test("a volume holding a device node is refused, naming it, and the destination keeps nothing")
        func deviceNode() async throws {
            let settings = try await ready()
            let name = "hlt-device_data"
            try transfers.makeVolume(name, "printf x > ok && mknod null c 1 3")
            let transfer = try await transfers.transfer(settings, TransferRequest(source: Self.source, destination: Self.destination, volumes: [name]))
            #expect(transfer.failure?.code == "unsupported_file")
            #expect(transfer.failure?.message.contains("null is a device node") == true)
            try expectNothingLeft(name, migration: transfer.migration)
        }

        @Test("a byte flipped in flight is caught by the destination's manifest check, which names the file; the destination keeps nothing")
        func flippedByte() async throws {
            let settings = try await ready()
            try transfers.makeVolume(Self.flipped, "head -c 4194304 /dev/urandom > big.bin && printf ok > small.txt")
            let transfer = try await transfers.transfer(settings, TransferRequest(source: Self.source, destination: Self.destination, volumes: [Self.flipped]))
            #expect(transfer.failure?.code == "manifest_mismatch")
            #expect(transfer.failure?.message.contains("big.bin: content differs") == true, "\(transfer.failure?.message ?? "")")
            try expectNothingLeft(Self.flipped, migration: transfer.migration)
        }

        @Test("without room for 1.2 × the volumes' size the transfer is refused before anything is made")
        func preflight() async throws {
            let settings = try await ready()
            let name = "hlt-huge_data"
            try transfers.makeVolume(name, "fallocate -l 250M blob")  // allocated on disk, nothing to read
            let transfer = try await transfers.transfer(settings, TransferRequest(source: Self.source, destination: Self.destination, volumes: [name]))
            #expect(transfer.failure?.code == "insufficient_storage")
            #expect(transfer.failure?.message.contains("\(Self.destination) has") == true)
            try expectNothingLeft(name, migration: transfer.migration)
            try transfers.docker(Self.source, ["volume", "rm", name])
        }

        @Test("a slow destination makes the source wait: with the destination's tar stopped, nothing more is sent than the window")
        func flowControl() async throws {
            let settings = try await ready()
            let name = "hlt-flow_data"
            try transfers.makeVolume(name, "head -c 48000000 /dev/urandom > big.bin")
            var paused: Int32?
            var sentWhilePaused: [UInt64] = []
            var inFlight: UInt64 = 0
            let transfer = try await transfers.transfer(settings, TransferRequest(source: Self.source, destination: Self.destination, volumes: [name])) { running in
                if paused == nil, let directory = transfers.mountpointIfAny(name, on: Self.destination),
                   let tar = try await transfers.extractingTar(into: directory, timeout: .seconds(1)) {
                    kill(tar, SIGSTOP)
                    paused = tar
                    try await Task.sleep(for: .seconds(1.5))
                } else if paused != nil, sentWhilePaused.count < 2 {
                    sentWhilePaused.append(running.sentBytes)
                    inFlight = max(inFlight, running.sentBytes - min(running.sentBytes, running.writtenBytes))
                    if sentWhilePaused.count == 2 { kill(paused!, SIGCONT) } else { try await Task.sleep(for: .seconds(1)) }
                }
            }
            if let paused { kill(paused, SIGCONT) }
            #expect(paused != nil, "the destination's tar was found and stopped")
            #expect(sentWhilePaused.count == 2 && sentWhilePaused[0] == sentWhilePaused[1], "the source sent nothing while the writer stood still: \(sentWhilePaused)")
            #expect(inFlight <= 4 << 20, "bytes sent but not yet written stay within the 4 MiB window: \(inFlight)")
            #expect(transfer.state == .succeeded, "and the transfer completes once the writer moves again: \(transfer.failure?.message ?? "")")
            #expect(try transfers.walk(transfers.mountpoint(name, on: Self.destination)) == transfers.walk(transfers.mountpoint(name, on: Self.source)))
            try transfers.docker(Self.destination, ["volume", "rm", name])
        }

        @Test("a destination whose disk fills in the middle of the copy fails with no_space and keeps nothing")
        func diskFillsMidCopy() async throws {
            let settings = try await ready()
            let name = "hlt-fill_data"
            try transfers.makeVolume(name, "head -c 100000000 /dev/urandom > big.bin")
            let filler = "\(lab.dir)/devices/\(Self.destination)/docker/filler"
            defer { unlink(filler) }
            var filled = false
            let transfer = try await transfers.transfer(settings, TransferRequest(source: Self.source, destination: Self.destination, volumes: [name])) { _ in
                // Hold the destination's tar, take all the room left (past the check), let it go on.
                guard !filled, let directory = transfers.mountpointIfAny(name, on: Self.destination),
                      let tar = try await transfers.extractingTar(into: directory, timeout: .seconds(1)) else { return }
                kill(tar, SIGSTOP)
                let free = try transfers.shell("df --output=avail -B1 '\(lab.dir)/devices/\(Self.destination)/docker' | tail -n 1")
                let bytes = UInt64(free.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
                try transfers.shell("fallocate -l \(bytes > 4 << 20 ? bytes - (4 << 20) : bytes) '\(filler)'")
                filled = true
                kill(tar, SIGCONT)
            }
            #expect(filled, "the disk was filled while the copy ran")
            #expect(transfer.failure?.code == "no_space", "\(transfer.failure.map { "\($0.code): \($0.message)" } ?? "succeeded")")
            try expectNothingLeft(name, migration: transfer.migration)
        }

        @Test("a warm copy while the volume changes, then a final incremental copy, ends identical, sending only what changed")
        func warmThenFinal() async throws {
            let settings = try await ready()
            let name = "hlt-warm_data"
            let original = try transfers.makeVolume(name, """
                head -c 8000000 /dev/urandom > stable.bin && mkdir -p docs old && printf one > docs/a.txt && printf two > old/b.txt
                ln -s docs/a.txt current && printf same > keep.txt
                """)
            let migration = "hlt-warm-\(UInt32.random(in: 0 ... .max))"
            let warm = try await transfers.transfer(settings, TransferRequest(source: Self.source, destination: Self.destination, volumes: [name],
                                                                             live: true, migration: migration))
            #expect(warm.state == .succeeded, "\(warm.failure?.message ?? "")")
            try transfers.shell("""
                printf 'one, changed' > docs/a.txt && rm -r old && printf new > docs/new.txt && rm current && ln -s docs/new.txt current
                chmod 600 keep.txt
                """, in: original)
            let final = try await transfers.transfer(settings, TransferRequest(source: Self.source, destination: Self.destination, volumes: [name],
                                                                              incremental: true, migration: migration))
            #expect(final.state == .succeeded, "\(final.failure?.message ?? "")")
            #expect(try transfers.walk(transfers.mountpoint(name, on: Self.destination)) == transfers.walk(original))
            #expect(final.sentBytes < 1_000_000, "the final copy sends what changed, not the 8 MB file again: \(final.sentBytes) bytes")
            #expect(warm.sentBytes > 8_000_000)
            try transfers.docker(Self.destination, ["volume", "rm", name])
        }

        @Test("with the direct path blocked (iptables in the destination) the controller relays, and the copy is the same")
        func relay() async throws {
            let settings = try await ready()
            let name = "hlt-relay_data"
            let original = try transfers.makeVolume(name, "head -c 3000000 /dev/urandom > r.bin && mkdir d && printf x > d/y")
            let rule = ["INPUT", "-p", "tcp", "--dport", "7446", "-j", "REJECT", "--reject-with", "tcp-reset"]
            try lab.run(["exec", Self.destination, "iptables", "-I"] + rule)
            defer { _ = try? lab.run(["exec", Self.destination, "iptables", "-D"] + rule) }
            let transfer = try await transfers.transfer(settings, TransferRequest(source: Self.source, destination: Self.destination, volumes: [name]))
            #expect(transfer.state == .succeeded, "\(transfer.failure?.message ?? "")")
            #expect(transfer.route == "relay")
            #expect(try transfers.walk(transfers.mountpoint(name, on: Self.destination)) == transfers.walk(original))
            try transfers.docker(Self.destination, ["volume", "rm", name])
        }

        /// A fault in the middle of a volume's stream, with the destination's tar held so the stream is mid-way.
        enum Fault: String, CaseIterable, CustomTestStringConvertible, Sendable {
            case sourceLinkCut, destinationLinkCut, sourceAgentKilled, destinationAgentKilled
            var testDescription: String { rawValue }

            /// `make test` runs a fixed sample; `make test-faults` (HOMELAB_TEST_FAULTS=all) every cell.
            static var cells: [Fault] {
                ProcessInfo.processInfo.environment["HOMELAB_TEST_FAULTS"] == "all" ? allCases : [.sourceLinkCut, .destinationAgentKilled]
            }
        }

        @Test("a link cut or an agent killed mid-stream fails the transfer cleanly: a stable code, the source intact, the destination empty once back",
              arguments: Fault.cells)
        func fault(_ fault: Fault) async throws {
            let settings = try await ready()
            let name = "hlt-\(fault.rawValue.lowercased())_data"
            // Big enough that the stream is still under way when the destination's tar is found and held (40 MB
            // was sometimes copied before that on an idle machine).
            let original = try transfers.makeVolume(name, "head -c 160000000 /dev/urandom > big.bin && mkdir d && printf x > d/y")
            let before = try transfers.walk(original)
            var struck = false
            let transfer = try await transfers.transfer(settings, TransferRequest(source: Self.source, destination: Self.destination, volumes: [name]),
                                                        timeout: .seconds(60)) { _ in
                guard !struck, let directory = transfers.mountpointIfAny(name, on: Self.destination),
                      let tar = try await transfers.extractingTar(into: directory, timeout: .seconds(1)) else { return }
                kill(tar, SIGSTOP)
                switch fault {
                case .sourceLinkCut: try lab.run(["link", Self.source, "down"])
                case .destinationLinkCut: try lab.run(["link", Self.destination, "down"])
                case .sourceAgentKilled: kill(try transfers.agentPID(Self.source), SIGKILL)
                case .destinationAgentKilled: kill(try transfers.agentPID(Self.destination), SIGKILL)
                }
                struck = true
                kill(tar, SIGCONT)
            }
            #expect(struck, "the fault struck while the stream was under way")
            #expect(transfer.state == .failed)
            let expected: Set<String> = ["device_disconnected", "device_offline", "transfer_cancelled"]
            #expect(expected.contains(transfer.failure?.code ?? ""), "\(transfer.failure.map { "\($0.code): \($0.message)" } ?? "no failure")")
            // Recovery: the link back up, the killed agent started again, both online.
            switch fault {
            case .sourceLinkCut: try lab.run(["link", Self.source, "up"])
            case .destinationLinkCut: try lab.run(["link", Self.destination, "up"])
            case .sourceAgentKilled: try lab.run(["start-agent", Self.source])
            case .destinationAgentKilled: try lab.run(["start-agent", Self.destination])
            }
            _ = try await ready()
            try await transfers.eventually("\(Self.destination) holds nothing of \(name)") {
                try !transfers.volumes(on: Self.destination).contains(name) && transfers.processes(matching: "/\(name)/_data").isEmpty
            }
            try expectNothingLeft(name, migration: transfer.migration)
            #expect(try transfers.walk(original) == before, "the source's volume is as it was")
            try transfers.docker(Self.source, ["volume", "rm", name])
        }
    }
}
