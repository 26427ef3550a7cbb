import NIOCore
import Protocol
import Synchronization

/// Volume contents as tar streams, through the Engine's archive endpoints on a created, never
/// started container of an image the stack already has (so no helper image is needed). The
/// building blocks of migration and backup.
public struct VolumeArchiver: Sendable {
    public var runtime: any ContainerRuntime
    /// Where the volume is mounted in the helper container.
    static let mountPoint = "/homelab-volume"

    public init(runtime: any ContainerRuntime) { self.runtime = runtime }

    /// Streams the contents of `volume` (entries named `./…`), using `image` for the helper container.
    public func archive(volume: String, image: String, _ chunk: (ByteBuffer) async throws -> Void) async throws {
        // Docker would create a missing volume for the helper and archive it empty.
        guard try await exists(volume) else { throw DockerClientError(.notFound, "no volume \(volume) on this device") }
        let helper = try await createHelper(volume: volume, image: image, readOnly: true)
        do {
            try await runtime.archive(container: helper, path: Self.mountPoint + "/.", chunk)
        } catch {
            try? await runtime.remove(container: helper)
            throw error
        }
        try await runtime.remove(container: helper)
    }

    /// Unpacks a tar stream into `volume`. Every entry is checked before any of its bytes reach the
    /// engine: an absolute path, `..`, a link leading out or a path through a link ends the restore
    /// with a ``TarRejection`` and that entry is never written. Returns the entries and content bytes restored.
    @discardableResult
    public func restore<Source: AsyncSequence & Sendable>(volume: String, image: String, tar: Source) async throws -> (entries: Int, bytes: UInt64)
    where Source.Element == ByteBuffer {
        let existed = try await exists(volume)
        let helper = try await createHelper(volume: volume, image: image, readOnly: false)
        let guarded = GuardedTar(tar)
        let stream = AsyncThrowingStream<ByteBuffer, any Error> { try await guarded.next() }
        do {
            try await runtime.extract(container: helper, path: Self.mountPoint, tar: stream)
        } catch {
            try? await runtime.remove(container: helper)
            // A volume made for this restore goes again; an existing one keeps what it had plus what was unpacked.
            if !existed { try? await runtime.removeVolume(name: volume) }
            throw error
        }
        try await runtime.remove(container: helper)
        return guarded.counts
    }

    private func exists(_ volume: String) async throws -> Bool {
        try await runtime.volumes(labelled: [:]).contains { $0.name == volume }
    }

    private func createHelper(volume: String, image: String, readOnly: Bool) async throws -> String {
        var service = ServiceSpec(image: image)
        // Never started: the entry point only has to be named, not to exist.
        service.entrypoint = ["/homelab-volume-helper-never-started"]
        service.volumes = [MountSpec(type: "volume", source: volume, target: Self.mountPoint, readOnly: readOnly)]
        service.networkMode = "none"
        let name = "homelab-volume-\(volume)-\(UInt32.random(in: .min ... .max))"
        let labels = [StackLabels.managed: "true", "io.homelab.helper": "volume", "io.homelab.volume": volume]
        return try await runtime.create(container: ContainerCreate(name: name, service: service, labels: labels, networks: []))
    }
}

/// A tar source read through a ``TarStreamGuard``, pulled one chunk at a time by the upload; content passes
/// as slices of the source's own buffers.
private final class GuardedTar<Source: AsyncSequence & Sendable>: Sendable where Source.Element == ByteBuffer {
    private struct State: @unchecked Sendable {
        // The iterator is only touched by `next()`, which the single consumer of the stream calls one at a time.
        var iterator: Source.AsyncIterator
        var guard_ = TarStreamGuard()
        var ready: [ByteBuffer] = []
        var finished = false
    }
    private let state: Mutex<State>

    init(_ source: Source) {
        state = Mutex(State(iterator: source.makeAsyncIterator()))
    }

    var counts: (entries: Int, bytes: UInt64) { state.withLock { ($0.guard_.entries, $0.guard_.contentBytes) } }

    func next() async throws -> ByteBuffer? {
        while true {
            let (next, finished): (ByteBuffer?, Bool) = state.withLock { state in
                state.ready.isEmpty ? (nil, state.finished) : (state.ready.removeFirst(), false)
            }
            if let next { return next }
            if finished { return nil }
            var iterator = state.withLock { $0.iterator }
            let chunk = try await iterator.next()
            try state.withLock { state in
                state.iterator = iterator
                guard let chunk else {
                    state.finished = true
                    let rest = try state.guard_.finish()
                    if !rest.isEmpty { state.ready.append(ByteBuffer(bytes: rest)) }
                    // No entry at all: an empty input, not an archive (even an empty directory has `./`).
                    if state.guard_.entries == 0 { throw TarRejection(.truncated, path: "") }
                    return
                }
                state.ready += try state.guard_.feed(chunk)
            }
        }
    }
}
