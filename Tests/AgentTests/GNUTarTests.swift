import Foundation
import NIOCore
import Protocol
import Testing
import TestSupport
@testable import Agent

/// GNU tar as transfers run it, on directories of this machine: what one side writes the other unpacks exactly.
@Suite("GNU tar for transfers")
struct GNUTarTests {
    static func scratch() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gnu-tar-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory + "/from", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/to", withIntermediateDirectories: true)
        return directory
    }

    // Run a few times: the last writes into tar's input were once lost when the pipe closed (9 runs in 10).
    @Test("a tree written by create and unpacked by extract through the guard comes out the same, every time", arguments: 0..<4)
    func roundTrip(run: Int) async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Tools.run(["sh", "-c", "head -c 3000000 /dev/urandom > big && mkdir d && printf x > d/y && ln -s /etc/localtime abs && ln big hard"],
                      in: directory + "/from")
        let manifest = try VolumeManifest(await ManifestWalker.walk(directory + "/from", hashing: true).entries)
        let list = directory + "/list"
        try Data(manifest.entries.flatMap { Array(($0.path == "." ? "." : "./" + $0.path).utf8) + [0] }).write(to: URL(fileURLWithPath: list))
        let tar = try await GNUTar.locate()
        var archive: [ByteBuffer] = []
        try await tar.create(in: directory + "/from", listFile: list, live: false) { archive.append($0) }
        #expect(archive.reduce(0) { $0 + $1.readableBytes } > 3_000_000)

        var tarGuard = TarStreamGuard(symlinks: .kept)
        let chunks = archive
        try await tar.extract(into: directory + "/to") { writer in
            for chunk in chunks {
                for piece in try tarGuard.feed(chunk) { try await writer.write(piece) }
            }
            _ = try tarGuard.finish()
        }
        let copy = try VolumeManifest(await ManifestWalker.walk(directory + "/to", hashing: true).entries)
        #expect(manifest.differences(copy) == [])
    }

    @Test("tar's failure is an error with its first complaint, not its last words")
    func failure() async throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let tar = try await GNUTar.locate()
        await #expect {
            try await tar.extract(into: directory + "/to") { writer in
                try await writer.write(ByteBuffer(bytes: [UInt8](repeating: 0x41, count: 4096)))
            }
        } throws: { error in
            let message = (error as? HomelabError)?.message ?? ""
            return message.contains("tar failed") && !message.contains("Exiting with failure status") && !message.contains("not recoverable")
        }
    }
}
