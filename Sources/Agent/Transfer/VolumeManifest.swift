import Crypto
import NIOCore
import Protocol

/// A volume's manifest: its entries in manifest order (root, then depth first, names in byte order),
/// with the checks a receiver applies, the digest both sides report, and the wire form (JSON lines).
struct VolumeManifest: Sendable, Equatable {
    /// The entries, in manifest order.
    let entries: [ManifestEntry]
    /// Each entry by path.
    let byPath: [String: ManifestEntry]

    /// The most entries a manifest read from a peer may have, and the longest line.
    static let maximumEntries = 10_000_000, maximumLine = 1 << 20

    /// A manifest of `entries`, which must describe one tree: the root `.` first, every other entry's
    /// parent a directory listed before it, paths relative and normalised, each listed once.
    init(_ entries: [ManifestEntry]) throws {
        guard let root = entries.first, root.path == ".", root.kind == .directory else {
            throw HomelabError(.malformedMessage, "a manifest starts with its root directory '.'")
        }
        var byPath: [String: ManifestEntry] = [:]
        byPath.reserveCapacity(entries.count)
        byPath["."] = root
        for entry in entries.dropFirst() {
            let parts = entry.path.split(separator: "/", omittingEmptySubsequences: false)
            guard !entry.path.isEmpty, !parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else {
                throw HomelabError(.malformedMessage, "manifest path '\(entry.path)' is not a plain relative path")
            }
            let parent = parts.count == 1 ? "." : parts.dropLast().joined(separator: "/")
            guard byPath[parent]?.kind == .directory else {
                throw HomelabError(.malformedMessage, "manifest entry '\(entry.path)' comes without its directory '\(parent)' before it")
            }
            guard byPath.updateValue(entry, forKey: entry.path) == nil else {
                throw HomelabError(.malformedMessage, "manifest path '\(entry.path)' is listed twice")
            }
        }
        self.entries = entries
        self.byPath = byPath
    }

    static func == (left: VolumeManifest, right: VolumeManifest) -> Bool { left.entries == right.entries }

    /// Bytes of file content, each hard-linked file once.
    var contentBytes: UInt64 { entries.reduce(0) { $0 + ($1.kind == .file && $1.link == nil ? $1.size : 0) } }

    /// SHA-256 (hex) of the manifest's lines: the same entries give the same digest on either side.
    func digest() throws -> String {
        var sha = SHA256()
        for entry in entries { sha.update(data: try entry.line()) }
        return sha.finalize().map { String($0 >> 4, radix: 16) + String($0 & 15, radix: 16) }.joined()
    }

    /// The summary a side reports for `volume`.
    func summary(volume: String) throws -> VolumeSummary {
        VolumeSummary(volume: volume, entries: entries.count, bytes: contentBytes, digest: try digest())
    }

    /// How `other` (what a destination holds) differs from this manifest, at most `limit` sentences.
    func differences(_ other: VolumeManifest, limit: Int = 8) -> [String] {
        var found: [String] = []
        for entry in entries {
            if let theirs = other.byPath[entry.path] {
                if let difference = entry.difference(from: theirs) { found.append(difference) }
            } else {
                found.append("\(entry.path): missing")
            }
            if found.count == limit { return found }
        }
        for entry in other.entries where byPath[entry.path] == nil {
            found.append("\(entry.path): not in the source")
            if found.count == limit { break }
        }
        return found
    }

    // MARK: Wire form

    /// Writes the manifest as JSON lines to `stream`, in frames of about 64 KiB, and ends the stream.
    func write(to stream: OutboundStream) async throws {
        var buffer = ByteBuffer()
        for entry in entries {
            buffer.writeBytes(try entry.line())
            if buffer.readableBytes >= OutboundStream.maximumChunk {
                try await stream.write(buffer)
                buffer.clear()
            }
        }
        if buffer.readableBytes > 0 { try await stream.write(buffer) }
        try await stream.finish()
    }

    /// Reads a manifest written by ``write(to:)``, within the limits, and checks it.
    static func read(from stream: InboundStream) async throws -> VolumeManifest {
        var entries: [ManifestEntry] = []
        var pending = ByteBuffer()
        for try await var chunk in stream {
            pending.writeBuffer(&chunk)
            while let newline = pending.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                let line = pending.readSlice(length: newline - pending.readerIndex + 1)!
                entries.append(try ManifestEntry(line: line.readableBytesView.dropLast()))
                guard entries.count <= maximumEntries else {
                    throw HomelabError(.malformedMessage, "a manifest of more than \(maximumEntries) entries")
                }
            }
            guard pending.readableBytes <= maximumLine else { throw HomelabError(.malformedMessage, "a manifest line over \(maximumLine) bytes") }
            pending.discardReadBytes()
        }
        guard pending.readableBytes == 0 else { throw HomelabError(.malformedMessage, "a manifest that ends inside a line") }
        return try VolumeManifest(entries)
    }
}
