import Foundation
import Testing
import TestSupport
@testable import Agent

/// The manifest walk that checks a restore: every kind of entry recorded, and every difference named.
@Suite("Volume manifest")
struct VolumeManifestTests {
    /// A folder with every kind of entry, made with the shell's own tools.
    // umask 022: a controller in the same test process sets umask 077 (StateDirectory), which would make the modes depend on test order.
    static func folder(_ name: String = #function) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("homelab-manifest-\(name.filter(\.isLetter))-\(UUID().uuidString.prefix(8))").path
        try Tools.run(["sh", "-c", """
            umask 022 && mkdir -p '\(path)/nested/deeper' '\(path)/empty' && cd '\(path)' && echo hello > plain.txt && : > empty.txt && \
            head -c 200000 /dev/urandom > random.bin && ln plain.txt hard.txt && ln -s plain.txt relative && ln -s /etc/passwd absolute && \
            mkfifo fifo && printf 'café' > 'nested/café ☕.txt' && chmod 0640 plain.txt && chmod 4755 random.bin && \
            python3 -c "import socket; socket.socket(socket.AF_UNIX).bind('\(path)/runtime.sock')"
            """])
        return path
    }

    @Test("every entry is recorded with its type, mode, size, hash, link target and hard-link group; sockets are left out")
    func records() throws {
        let path = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let manifest = try VolumeContents.take(of: path)
        let byPath = Dictionary(uniqueKeysWithValues: manifest.entries.map { ($0.path, $0) })
        #expect(byPath["."]?.type == "dir")
        #expect(byPath["plain.txt"]?.mode == 0o640 && byPath["plain.txt"]?.size == 6)
        // hard.txt is walked first, so it holds the hash and plain.txt names it.
        #expect(byPath["hard.txt"]?.sha256 == "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03")
        #expect(byPath["plain.txt"]?.link == "hard.txt" && byPath["plain.txt"]?.sha256 == nil, "the second name of a file points at the first")
        #expect(byPath["random.bin"]?.mode == 0o4755)
        #expect(byPath["relative"]?.type == "symlink" && byPath["relative"]?.target == "plain.txt")
        #expect(byPath["absolute"]?.target == "/etc/passwd")
        #expect(byPath["fifo"]?.type == "fifo")
        #expect(byPath["nested/café ☕.txt"]?.size == 5)
        #expect(byPath["empty"]?.type == "dir" && byPath["empty.txt"]?.size == 0)
        #expect(byPath["runtime.sock"] == nil)
        #expect(manifest.bytes == 6 + 200_000 + 5, "hard links count once")
        #expect(manifest.entries.map(\.path) == manifest.entries.map(\.path).sorted())
    }

    @Test("a faithful copy has no differences; changed content, mode, owner, link target, a missing and an extra entry are each named")
    func differences() throws {
        let path = try Self.folder()
        let copy = path + "-copy"
        defer { [path, copy].forEach { try? FileManager.default.removeItem(atPath: $0) } }
        try Tools.run(["cp", "-a", path, copy])
        let expected = try VolumeContents.take(of: path)
        #expect(expected.differences(from: try VolumeContents.take(of: copy)).isEmpty)
        try Tools.run(["sh", "-c", """
            cd '\(copy)' && printf 'hellO\\n' > random.bin && chmod 0601 empty.txt && chown 1234 'nested/café ☕.txt' && \
            rm relative && ln -s elsewhere relative && rm fifo && touch extra
            """])
        let found = expected.differences(from: try VolumeContents.take(of: copy), limit: 20)
        for path in ["random.bin", "empty.txt", "nested/café ☕.txt", "relative", "fifo", "extra"] {
            #expect(found.contains { $0.hasPrefix(path + ":") }, "\(path) is not named in \(found)")
        }
        #expect(found.contains("fifo: missing") && found.contains("extra: not in the backup"))
        #expect(found.count == 6, "\(found)")
    }
}
