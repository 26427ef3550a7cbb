import NIOCore

/// Checks a tar stream entry by entry before the program that unpacks it (Docker's `PUT /containers/{id}/archive`,
/// or GNU tar for a transfer) gets it, so that nothing in it leaves the volume. Headers (with their long-name and
/// pax entries) are held back until validated; content passes as it comes, without a copy when fed ``ByteBuffer``s.
/// Where readers differ (Go's `archive/tar`, which Docker uses, changed over the years, and GNU tar), every name a
/// reader could pick is checked. After a rejection every call throws it again; the throwing call releases nothing.
public struct TarStreamGuard: Sendable {
    /// What symlink targets may be.
    public enum Symlinks: Sendable {
        /// Inside the volume (a restore through the engine).
        case confined
        /// Anything, absolute or climbing out, kept as a link and never followed (a transfer between devices);
        /// no entry may still go through a symlink.
        case kept
    }

    /// Entries seen so far (regular files, directories, links, ...; not counting pax/GNU meta headers).
    public private(set) var entries = 0
    /// Bytes of file content seen so far.
    public private(set) var contentBytes: UInt64 = 0

    private let maximumEntries: Int
    private var phase = Phase.header
    private var held: [UInt8] = []  // not yet released: pending meta entries, then the unit being collected
    private var unitStart = 0  // where in `held` the unit being collected starts
    private var meta = Meta()
    private var sawZeroBlock = false
    private var symlinks: Set<[UInt8]> = []  // normalised paths of the archive's symlinks and hardlinks to them
    private var current = ""  // the entry whose content is passing
    private var failure: TarRejection?
    private let symlinkPolicy: Symlinks
    private let kept: Set<[UInt8]>  // symlinks already in the volume that stay: no entry may replace one

    /// Creates a guard that rejects archives with more than `maximumEntries` entries; `existingSymlinks` are
    /// paths of symlinks the volume already holds and keeps, which entries may neither replace nor go through.
    public init(maximumEntries: Int = 1_000_000, symlinks: Symlinks = .confined, existingSymlinks: Set<String> = []) {
        self.maximumEntries = maximumEntries
        symlinkPolicy = symlinks
        kept = Set(existingSymlinks.map { Array($0.utf8) })
        self.symlinks = kept
    }

    /// Feeds the next bytes of the archive; returns the bytes now safe to forward (may be fewer or more than given,
    /// since headers are held back until validated).
    public mutating func feed(_ bytes: some Collection<UInt8>) throws(TarRejection) -> [UInt8] {
        let input = Array(bytes)
        var out: [UInt8] = []
        for piece in try pieces(input[...]) {
            switch piece {
            case .input(let range): out += input[range]
            case .held(let held): out += held
            }
        }
        return out
    }

    /// Feeds the next chunk of the archive; returns what is now safe to forward: content as slices of `chunk`
    /// (no copy), held headers as buffers of their own.
    public mutating func feed(_ chunk: ByteBuffer) throws(TarRejection) -> [ByteBuffer] {
        try pieces(chunk.readableBytesView).map { piece in
            switch piece {
            case .input(let range): chunk.getSlice(at: range.lowerBound, length: range.count)!
            case .held(let held): ByteBuffer(bytes: held)
            }
        }
    }

    private mutating func pieces<Bytes: Collection<UInt8>>(_ bytes: Bytes) throws(TarRejection) -> [Piece]
    where Bytes.SubSequence == Bytes, Bytes.Index == Int {
        if let failure { throw failure }
        var out = Pieces()
        do { try consume(bytes, into: &out) } catch {
            failure = error
            throw error
        }
        return out.items
    }

    /// Ends the archive; returns any remaining bytes to forward; throws when the archive is truncated mid-entry or lacks data.
    public mutating func finish() throws(TarRejection) -> [UInt8] {
        if let failure { throw failure }
        let entry: String
        switch phase {
        case .end: return []
        case .header where held.isEmpty: return []
        case .data, .sparseExtension: entry = current
        default: entry = ""
        }
        let rejection = TarRejection(.truncated, path: entry)
        failure = rejection
        throw rejection
    }

