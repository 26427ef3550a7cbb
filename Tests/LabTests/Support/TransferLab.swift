import CLI
import Foundation
import Protocol
import Testing
import TestSupport

/// What the transfer tests do in the lab: make volumes on a device's dockerd, run transfers through
/// the API, find and pause the destination's tar, and walk volumes independently of the agent.
struct TransferLab: Sendable {
    let lab: Lab

    /// The source, an ordinary device; the destination, whose Docker keeps its data on a small file system.
    static let source = "nas", destination = "pi4"
    /// The destination's data root size.
    static let dataRoot = "320M"

    /// The volume whose stream the source's agent corrupts at `flipOffset` (inside its 4 MiB file).
    static let flipped = "hlt-flip_data", flipOffset = 2 << 20

    /// The agents' setting that makes the source corrupt `volume`'s stream at `flipOffset` (a debug-build hook).
    static func corrupting(_ volume: String) -> String { "test_corrupt_transfer: \(volume)@\(flipOffset)\n" }

    /// The arguments of `lab up` for these tests.
    static let upArguments = ["--device", source, "--device", "\(destination):data-root=\(dataRoot)", "--heartbeat-ttl", "4"]

    /// Runs `docker ARGS` against the device's dockerd.
    @discardableResult
    func docker(_ device: String, _ arguments: [String]) throws -> String {
        try lab.run(["exec", device, "docker"] + arguments)
    }

    /// Creates a volume labelled as a compose project's and fills it with `script` (run by sh, as root, in its directory).
    @discardableResult
    func makeVolume(_ name: String, on device: String = TransferLab.source, _ script: String) throws -> String {
        let project = String(name.split(separator: "_").first ?? "")
        try docker(device, ["volume", "create", "--label", "com.docker.compose.project=\(project)", "--label", "io.homelab.managed=true", name])
        let directory = try mountpoint(name, on: device)
        try shell(script, in: directory)
        return directory
    }

