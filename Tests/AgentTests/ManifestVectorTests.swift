import Foundation
import Testing
@testable import Agent
import Protocol

/// The manifest lines of `docs/protocol.md` ("Volume manifests"): the wire form of entries and their digest.
@Suite("Manifest vectors")
struct ManifestVectorTests {
    /// The `line:` and `digest:` lines of the document's ```` ```manifest ```` block.
    static func vector() throws -> (lines: [String], digest: String) {
        let document = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/protocol.md")
        let text = try String(contentsOf: document, encoding: .utf8)
        guard let start = text.range(of: "```manifest\n"), let end = text.range(of: "```", range: start.upperBound..<text.endIndex) else {
            throw TestFailure("docs/protocol.md has no manifest block")
        }
        var lines: [String] = [], digest = ""
        for line in text[start.upperBound..<end.lowerBound].split(separator: "\n") {
            if line.hasPrefix("line: ") { lines.append(String(line.dropFirst(6))) }
            if line.hasPrefix("digest: ") { digest = String(line.dropFirst(8)) }
        }
        return (lines, digest)
    }

    struct TestFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    @Test("each documented line decodes and encodes back to the same bytes, and the digest is the agent's")
    func documented() throws {
        let (lines, digest) = try Self.vector()
        #expect(lines.count == 7)
        let entries = try lines.map { try ManifestEntry(line: Array($0.utf8)) }
        for (line, entry) in zip(lines, entries) {
            #expect(String(decoding: try entry.line(), as: UTF8.self) == line + "\n")
        }
        let manifest = try VolumeManifest(entries)
        #expect(try manifest.digest() == digest)
        #expect(manifest.contentBytes == 6, "the hard link counts once, the empty file adds nothing")
        #expect(entries[3].link == "app.db" && entries[4].target == "/etc/localtime" && entries[5].mode == 0o2775)
    }
}
