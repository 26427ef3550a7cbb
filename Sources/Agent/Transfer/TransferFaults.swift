import NIOCore

/// A fault for the tests, in debug builds only: flips one byte of a tar stream after it was read, as
/// a broken disk or memory would, so that the destination's manifest check has something to catch.
/// Release builds pass every chunk through untouched (and accept no setting that asks for this).
struct TransferFaults {
    /// Which stream to corrupt, and where: the setting `test_corrupt_transfer: VOLUME@OFFSET`.
    struct Corruption: Sendable, Equatable {
        /// The volume whose tar stream is corrupted.
        var volume: String
        /// The offset in that stream of the byte flipped.
        var offset: UInt64
    }

    #if DEBUG
    private let offset: UInt64?
    private var passed: UInt64 = 0

    /// Flips the byte of `corruption` when this is the stream of its volume.
    init(_ corruption: Corruption?, volume: String) {
        offset = corruption?.volume == volume ? corruption?.offset : nil
    }

    /// The chunk as sent.
    mutating func pass(_ chunk: ByteBuffer) -> ByteBuffer {
        defer { passed += UInt64(chunk.readableBytes) }
        guard let offset, offset >= passed, offset < passed + UInt64(chunk.readableBytes) else { return chunk }
        var copy = chunk
        let index = copy.readerIndex + Int(offset - passed)
        copy.setInteger(copy.getInteger(at: index, as: UInt8.self)! ^ 0xff, at: index)
        return copy
    }
    #else
    /// No fault in a release build.
    init(_ corruption: Corruption?, volume: String) {}

    /// The chunk, untouched.
    func pass(_ chunk: ByteBuffer) -> ByteBuffer { chunk }
    #endif
}
