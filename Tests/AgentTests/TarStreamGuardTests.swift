import Foundation
import Testing
import TestSupport
@testable import Agent

/// `TarStreamGuard` against archives that GNU tar and Python's `tarfile` write at test time.
@Suite("Tar stream guard")
struct TarStreamGuardTests {
    /// What streaming an archive through a guard gave.
    struct Outcome {
        var forwarded: [UInt8] = []
        var rejection: TarRejection?
        var entries = 0
        var contentBytes: UInt64 = 0
    }

    /// A crafted archive: one harmless file, then the entries of `name` (see `craft`), the last of which is bad.
    struct Crafted: Sendable, CustomTestStringConvertible {
        var name: String
        var reason: TarRejection.Reason
        var path: String
        var testDescription: String { name }
    }

    static let chunkSizes = [1, 7, 511, 512, 513, 65536]

    /// The fixed chunkings, then three random mixes of the same sizes.
    static var chunkings: [[Int]] {
        var generator = SplitMix64(seed: 0x7A12)
        let mixes = (0..<3).map { _ in (0..<400).map { _ in chunkSizes.randomElement(using: &generator)! } }
        return chunkSizes.map { [$0] } + mixes
    }

    /// Writes the case named by argv[1] to argv[2] and prints the offset of the bad entry's first header. The
    /// "smuggled" cases hide a header in what tar readers (Go's, Python's) skip as no data: a pax `size` of 0, a link.
    static let craft = #"""
        import io, sys, tarfile

        def entry(name, kind=tarfile.REGTYPE, data=b"", link="", pax=None):
            info = tarfile.TarInfo(name)
            info.type, info.linkname, info.size = kind, link, len(data)
            if kind == tarfile.CHRTYPE:
                info.devmajor, info.devminor = 1, 3
            if pax:
                info.pax_headers = pax
            return info, io.BytesIO(data)