    private mutating func consume<Bytes: Collection<UInt8>>(_ input: Bytes, into out: inout Pieces) throws(TarRejection)
    where Bytes.SubSequence == Bytes, Bytes.Index == Int {
        var rest = input
        while !rest.isEmpty {
            switch phase {
            case .end:
                out.pass(rest.startIndex..<rest.endIndex)
                return
            case .data(let content, let padding):
                let chunk = rest.prefix(Int(clamping: content + padding))
                out.pass(chunk.startIndex..<chunk.endIndex)
                rest = rest.dropFirst(chunk.count)
                let fromContent = min(UInt64(chunk.count), content)
                contentBytes += fromContent
                phase = Self.dataPhase(content: content - fromContent, padding: padding - (UInt64(chunk.count) - fromContent))
            default:
                let chunk = rest.prefix(unitLength - (held.count - unitStart))
                held.append(contentsOf: chunk)
                rest = rest.dropFirst(chunk.count)
                if held.count - unitStart == unitLength { try unitCollected(into: &out) }
            }
        }
    }

    private var unitLength: Int {
        if case .meta(_, let size) = phase { return Int(Self.padded(UInt64(size))) }
        return 512
    }

    private mutating func unitCollected(into out: inout Pieces) throws(TarRejection) {
        let unit = Array(held[unitStart...])
        switch phase {
        case .meta(let type, let size): try metaCollected(type, unit[..<size], into: &out)
        case .sparseExtension(let data):
            release(into: &out)
            phase = unit[504] != 0 ? .sparseExtension(data: data) : Self.dataPhase(content: data, padding: Self.padded(data) - data)
        default: try headerCollected(unit, into: &out)
        }
    }

    private mutating func headerCollected(_ block: [UInt8], into out: inout Pieces) throws(TarRejection) {
        if block.allSatisfy({ $0 == 0 }) {
            // A meta entry needs an entry after it.
            guard unitStart == 0 else { throw TarRejection(.truncated, path: "") }
            release(into: &out)
            if sawZeroBlock { phase = .end } else { sawZeroBlock = true }
            return
        }
        // Go's reader fails on a lone zero block followed by a header.
        guard !sawZeroBlock else { throw TarRejection(.badHeader, path: "") }
        let header = try Header(block)
        switch header.type {
        case Byte.longName, Byte.longLink, Byte.pax, Byte.globalPax: try beginMeta(header, into: &out)
        default: try admit(header, into: &out)
        }
    }

    private mutating func beginMeta(_ header: Header, into out: inout Pieces) throws(TarRejection) {
        let repeated = switch header.type {
        case Byte.longName: meta.longName != nil
        case Byte.longLink: meta.longLink != nil
        case Byte.pax: meta.pax != nil
        default: unitStart > 0  // Go drops pending meta entries at a global header
        }
        guard !repeated, header.size <= 1 << 20 else { throw TarRejection(.badHeader, path: "") }
        unitStart = held.count
        phase = .meta(type: header.type, size: Int(header.size))
        if header.size == 0 { try unitCollected(into: &out) }
    }

    private mutating func metaCollected(_ type: UInt8, _ content: ArraySlice<UInt8>, into out: inout Pieces) throws(TarRejection) {
        switch type {
        case Byte.longName: meta.longName = nonEmpty(cString(content))
        case Byte.longLink: meta.longLink = nonEmpty(cString(content))
        case Byte.pax: meta.pax = try Pax(content)
        default:
            _ = try Pax(content)
            release(into: &out)
        }
        unitStart = held.count
        phase = .header
    }

    private mutating func admit(_ header: Header, into out: inout Pieces) throws(TarRejection) {
        let pax = meta.pax
        let name = meta.longName ?? pax?.path ?? header.names[0]  // the name Go's reader reports
        let path = String(decoding: name, as: UTF8.self)
        entries += 1
        guard entries <= maximumEntries else { throw TarRejection(.tooManyEntries, path: path) }
        let type = header.type == 0 && name.last == Byte.slash ? Byte.directory : header.type
        let overrides = [meta.longName, pax?.path].compactMap { $0 }
        var paths: [[UInt8]] = []
        for candidate in (overrides.isEmpty ? header.names : overrides) + [pax?.sparseName].compactMap({ $0 }) {
            paths.append(try normalised(candidate, (.absolutePath, .parentTraversal), entry: String(decoding: candidate, as: UTF8.self)))
        }
        if type != Byte.directory, paths.contains(where: \.isEmpty) { throw TarRejection(.badHeader, path: path) }
        if paths.contains(where: kept.contains) { throw TarRejection(.replacesKeptSymlink, path: path) }
        let links = [meta.longLink, pax?.linkpath].compactMap { $0 }
        try checkKind(type, paths: paths, links: links.isEmpty ? [header.link] : links, entry: path)
        let size = (Byte.hardlink...Byte.fifo).contains(type) ? 0 : pax?.size ?? header.size  // Go reads no data for these
        current = path
        meta = Meta()
        release(into: &out)
        phase = header.sparseExtended ? .sparseExtension(data: size) : Self.dataPhase(content: size, padding: Self.padded(size) - size)
    }

