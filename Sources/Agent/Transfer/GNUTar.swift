import NIOCore
import NIOPosix
import Protocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// GNU tar on a volume's directory on the host: the program that reads and writes volumes for
/// transfers (sparse files, hard links, extended attributes, owners and nanosecond times in the
/// POSIX format). Both sides run the same flags, so what one writes the other reads back exactly.
struct GNUTar: Sendable {
    /// The program's path.
    let program: String

    /// Extended attributes carried (POSIX ACLs are `system.posix_acl_*` and go with `--acls`). SELinux
    /// labels are the destination's own policy's to set, and `trusted.*` would need CAP_SYS_ADMIN: both stay.
    static let xattrPatterns = ["user.*", "security.capability"]

    /// The first GNU tar on the helpers' `PATH`; a BusyBox or BSD tar is refused with what to install.
    static func locate() async throws -> GNUTar {
        let directories = HelperProcess.environment[0].dropFirst("PATH=".count).split(separator: ":")
        let candidates = directories.map { String($0) + "/tar" }
        guard let program = candidates.first(where: { path in access(path, X_OK) == 0 }) else {
            throw HomelabError(.runtime, "this device has no tar: install GNU tar (Debian: apt install tar; Alpine: apk add tar)")
        }
        var version = ByteBuffer()
        let tar = GNUTar(program: program)
        try await tar.run(["--version"], .output { chunk in
            var chunk = chunk
            if version.readableBytes < 4096 { version.writeBuffer(&chunk) }
        })
        guard String(buffer: version).hasPrefix("tar (GNU tar)") else {
            let first = String(buffer: version).split(separator: "\n").first.map(String.init) ?? "an unknown tar"
            throw HomelabError(.runtime, "\(program) is \(first), not GNU tar: install GNU tar (Alpine: apk add tar)")
        }
        return tar
    }

    /// Writes the tar of the entries listed in `listFile` (NUL-separated `./`-relative paths, nothing
    /// recursed into) below `directory`, chunk by chunk. `live`: files that change or vanish while
    /// read are copied as they are found (a warm copy of a running app), not a failure.
    func create(in directory: String, listFile: String, live: Bool, _ consume: @escaping (ByteBuffer) async throws -> Void) async throws {
        var arguments = ["--create", "--file=-", "--format=posix", "--sparse", "--numeric-owner", "--acls", "--xattrs"]
        arguments += Self.xattrPatterns.map { "--xattrs-include=\($0)" }
        // --directory first: it applies to the names that follow it, those of the list too.
        arguments += ["--directory=\(directory)", "--no-recursion", "--null", "--verbatim-files-from", "--files-from=\(listFile)"]
        if live { arguments += ["--ignore-failed-read", "--warning=no-file-changed", "--warning=no-file-removed"] }
        // Status 1 is "some files changed while being read", expected of a live copy.
        try await run(arguments, .output(consume), acceptable: live ? [0, 1] : [0])
    }

