import Foundation
import NIOCore
import Testing
import TestSupport
@testable import Agent

/// The tar guard as a transfer uses it: symlinks kept whatever their target, the destination's own
/// symlinks protected, and content passed as slices of the buffers fed in.
@Suite("Tar stream guard for transfers")
struct TarStreamGuardTransferTests {
    /// A GNU tar archive (POSIX format, as transfers write it) of what `script` makes in `tree/`.
    static func archive(_ script: String) throws -> [UInt8] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tar-guard-transfer-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Tools.run(["sh", "-c", "mkdir tree && cd tree && " + script], in: directory)
        try Tools.run(["tar", "--format=posix", "--sparse", "-cf", "tree.tar", "-C", "tree", "."], in: directory)
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/tree.tar")))
    }

    /// Feeds `archive` as ByteBuffers of `chunk` bytes; the bytes forwarded and the rejection, if any.
    static func stream(_ archive: [UInt8], chunk: Int, guard streamGuard: TarStreamGuard) -> (forwarded: [UInt8], rejection: TarRejection?) {
        var streamGuard = streamGuard
        var forwarded: [UInt8] = []
        do throws(TarRejection) {
            var offset = 0
            while offset < archive.count {
                let end = min(offset + chunk, archive.count)
                for piece in try streamGuard.feed(ByteBuffer(bytes: archive[offset..<end])) { forwarded += piece.readableBytesView }
                offset = end
            }
            forwarded += try streamGuard.finish()
        } catch {
            return (forwarded, error)
        }
        return (forwarded, nil)
    }

    @Test("absolute and climbing symlinks pass as links when kept, and are refused when confined")
    func keptSymlinks() throws {
        let archive = try Self.archive("ln -s /etc/localtime localtime && ln -s ../../outside up && echo x > file")
        let kept = Self.stream(archive, chunk: 700, guard: TarStreamGuard(symlinks: .kept))
        #expect(kept.rejection == nil)
        #expect(kept.forwarded == archive)
        let confined = Self.stream(archive, chunk: 700, guard: TarStreamGuard())
        #expect(confined.rejection?.reason == .linkEscapes)
    }

    @Test("with symlinks kept, an entry that goes through a symlink of the archive is still refused")
    func throughKeptSymlink() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tar-guard-through-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let script = """
            import io, tarfile
            with tarfile.open("through.tar", "w", format=tarfile.PAX_FORMAT) as archive:
                link = tarfile.TarInfo("./l"); link.type, link.linkname = tarfile.SYMTYPE, "/etc"
                archive.addfile(link)
                data = b"root::0:0::/:/bin/sh\\n"; entry = tarfile.TarInfo("./l/passwd"); entry.size = len(data)
                archive.addfile(entry, io.BytesIO(data))
            """
        try Tools.run(["python3", "-c", script], in: directory)
        let archive = [UInt8](try Data(contentsOf: URL(fileURLWithPath: directory + "/through.tar")))
        let outcome = Self.stream(archive, chunk: 512, guard: TarStreamGuard(symlinks: .kept))
        #expect(outcome.rejection == TarRejection(.throughSymlink, path: "./l/passwd"))
        #expect(!String(decoding: outcome.forwarded, as: UTF8.self).contains("root::"))
    }

    @Test("symlinks the destination keeps elsewhere do not stop the entries of the archive")
    func unrelatedKeptSymlinks() throws {
        let inside = Self.stream(try Self.archive("mkdir a && echo x > a/f"), chunk: 512,
                                 guard: TarStreamGuard(symlinks: .kept, existingSymlinks: ["a/f/g", "b"]))
        #expect(inside.rejection == nil)
    }

    @Test("a file below a symlink the destination keeps is refused before any of its bytes")
    func belowExistingSymlink() throws {
        let archive = try Self.archive("mkdir -p l && echo secret > l/passwd")
        // The destination keeps `l` as a symlink: "./l/" replaces it, "./l/passwd" would go through it.
        let outcome = Self.stream(archive, chunk: 1, guard: TarStreamGuard(symlinks: .kept, existingSymlinks: ["l"]))
        #expect(outcome.rejection == TarRejection(.replacesKeptSymlink, path: "./l/"))
        #expect(!String(decoding: outcome.forwarded, as: UTF8.self).contains("secret"))
    }

    @Test("fed ByteBuffers, the guard forwards exactly the archive at every chunking, content as slices of the input (no copy)")
    func zeroCopy() throws {
        let archive = try Self.archive("head -c 3000000 /dev/urandom > big.bin && truncate -s 50M sparse.img && printf data >> sparse.img && "
                                       + "ln big.bin hard.bin && mkdir -p 'a b/ü' && echo x > 'a b/ü/ñ.txt'")
        for chunk in [511, 512, 4096, 65536, 1 << 20] {
            let outcome = Self.stream(archive, chunk: chunk, guard: TarStreamGuard(symlinks: .kept))
            #expect(outcome.rejection == nil, "chunk \(chunk)")
            #expect(outcome.forwarded == archive, "chunk \(chunk)")
        }
        var streamGuard = TarStreamGuard(symlinks: .kept)
        let input = ByteBuffer(bytes: archive)
        let pieces = try streamGuard.feed(input)
        #expect(pieces.reduce(0) { $0 + $1.readableBytes } == archive.count - 0, "a whole archive in one feed comes out whole")
        let start = input.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        let shared = pieces.filter { piece in
            piece.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) } >= start
                && piece.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) } < start + UInt(archive.count)
        }
        let sharedBytes = shared.reduce(0) { $0 + $1.readableBytes }
        #expect(sharedBytes >= 3_000_000, "the 3 MB file's content is a slice of the input, not a copy (\(sharedBytes) bytes shared)")
    }
}