    /// Applies the rules of devices, symlinks and hardlinks; `paths` are the entry's normalised names.
    private mutating func checkKind(_ type: UInt8, paths: [[UInt8]], links: [[UInt8]], entry: String) throws(TarRejection) {
        switch type {
        case Byte.character, Byte.block: throw TarRejection(.deviceNode, path: entry)
        case Byte.symlink:
            for path in paths where symlinkPolicy == .confined {
                let depth = Self.components(path).count - 1
                if links.contains(where: { Self.symlinkEscapes($0, depth: depth) }) { throw TarRejection(.linkEscapes, path: entry) }
            }
            symlinks.formUnion(paths)
        case Byte.hardlink:
            for link in links {
                let target = try normalised(link, (.linkEscapes, .linkEscapes), entry: entry)
                if symlinks.contains(target) { symlinks.formUnion(paths) }  // a hardlink to a symlink is one too
            }
        default: break
        }
    }

    /// The normalised form of an entry name or hardlink target (both relative to the root), after the path rules;
    /// `reasons` are those of an absolute path and of a ".." component.
    private func normalised(_ path: [UInt8], _ reasons: (TarRejection.Reason, TarRejection.Reason), entry: String)
        throws(TarRejection) -> [UInt8] {
        let parts = Self.components(path)
        if path.first == Byte.slash { throw TarRejection(reasons.0, path: entry) }
        if parts.contains(where: Self.isParent) { throw TarRejection(reasons.1, path: entry) }
        if passesThroughSymlink(parts) { throw TarRejection(.throughSymlink, path: entry) }
        return Array(parts.joined(separator: [Byte.slash]))
    }

    private func passesThroughSymlink(_ parts: [ArraySlice<UInt8>]) -> Bool {
        guard !symlinks.isEmpty else { return false }
        var prefix: [UInt8] = []
        for part in parts.dropLast() {
            if !prefix.isEmpty { prefix.append(Byte.slash) }
            prefix += part
            if symlinks.contains(prefix) { return true }
        }
        return false
    }

    private mutating func release(into out: inout Pieces) {
        out.release(held)
        held.removeAll(keepingCapacity: true)
        unitStart = 0
    }
}

extension TarStreamGuard {
    /// A part of what a feed releases: a range of the input, or bytes held back earlier.
    private enum Piece {
        case input(Range<Int>)
        case held([UInt8])
    }

    /// What one feed releases, adjacent input ranges merged.
    private struct Pieces {
        var items: [Piece] = []

        mutating func pass(_ range: Range<Int>) {
            guard !range.isEmpty else { return }
            if case .input(let previous) = items.last, previous.upperBound == range.lowerBound {
                items[items.count - 1] = .input(previous.lowerBound..<range.upperBound)
            } else {
                items.append(.input(range))
            }
        }

        mutating func release(_ bytes: [UInt8]) {
            if !bytes.isEmpty { items.append(.held(bytes)) }
        }
    }

    private enum Phase {
        case header  // collecting a header block
        case meta(type: UInt8, size: Int)  // collecting a long-name or pax entry's content and padding
        case sparseExtension(data: UInt64)  // collecting an old-GNU sparse map block; `data` bytes follow
        case data(content: UInt64, padding: UInt64)  // passing content through
        case end  // after the end marker: passing everything through
    }

    /// What the pending long-name and pax entries said about the next entry.
    private struct Meta {
        var longName: [UInt8]?
        var longLink: [UInt8]?
        var pax: Pax?
    }