    /// Where a volume's data is on the host, or nil when the device has no such volume.
    func mountpointIfAny(_ name: String, on device: String) -> String? {
        (try? docker(device, ["volume", "inspect", "-f", "{{.Mountpoint}}", name]))?.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func mountpoint(_ name: String, on device: String) throws -> String {
        guard let path = mountpointIfAny(name, on: device) else { throw LabError(description: "no volume \(name) on \(device)") }
        return path
    }

    /// The volumes on a device.
    func volumes(on device: String) throws -> [String] {
        try docker(device, ["volume", "ls", "-q"]).split(separator: "\n").map(String.init)
    }

    /// Runs `script` with sh in `directory` on the host.
    @discardableResult
    func shell(_ script: String, in directory: String = "/") throws -> String {
        let result = try ChildProcess.run("/bin/sh", ["-c", script], directory: directory)
        guard result.status == 0 else { throw LabError(description: "sh -c \(script) exited \(result.status): \(result.errors)") }
        return result.output
    }

    /// Starts a transfer through the API and polls it until it ends (or `timeout`); `during` runs once
    /// with each poll while it runs.
    func transfer(_ settings: ClientSettings, _ request: TransferRequest, timeout: Duration = .seconds(120),
                  during: (TransferResource) async throws -> Void = { _ in }) async throws -> TransferResource {
        try await APIClient.withClient(settings) { client in
            var transfer = try await client.post("/v1/transfers", json: request, as: TransferResource.self)
            let deadline = ContinuousClock.now + timeout
            while transfer.state == .running && ContinuousClock.now < deadline {
                try await during(transfer)
                try await Task.sleep(for: .milliseconds(100))
                transfer = try await client.get("/v1/transfers/\(transfer.id)", as: TransferResource.self)
            }
            Lab.trace("transfer \(request.volumes) \(request.source) → \(request.destination): \(transfer.state) \(transfer.route ?? "-") "
                      + "\(transfer.sentBytes) bytes \(transfer.failure.map { "\($0.code): \($0.message)" } ?? "")")
            if transfer.state == .failed { Lab.trace(lab.agentLogs()) }
            return transfer
        }
    }

    /// The destination's tar unpacking into `directory`, once it runs (nil when none within `timeout`).
    func extractingTar(into directory: String, timeout: Duration = .seconds(30)) async throws -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let found = try await ChildProcess.run("/usr/bin/pgrep", ["-f", "--", "--extract --file=- .*--directory=\(directory)$"])
            if let pid = found.output.split(separator: "\n").first.flatMap({ Int32($0) }) { return pid }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// Processes whose command line holds `text` (tar helpers left behind, say).
    func processes(matching text: String) throws -> [String] {
        try ChildProcess.run("/usr/bin/pgrep", ["-af", "--", text]).output.split(separator: "\n").map(String.init)
            .filter { !$0.contains("pgrep") }
    }

    /// An independent walk of a directory (Python, not the agent's code): one line per entry with its kind,
    /// mode, owner, size, time, content hash or link target, hard-link group and user xattrs, sorted.
    func walk(_ directory: String) throws -> [String] {
        let script = #"""
            import hashlib, os, stat, sys
            root = sys.argv[1]
            lines, first = [], {}
            def visit(path, rel):
                st = os.lstat(path)
                kind = stat.S_IFMT(st.st_mode)
                extra = ""
                if stat.S_ISREG(kind):
                    key = (st.st_dev, st.st_ino)
                    if st.st_nlink > 1 and key in first:
                        extra = "link=" + first[key]
                    else:
                        first[key] = rel
                        with open(path, "rb") as f:
                            extra = "sha=" + hashlib.sha256(f.read()).hexdigest()
                elif stat.S_ISLNK(kind):
                    extra = "target=" + os.readlink(path)
                if not stat.S_ISLNK(kind):
                    attrs = sorted(a for a in os.listxattr(path, follow_symlinks=False) if a.startswith("user."))
                    extra += "".join(" " + a + "=" + os.getxattr(path, a, follow_symlinks=False).hex() for a in attrs)
                size = st.st_size if stat.S_ISREG(kind) else 0
                lines.append(f"{rel} {stat.filemode(st.st_mode)} {oct(st.st_mode & 0o7777)} {st.st_uid}:{st.st_gid} {size} {st.st_mtime_ns} {extra}")
                if stat.S_ISDIR(kind):
                    for name in sorted(os.listdir(path)):
                        visit(os.path.join(path, name), name if rel == "." else rel + "/" + name)
            visit(root, ".")
            print("\n".join(lines))
            """#
        let result = try ChildProcess.run("/usr/bin/python3", ["-c", script, directory])
        guard result.status == 0 else { throw LabError(description: "walk of \(directory) failed: \(result.errors)") }
        return result.output.split(separator: "\n").map(String.init)
    }

    /// Blocks a file of the volume occupies on disk (512-byte units).
    func allocatedBlocks(_ path: String) throws -> Int {
        Int(try shell("stat -c %b '\(path)'").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    /// Waits until `condition` holds, for at most `timeout`.
    func eventually(_ what: String, within timeout: Duration = .seconds(20), _ condition: () throws -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if (try? condition()) == true { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw LabError(description: "\(what): not within \(timeout)\n\(lab.agentLogs())")
    }

    /// The API, once both devices are online.
    func ready() async throws -> ClientSettings {
        let settings = try lab.settings()
        try await lab.waitForDevices(settings, within: .seconds(60), "\(Self.source) and \(Self.destination) online") { devices in
            [Self.source, Self.destination].allSatisfy { name in devices.contains { $0.name == name && $0.status == .online } }
        }
        return settings
    }

    /// The pid of a device's agent.
    func agentPID(_ device: String) throws -> Int32 {
        guard let pid = Int32(try String(contentsOfFile: "\(lab.dir)/devices/\(device)/agent.pid", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)) else { throw LabError(description: "no agent pid for \(device)") }
        return pid
    }
}

/// Brings the transfer lab up once for a suite and down after it, the agents configured with `agentExtra`
/// (the transfer and migration tests: the source corrupting one volume's stream, a debug-build hook), and
/// with `holds` the controller's migrations held where the tests say (``MigrationLab/holds``).
struct TransferLabScope: SuiteTrait, TestScoping {
    let agentExtra: String
    var holds = false
    var isRecursive: Bool { false }

    func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        let lab = Lab()
        try lab.down()
        defer { try? lab.down() }
        try lab.up(TransferLab.upArguments, agentExtra: agentExtra, environment: holds ? MigrationLab(lab: lab).holdEnvironment : [:])
        try await function()
    }
}