        evil = tarfile.TarInfo("../evil").tobuf(tarfile.GNU_FORMAT)
        cases = {
            "dotdot": [entry("../evil", data=b"x")],
            "absolute": [entry("/etc/passwd", data=b"root::0:0::/:/bin/sh\n")],
            "inner-dotdot": [entry("a/../../x")],
            "symlink-up": [entry("l", tarfile.SYMTYPE, link="../../etc")],
            "symlink-absolute": [entry("l", tarfile.SYMTYPE, link="/etc")],
            "hardlink-up": [entry("h", tarfile.LNKTYPE, link="../x")],
            "through-symlink": [entry("d", tarfile.SYMTYPE, link="."), entry("d/l", tarfile.SYMTYPE, link="..")],
            "pax-path": [entry("harmless", data=b"x", pax={"path": "../x"})],
            "gnu-long-name": [entry("a" * 120 + "/../../x", data=b"x")],
            "char-device": [entry("null", tarfile.CHRTYPE)],
            "smuggled-by-pax-size": [entry("f", data=evil, pax={"size": "0"})],
            "smuggled-after-hardlink": [entry("h", tarfile.LNKTYPE, data=evil, link="ok.txt")],
        }
        case, out = sys.argv[1], sys.argv[2]
        fmt = tarfile.PAX_FORMAT if "pax" in case else tarfile.GNU_FORMAT
        with tarfile.open(out, "w", format=fmt) as archive:
            archive.addfile(*entry("ok.txt", data=b"fine\n" * 300))
            *before, bad = cases[case]
            for info, data in before:
                archive.addfile(info, data)
            start = archive.offset
            archive.addfile(*bad)
            print(archive.offset - 512 if case.startswith("smuggled") else start)
        """#

    static let crafted = [
        Crafted(name: "dotdot", reason: .parentTraversal, path: "../evil"),
        Crafted(name: "absolute", reason: .absolutePath, path: "/etc/passwd"),
        Crafted(name: "inner-dotdot", reason: .parentTraversal, path: "a/../../x"),
        Crafted(name: "symlink-up", reason: .linkEscapes, path: "l"),
        Crafted(name: "symlink-absolute", reason: .linkEscapes, path: "l"),
        Crafted(name: "hardlink-up", reason: .linkEscapes, path: "h"),
        Crafted(name: "through-symlink", reason: .throughSymlink, path: "d/l"),
        Crafted(name: "pax-path", reason: .parentTraversal, path: "../x"),
        Crafted(name: "gnu-long-name", reason: .parentTraversal, path: String(repeating: "a", count: 120) + "/../../x"),
        Crafted(name: "char-device", reason: .deviceNode, path: "null"),
        Crafted(name: "smuggled-by-pax-size", reason: .parentTraversal, path: "../evil"),
        Crafted(name: "smuggled-after-hardlink", reason: .parentTraversal, path: "../evil"),
    ]

    /// Runs a tool from PATH in `directory`; returns its standard output.
    @discardableResult
    static func run(_ arguments: [String], in directory: String) throws -> String {
        try Tools.run(arguments, in: directory)
    }

    /// Runs `body` in a fresh scratch directory that is removed afterwards.
    static func inScratch<T>(_ body: (String) throws -> T) throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tar-guard-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        return try body(directory)
    }

    static func bytes(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// Feeds `archive` in chunks of `chunks` (repeated), then finishes.
    static func stream(_ archive: [UInt8], chunks: [Int], maximumEntries: Int = 1_000_000) -> Outcome {
        var streamGuard = TarStreamGuard(maximumEntries: maximumEntries)
        var outcome = Outcome()
        var offset = 0, index = 0
        do throws(TarRejection) {
            while offset < archive.count {
                let end = min(offset + chunks[index % chunks.count], archive.count)
                outcome.forwarded += try streamGuard.feed(archive[offset..<end])
                (offset, index) = (end, index + 1)
            }
            outcome.forwarded += try streamGuard.finish()
        } catch {
            outcome.rejection = error
        }
        outcome.entries = streamGuard.entries
        outcome.contentBytes = streamGuard.contentBytes
        return outcome
    }

    /// A tree with a 2 MB file, nested and empty directories, a relative symlink, a hardlink, a 200-character path
    /// and a long non-ASCII name, archived by GNU tar in `format`; returns the archive and its entry count.
    static func treeArchive(format: String, in directory: String) throws -> (archive: [UInt8], entries: Int) {
        let long = ["d", "e", "f"].map { String(repeating: $0, count: $0 == "f" ? 78 : 60) }.joined(separator: "/")
        let unicode = String(repeating: "ünïcödé-", count: 12) + ".txt"
        let script = """
            mkdir -p tree/nested/a/b tree/empty "tree/$(dirname "$1")" && cd tree
            printf 'hello\\n' > hello.txt && head -c 2000000 /dev/urandom > big.bin && printf 'deep' > nested/a/b/c.txt
            printf 'long' > "$1" && printf 'utf8' > "nested/$2"
            ln -s ../../hello.txt nested/a/link && ln hello.txt hard.txt
            """
        try run(["sh", "-c", script, "sh", long, unicode], in: directory)
        try run(["tar", "--format=\(format)", "-cf", "tree.tar", "-C", "tree", "."], in: directory)
        let listing = try run(["tar", "-tf", "tree.tar"], in: directory)
        return (try bytes(directory + "/tree.tar"), listing.split(separator: "\n").count)
    }

    @Test("GNU and pax archives of a real tree pass unchanged whatever the chunking", arguments: ["gnu", "pax"])
    func realTree(format: String) throws {
        let (archive, entries) = try Self.inScratch { try Self.treeArchive(format: format, in: $0) }
        #expect(entries == 14)
        for chunks in Self.chunkings {
            let outcome = Self.stream(archive, chunks: chunks)
            let identical = outcome.forwarded == archive
            #expect(outcome.rejection == nil, "chunks \(chunks.prefix(4)): \(String(describing: outcome.rejection))")
            #expect(identical, "chunks \(chunks.prefix(4))")
            #expect(outcome.entries == entries)
            #expect(outcome.contentBytes == 2_000_000 + 6 + 4 + 4 + 4)
        }
    }

    @Test("a crafted escape is rejected, naming the entry, before any byte of its headers is forwarded", arguments: TarStreamGuardTests.crafted)
    func rejectsCrafted(_ crafted: Crafted) throws {
        let (archive, badOffset) = try Self.inScratch { directory in
            let printed = try Self.run(["python3", "-c", Self.craft, crafted.name, "bad.tar"], in: directory)
            return (try Self.bytes(directory + "/bad.tar"), Int(printed.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1)
        }
        #expect(badOffset > 0)
        let byteByByte = Self.stream(archive, chunks: [1])
        #expect(byteByByte.rejection == TarRejection(crafted.reason, path: crafted.path))
        let exactlyBefore = byteByByte.forwarded == Array(archive[..<badOffset])
        #expect(exactlyBefore, "everything before the bad entry, nothing of it (\(byteByByte.forwarded.count) of \(badOffset))")
        for chunks in Self.chunkSizes.dropFirst().map({ [$0] }) {
            let outcome = Self.stream(archive, chunks: chunks)
            let prefix = outcome.forwarded == Array(archive.prefix(outcome.forwarded.count))
            #expect(outcome.rejection == TarRejection(crafted.reason, path: crafted.path), "chunks \(chunks)")
            #expect(outcome.forwarded.count <= badOffset && prefix, "chunks \(chunks): \(outcome.forwarded.count) of \(badOffset)")
        }
        #expect(byteByByte.rejection?.description.contains("\"\(crafted.path)\"") == true)
    }

    /// GNU tar's archive of "./" and "./a.txt" (headers at 0 and 512), in GNU format.
    static func smallArchive() throws -> [UInt8] {
        try inScratch { directory in
            try run(["sh", "-c", "mkdir small && printf 'small file' > small/a.txt"], in: directory)
            try run(["tar", "--format=gnu", "-cf", "small.tar", "-C", "small", "."], in: directory)
            return try bytes(directory + "/small.tar")
        }
    }

    @Test("a header whose checksum does not match is rejected and not forwarded")
    func badChecksum() throws {
        var archive = try Self.smallArchive()
        archive[512 + 2] ^= 0x01  // "./a.txt" becomes "./`.txt" without a new checksum
        for chunks in [[1], [513], [65536]] {
            let outcome = Self.stream(archive, chunks: chunks)
            #expect(outcome.rejection?.reason == .badChecksum)
            #expect(outcome.forwarded.count <= 512)
        }
    }

    @Test("an archive cut in the middle of a file fails at finish, after its content was forwarded")
    func truncated() throws {
        let archive = try Self.inScratch { directory in
            try Self.run(["sh", "-c", "mkdir big && head -c 2000000 /dev/urandom > big/big.bin"], in: directory)
            try Self.run(["tar", "-cf", "big.tar", "-C", "big", "."], in: directory)
            return try Self.bytes(directory + "/big.tar")
        }
        let cut = Array(archive[..<(1024 + 100_000)])
        for chunks in [[7], [65536]] {
            let outcome = Self.stream(cut, chunks: chunks)
            #expect(outcome.rejection == TarRejection(.truncated, path: "./big.bin"))
            #expect(outcome.forwarded.count == cut.count, "every feed succeeded: finish threw")
            #expect(outcome.contentBytes == 100_000)
        }
        #expect(Self.stream(Array(archive[..<700]), chunks: [512]).rejection?.reason == .truncated)
    }

    @Test("the archive may end after its last entry, after one zero block, or with anything after the end marker")
    func archiveEnds() throws {
        let archive = try Self.smallArchive()
        let lastEntryEnd = 512 * 3
        let endings = [
            Array(archive[..<lastEntryEnd]),
            Array(archive[..<(lastEntryEnd + 512)]),
            archive + Array("trailing bytes are ignored by Docker".utf8),
            [],
        ]
        for ending in endings {
            let outcome = Self.stream(ending, chunks: [100])
            #expect(outcome.rejection == nil)
            let unchanged = outcome.forwarded == ending
            #expect(unchanged)
        }
    }

    @Test("more entries than allowed are refused at the first one over the limit, and the refusal sticks")
    func entryLimit() throws {
        let archive = try Self.smallArchive()
        #expect(Self.stream(archive, chunks: [65536], maximumEntries: 1).rejection == TarRejection(.tooManyEntries, path: "./a.txt"))
        var streamGuard = TarStreamGuard(maximumEntries: 1)
        #expect(throws: TarRejection(.tooManyEntries, path: "./a.txt")) { try streamGuard.feed(archive) }
        #expect(throws: TarRejection(.tooManyEntries, path: "./a.txt")) { try streamGuard.finish() }
    }
}