    private static func dataPhase(content: UInt64, padding: UInt64) -> Phase {
        content == 0 && padding == 0 ? .header : .data(content: content, padding: padding)
    }

    private static func padded(_ size: UInt64) -> UInt64 { (size + 511) / 512 * 512 }

    /// Path components without empty and "." ones.
    private static func components(_ path: [UInt8]) -> [ArraySlice<UInt8>] {
        path.split(separator: Byte.slash).filter { !$0.elementsEqual([Byte.dot]) }
    }

    private static func isParent(_ part: ArraySlice<UInt8>) -> Bool { part.elementsEqual([Byte.dot, Byte.dot]) }

    /// Whether a symlink target, resolved lexically from a directory `depth` levels below the root, leaves the root.
    private static func symlinkEscapes(_ target: [UInt8], depth: Int) -> Bool {
        if target.first == Byte.slash { return true }
        var depth = depth
        for part in components(target) {
            depth += isParent(part) ? -1 : 1
            if depth < 0 { return true }
        }
        return false
    }

    /// Type flags and characters of the tar format.
    private enum Byte {
        static let hardlink = UInt8(ascii: "1"), symlink = UInt8(ascii: "2"), character = UInt8(ascii: "3")
        static let block = UInt8(ascii: "4"), directory = UInt8(ascii: "5"), fifo = UInt8(ascii: "6")
        static let longName = UInt8(ascii: "L"), longLink = UInt8(ascii: "K"), pax = UInt8(ascii: "x")
        static let globalPax = UInt8(ascii: "g"), oldSparse = UInt8(ascii: "S")
        static let slash = UInt8(ascii: "/"), dot = UInt8(ascii: "."), space = UInt8(ascii: " ")
        static let equals = UInt8(ascii: "="), newline = UInt8(ascii: "\n")
    }

    /// The fields of a header block that matter for safety and framing.
    private struct Header {
        var names: [[UInt8]]  // the name Go's reader reports first, then other readings of the block
        var link: [UInt8]
        var type: UInt8
        var size: UInt64
        var sparseExtended: Bool  // an old-GNU sparse map block follows

        init(_ block: [UInt8]) throws(TarRejection) {
            let name = cString(block[0..<100])
            let path = String(decoding: name, as: UTF8.self)
            var unsigned = 0, signed = 0
            for (index, byte) in block.enumerated() {
                let value = (148..<156).contains(index) ? Byte.space : byte
                unsigned += Int(value)
                signed += Int(Int8(bitPattern: value))
            }
            guard let stored = octal(block[148..<156]), stored == unsigned || stored == signed else {
                throw TarRejection(.badChecksum, path: path)
            }
            guard let size = numeric(block[124..<136]) else { throw TarRejection(.badHeader, path: path) }
            let ustar = block[257..<263].elementsEqual("ustar\0".utf8)
            let star = ustar && block[508..<512].elementsEqual("tar\0".utf8)
            let prefix = cString(block[345..<(star ? 476 : 500)])
            let primary = ustar && !prefix.isEmpty ? prefix + [Byte.slash] + name : name
            // Other formats keep times there, yet Go reads a GNU header's unparsable times as a prefix.
            let wide = cString(block[345..<500])
            names = wide.isEmpty ? [primary] : [primary, wide + [Byte.slash] + name]
            link = cString(block[157..<257])
            type = block[156]
            self.size = size
            sparseExtended = type == Byte.oldSparse && block[482] != 0
            let gnu = block[257..<265].elementsEqual("ustar  \0".utf8)
            if type == Byte.oldSparse, !gnu { throw TarRejection(.badHeader, path: path) }
        }
    }

    /// The records of a pax extended header that matter for safety and framing.
    private struct Pax {
        var path: [UInt8]?
        var linkpath: [UInt8]?
        var sparseName: [UInt8]?  // GNU.sparse.name replaces the name in some readers
        var size: UInt64?

