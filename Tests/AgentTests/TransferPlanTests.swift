import Testing
@testable import Agent
import Protocol

/// What an incremental copy sends and deletes, decided from two manifests without a file system.
@Suite("Transfer plan")
struct TransferPlanTests {
    static func directory(_ path: String, mtime: Int64 = 1) -> ManifestEntry {
        ManifestEntry(path: path, kind: .directory, mode: 0o755, uid: 0, gid: 0, mtime: mtime)
    }

    static func file(_ path: String, _ sha: String = "a", link: String? = nil, mode: UInt32 = 0o644) -> ManifestEntry {
        ManifestEntry(path: path, kind: .file, mode: mode, uid: 0, gid: 0, size: 1, mtime: 1, sha256: sha, link: link)
    }

    static func symlink(_ path: String, _ target: String) -> ManifestEntry {
        ManifestEntry(path: path, kind: .symlink, mode: 0o777, uid: 0, gid: 0, mtime: 1, target: target)
    }

    static func manifest(_ entries: [ManifestEntry]) throws -> VolumeManifest { try VolumeManifest(entries) }

    @Test("without a base everything is sent and nothing deleted")
    func cold() throws {
        let source = try Self.manifest([Self.directory("."), Self.file("a"), Self.directory("d"), Self.file("d/b")])
        let plan = TransferPlan(source: source, base: nil)
        #expect(plan.send == [".", "a", "d", "d/b"])
        #expect(plan.delete.isEmpty)
        #expect(plan.keptSymlinks.isEmpty)
    }

    @Test("an unchanged volume sends nothing and deletes nothing")
    func unchanged() throws {
        let entries = [Self.directory("."), Self.file("a"), Self.symlink("l", "/etc/localtime")]
        let plan = TransferPlan(source: try Self.manifest(entries), base: try Self.manifest(entries))
        #expect(plan.send.isEmpty)
        #expect(plan.delete.isEmpty)
        #expect(plan.keptSymlinks == ["l"])
    }

    @Test("a changed file is deleted and sent again, with the directories above it; other files stay")
    func changedFile() throws {
        let base = try Self.manifest([Self.directory("."), Self.directory("d"), Self.file("d/x", "old"), Self.file("d/y"), Self.file("z")])
        let source = try Self.manifest([Self.directory("."), Self.directory("d"), Self.file("d/x", "new"), Self.file("d/y"), Self.file("z")])
        let plan = TransferPlan(source: source, base: base)
        #expect(plan.send == [".", "d", "d/x"])
        #expect(plan.delete == ["d/x"])
    }

    @Test("what the source no longer has is deleted, children before their directory, and the parent's time is set again")
    func deletions() throws {
        let base = try Self.manifest([Self.directory("."), Self.directory("gone"), Self.file("gone/a"), Self.directory("gone/deep"),
                                      Self.file("gone/deep/b"), Self.file("kept")])
        let source = try Self.manifest([Self.directory(".", mtime: 2), Self.file("kept")])
        let plan = TransferPlan(source: source, base: base)
        #expect(plan.delete == ["gone/deep/b", "gone/deep", "gone/a", "gone"])
        #expect(plan.send == ["."])
    }

    @Test("a directory that stays a directory is kept; one that became a file is deleted with what it held")
    func kindChanges() throws {
        let base = try Self.manifest([Self.directory("."), Self.directory("d"), Self.file("d/a"), Self.directory("e")])
        let source = try Self.manifest([Self.directory("."), Self.file("d"), Self.directory("e", mtime: 5)])
        let plan = TransferPlan(source: source, base: base)
        #expect(plan.delete == ["d/a", "d"])
        #expect(plan.send == [".", "d", "e"])
    }

    @Test("every name of a hard-linked file travels together, even when only the linking changed")
    func hardLinks() throws {
        let base = try Self.manifest([Self.directory("."), Self.file("a"), Self.file("b")])
        let source = try Self.manifest([Self.directory("."), Self.file("a"), Self.file("b", link: "a")])
        let plan = TransferPlan(source: source, base: base)
        #expect(plan.send == [".", "a", "b"])
        #expect(plan.delete == ["b"])
    }

    @Test("a symlink that changed is deleted and sent; one that did not stays and is kept from the tar")
    func symlinks() throws {
        let base = try Self.manifest([Self.directory("."), Self.symlink("abs", "/etc/localtime"), Self.symlink("rel", "a")])
        let source = try Self.manifest([Self.directory("."), Self.symlink("abs", "/etc/localtime"), Self.symlink("rel", "b")])
        let plan = TransferPlan(source: source, base: base)
        #expect(plan.delete == ["rel"])
        #expect(plan.keptSymlinks == ["abs"])
        #expect(plan.send == [".", "rel"])
    }

    @Test("a manifest that is not one tree is refused, naming the entry", arguments: [
        ([TransferPlanTests.directory("."), TransferPlanTests.file("a"), TransferPlanTests.file("a")], "listed twice"),
        ([TransferPlanTests.file("a")], "starts with its root"),
        ([TransferPlanTests.directory("."), TransferPlanTests.file("d/a")], "without its directory"),
        ([TransferPlanTests.directory("."), TransferPlanTests.file("../x")], "not a plain relative path"),
        ([TransferPlanTests.directory("."), TransferPlanTests.file("/etc/passwd")], "not a plain relative path"),
        ([TransferPlanTests.directory("."), TransferPlanTests.file("a"), TransferPlanTests.file("a/b")], "without its directory"),
    ])
    func malformed(entries: [ManifestEntry], problem: String) {
        #expect { try VolumeManifest(entries) } throws: { error in
            (error as? HomelabError)?.code == .malformedMessage && "\(error)".contains(problem)
        }
    }

    @Test("differences name each path and what differs")
    func differences() throws {
        let source = try Self.manifest([Self.directory("."), Self.file("a", "x"), Self.file("b", mode: 0o600), Self.file("c")])
        let copy = try Self.manifest([Self.directory("."), Self.file("a", "y"), Self.file("b"), Self.file("extra")])
        #expect(source.differences(copy) == ["a: content differs", "b: mode differs", "c: missing", "extra: not in the source"])
        #expect(source.differences(source).isEmpty)
        #expect(try source.digest() != copy.digest())
        #expect(try source.digest() == Self.manifest(source.entries).digest())
    }

    @Test("a base manifest is paged at the same places every time, and the pages add up to it")
    func pages() throws {
        let entries = [Self.directory(".")] + (0..<30_000).map { Self.file("file-\($0)-" + String(repeating: "x", count: 120)) }
        var collected: [ManifestEntry] = []
        var number = 0
        while true {
            let page = try TransferReceiver.page(number, of: entries)
            collected += page.entries
            guard page.more else { break }
            number += 1
        }
        #expect(number >= 1, "30,000 entries of ~250 bytes make more than one 4 MiB page")
        #expect(collected == entries)
    }
}