    /// Unpacks the tar that `produce` writes into `directory`, with owners, modes, times and attributes.
    func extract(into directory: String, _ produce: @escaping (NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws -> Void) async throws {
        var arguments = ["--extract", "--file=-", "--numeric-owner", "--same-owner", "--same-permissions", "--acls", "--xattrs"]
        arguments += Self.xattrPatterns.map { "--xattrs-include=\($0)" }
        arguments += ["--delay-directory-restore", "--directory=\(directory)"]
        try await run(arguments, .input(produce))
    }

    /// What a run of tar is fed or read: its standard input written by the caller, or its standard output read.
    private enum Stream {
        case input((NIOAsyncChannelOutboundWriter<ByteBuffer>) async throws -> Void)
        case output((ByteBuffer) async throws -> Void)
    }

    /// Runs tar with `arguments`, the caller writing its input or reading its output in this task while a
    /// child task keeps its last words. A status outside `acceptable` fails with them (`no_space` when
    /// its disk filled up).
    private func run(_ arguments: [String], _ stream: Stream, acceptable: Set<Int32> = [0]) async throws {
        let pipe = try HelperProcess.pipe()
        let errors: (read: Int32, write: Int32)
        do {
            errors = try HelperProcess.pipe()
        } catch {
            [pipe.read, pipe.write].forEach { close($0) }
            throw error
        }
        let process: HelperProcess
        let ours: Int32
        do {
            switch stream {
            case .input:
                ours = pipe.write
                process = try HelperProcess(program, arguments, streams: .init(input: pipe.read, output: nil, errors: errors.write))
            case .output:
                ours = pipe.read
                process = try HelperProcess(program, arguments, streams: .init(input: nil, output: pipe.write, errors: errors.write))
            }
        } catch {
            [pipe.read, pipe.write, errors.read].forEach { close($0) }
            throw error
        }
        let messages: String
        do {
            messages = try await withThrowingTaskGroup(of: String.self) { group in
                group.addTask { try await Self.lastWords(errors.read) }
                switch stream {
                case .input(let produce):
                    do {
                        let writer = try await Self.writer(ours)
                        try await writer.executeThenClose { _, outbound in
                            try await produce(outbound)
                            // Closing a pipe that has only an output drops the writes still queued: an empty write
                            // completes after all of them, then the end of input can go.
                            try await writer.channel.writeAndFlush(ByteBuffer()).get()
                            outbound.finish()
                        }
                    } catch let error where Self.isClosedPipe(error) {
                        // tar ended and closed its input: at the archive's end (the padding after it unread) or
                        // when its disk filled. Its status and last words, below, say which.
                    }
                case .output(let consume):
                    try await Self.reader(ours).executeThenClose { inbound, _ in
                        for try await chunk in inbound { try await consume(chunk) }
                    }
                }
                return try await group.next() ?? ""
            }
        } catch {
            process.kill()
            _ = await process.exitStatus()
            throw error
        }
        let status = await process.exitStatus()
        guard acceptable.contains(status) else {
            // The first complaint says what went wrong; the last one is "exiting with failure status".
            let lines = messages.split(separator: "\n").map(String.init)
            let first = lines.first { !$0.contains("Exiting with failure status") && !$0.contains("Error is not recoverable") }
                ?? lines.last ?? "exit status \(status)"
            if messages.contains("No space left on device") || messages.contains("Wrote only") {
                throw HomelabError(.noSpace, "the disk filled up: \(first)")
            }
            throw HomelabError(.runtime, "tar failed (status \(status)): \(first)")
        }
    }

    /// Whether a write failed because the pipe's other end (tar) closed.
    private static func isClosedPipe(_ error: any Error) -> Bool {
        if let error = error as? ChannelError { return error == .ioOnClosedChannel || error == .outputClosed }
        return (error as? IOError)?.errnoCode == EPIPE
    }

    /// The reading end of a pipe as a channel of chunks of at most 64 KiB.
    private static func reader(_ descriptor: Int32) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        do {
            return try await NIOPipeBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 64 * 1024))
                .takingOwnershipOfDescriptor(input: descriptor) { channel in
                    channel.eventLoop.makeCompletedFuture { try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel) }
                }
        } catch {
            close(descriptor)
            throw error
        }
    }

    /// The writing end of a pipe as a channel; finishing its writer closes the pipe (end of input).
    private static func writer(_ descriptor: Int32) async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        do {
            return try await NIOPipeBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .takingOwnershipOfDescriptor(output: descriptor) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                    }
                }
        } catch {
            close(descriptor)
            throw error
        }
    }

    /// The last 8 KiB the process wrote to standard error.
    private static func lastWords(_ descriptor: Int32) async throws -> String {
        var kept = ByteBuffer()
        try await reader(descriptor).executeThenClose { inbound, _ in
            for try await var chunk in inbound {
                kept.writeBuffer(&chunk)
                if kept.readableBytes > 16 * 1024 {
                    kept.moveReaderIndex(forwardBy: kept.readableBytes - 8 * 1024)
                    kept.discardReadBytes()
                }
            }
        }
        return String(buffer: kept)
    }
}