        /// Parses records of the form "<length> <key>=<value>\n"; an empty value leaves the header's field in force.
        init(_ records: ArraySlice<UInt8>) throws(TarRejection) {
            let bad = TarRejection(.badHeader, path: "")
            var rest = records
            while !rest.isEmpty {
                guard let space = rest.firstIndex(of: Byte.space), let length = number(rest[..<space]),
                    length <= rest.count, Int(length) > space - rest.startIndex + 1
                else { throw bad }
                let end = rest.startIndex + Int(length)
                guard rest[end - 1] == Byte.newline, let equals = rest[(space + 1)..<(end - 1)].firstIndex(of: Byte.equals)
                else { throw bad }
                let key = String(decoding: rest[(space + 1)..<equals], as: UTF8.self)
                let value = Array(rest[(equals + 1)..<(end - 1)])
                guard !key.isEmpty, !key.contains("\0") else { throw bad }
                if ["path", "linkpath", "GNU.sparse.name"].contains(key), value.contains(0) { throw bad }
                switch key {
                case "path": path = nonEmpty(value)
                case "linkpath": linkpath = nonEmpty(value)
                case "GNU.sparse.name": sparseName = nonEmpty(value)
                case "size":
                    size = number(value)
                    guard size != nil || value.isEmpty else { throw bad }
                default: break
                }
                rest = rest[end...]
            }
        }
    }
}

/// A number of digits only; nil when empty, malformed or over `Int64.max` (as Go reads it).
private func number(_ digits: some Collection<UInt8>, radix: UInt64 = 10) -> UInt64? {
    guard !digits.isEmpty else { return nil }
    var value: UInt64 = 0
    for digit in digits {
        let next = UInt64(digit) &- UInt64(UInt8(ascii: "0"))
        guard next < radix, value <= (UInt64(Int64.max) - next) / radix else { return nil }
        value = value * radix + next
    }
    return value
}

/// An octal header field, padded with spaces and NULs on either side (as Go reads it); nil when malformed.
private func octal(_ field: ArraySlice<UInt8>) -> UInt64? {
    let trimmed = field.drop { $0 == 0 || $0 == 0x20 }.reversed().drop { $0 == 0 || $0 == 0x20 }.reversed()
    return trimmed.isEmpty ? 0 : number(trimmed.prefix { $0 != 0 }, radix: 8)
}

/// A numeric header field in octal or base-256 (high bit of the first byte set); nil when malformed or negative.
private func numeric(_ field: ArraySlice<UInt8>) -> UInt64? {
    guard let first = field.first, first & 0x80 != 0 else { return octal(field) }
    guard first & 0x40 == 0 else { return nil }
    var value = UInt64(first & 0x7f)
    for byte in field.dropFirst() {
        guard value >> 56 == 0 else { return nil }
        value = value << 8 | UInt64(byte)
    }
    return value >> 63 == 0 ? value : nil
}

private func cString(_ field: ArraySlice<UInt8>) -> [UInt8] { Array(field.prefix { $0 != 0 }) }

private func nonEmpty(_ bytes: [UInt8]) -> [UInt8]? { bytes.isEmpty ? nil : bytes }

/// Why a tar stream was refused, and the entry it was refused at.
public struct TarRejection: Error, Equatable, Sendable, CustomStringConvertible {
    /// The rule an entry broke.
    public enum Reason: String, Sendable {
        case absolutePath, parentTraversal, linkEscapes, throughSymlink, replacesKeptSymlink, deviceNode, badHeader, badChecksum, truncated
        case tooManyEntries
    }

    /// The rule the entry broke.
    public var reason: Reason
    /// The entry's path as in the archive ("" when unknown).
    public var path: String

    init(_ reason: Reason, path: String) {
        self.reason = reason
        self.path = path
    }

    /// A sentence naming the entry and the cause.
    public var description: String {
        let subject = path.isEmpty ? "archive" : "archive entry \"\(path)\""
        return switch reason {
        case .absolutePath: "\(subject) escapes the volume (absolute path)"
        case .parentTraversal: "\(subject) escapes the volume (parent traversal)"
        case .linkEscapes: "\(subject) escapes the volume (link target outside the volume)"
        case .throughSymlink: "\(subject) escapes the volume (path through a symlink)"
        case .replacesKeptSymlink: "\(subject) would replace a symlink the volume keeps"
        case .deviceNode: "\(subject) is a device node"
        case .badHeader: "\(subject) has a malformed header"
        case .badChecksum: "\(subject) has a header with a bad checksum"
        case .truncated: "\(subject) is truncated"
        case .tooManyEntries: "\(subject) is over the limit of entries"
        }
    }
}
