import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Where discovery datagrams go and on which interfaces.
public struct DiscoverySettings: Sendable, Equatable {
    /// Multicast group (IPv4).
    public var group: String = AnnouncementCodec.defaultGroup
    /// UDP port.
    public var port: Int = AnnouncementCodec.defaultPort
    /// Interface names to use; empty means every up, multicast-capable, non-loopback IPv4 interface.
    public var interfaces: [String] = []
    /// Whether discovery runs at all.
    public var enabled = true

    /// The defaults.
    public init() {}
}

/// A datagram read from the group.
public struct ReceivedDatagram: Sendable {
    /// Its bytes, cut at the read buffer's size; `oversized` says whether anything was cut or it exceeds the limit.
    public var bytes: ByteBuffer
    /// The sender's IP address.
    public var source: String
    /// Whether it is larger than ``AnnouncementCodec/maximumSize``.
    public var oversized: Bool { bytes.readableBytes > AnnouncementCodec.maximumSize }

    /// A datagram as read.
    public init(bytes: ByteBuffer, source: String) {
        self.bytes = bytes
        self.source = source
    }
}

/// One interface address discovery uses.
public struct DiscoveryInterface: Sendable, Hashable {
    /// Interface name (`eth0`).
    public var name: String
    /// Its IPv4 address.
    public var address: String

    /// `eth0 (192.168.1.20), wlan0 (…)` for logs, or "no interface yet".
    public static func describe(_ interfaces: [DiscoveryInterface]) -> String {
        interfaces.isEmpty ? "no interface yet" : interfaces.map { "\($0.name) (\($0.address))" }.joined(separator: ", ")
    }
}

/// The UDP side of discovery: one socket joined to the group on every chosen interface to listen,
/// and one socket per interface to send with IP TTL 1, so an announcement leaves on each LAN and
/// names the address it left from. Interfaces that appear later are picked up by ``refresh()``.
public actor DiscoveryChannel {
    private let settings: DiscoverySettings
    private let groupAddress: SocketAddress
    private let eventLoopGroup: any EventLoopGroup
    private let listener: any Channel
    /// What the listener reads; at most ``inboxSize`` datagrams wait, the oldest dropped first under a flood.
    private nonisolated let inbox: AsyncStream<AddressedEnvelope<ByteBuffer>>
    static let inboxSize = 1024
    private var joined: Set<DiscoveryInterface> = []
    private var senders: [DiscoveryInterface: any Channel] = [:]

    /// Binds the listening socket (address reuse on, so an agent and a controller on one host both hear the group).
    public init(settings: DiscoverySettings, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws {
        self.settings = settings
        self.eventLoopGroup = eventLoopGroup
        self.groupAddress = try SocketAddress(ipAddress: settings.group, port: settings.port)
        let (inbox, continuation) = AsyncStream.makeStream(of: AddressedEnvelope<ByteBuffer>.self, bufferingPolicy: .bufferingNewest(Self.inboxSize))
        self.inbox = inbox
        self.listener = try await DatagramBootstrap(group: eventLoopGroup)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            // Reads larger than this are cut; anything over the announcement limit is dropped as oversized anyway.
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 2048))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(DatagramInbox(continuation)) }
            }
            .bind(host: "0.0.0.0", port: settings.port)
            .get()
        await refresh()
    }

    /// The interfaces in use now.
    public var interfaces: [DiscoveryInterface] { senders.keys.sorted { ($0.name, $0.address) < ($1.name, $1.address) } }

    /// Joins the group and opens a sender on interfaces that appeared; forgets those that went away.
    @discardableResult
    public func refresh() async -> [DiscoveryInterface] {
        let eligible = Self.eligibleInterfaces(settings.interfaces)
        let current = Set(eligible.map(\.interface))
        for gone in senders.keys where !current.contains(gone) {
            senders.removeValue(forKey: gone)?.close(promise: nil)
        }
        joined.formIntersection(current)
        for (interface, device) in eligible {
            if !joined.contains(interface), let multicast = listener as? MulticastChannel {
                do {
                    try await multicast.joinGroup(groupAddress, device: device).get()
                    joined.insert(interface)
                } catch let error as IOError where error.errnoCode == EADDRINUSE {
                    joined.insert(interface)  // the membership survived the interface's absence
                } catch {
                    continue  // not ready yet (no carrier, address going away): the next refresh retries
                }
            }
            if senders[interface] == nil, let sender = try? await openSender(on: interface) {
                senders[interface] = sender
            }
        }
        return interfaces
    }

    /// Sends one datagram on every interface; the payload is made per interface (it may name the
    /// interface's address). Returns how many interfaces it left on.
    @discardableResult
    public func send(_ payload: @Sendable (DiscoveryInterface) -> [UInt8]) async -> Int {
        var sent = 0
        for (interface, channel) in senders {
            let envelope = AddressedEnvelope(remoteAddress: groupAddress, data: ByteBuffer(bytes: payload(interface)))
            do {
                try await channel.writeAndFlush(envelope)
                sent += 1
            } catch {
                // The interface went away or lost its address: reopen at the next refresh.
                senders.removeValue(forKey: interface)?.close(promise: nil)
            }
        }
        return sent
    }

    /// Calls `body` with every datagram that arrives until the task is cancelled or the socket closes.
    public nonisolated func receive(_ body: (ReceivedDatagram) async -> Void) async throws {
        for await envelope in inbox {
            let source = envelope.remoteAddress.ipAddress ?? "?"
            await body(ReceivedDatagram(bytes: envelope.data, source: source))
        }
    }

    /// Closes every socket.
    public func close() {
        for sender in senders.values { sender.close(promise: nil) }
        senders.removeAll()
        listener.close(promise: nil)
    }

    deinit {
        listener.close(promise: nil)
        for sender in senders.values { sender.close(promise: nil) }
    }

    /// A socket bound to the interface's address. Linux sends multicast from a socket bound to an
    /// address out of that address's interface, and the multicast TTL defaults to 1, so the options
    /// below only say it twice; they are best effort because qemu-user (an arm64 agent emulated on
    /// an x86 host) refuses `IP_MULTICAST_IF`.
    private func openSender(on interface: DiscoveryInterface) async throws -> any Channel {
        let channel = try await DatagramBootstrap(group: eventLoopGroup)
            .bind(host: interface.address, port: 0)
            .get()
        if let options = channel as? any SocketOptionProvider {
            var address = in_addr()
            if inet_pton(AF_INET, interface.address, &address) == 1 {
                try? await options.setIPMulticastIF(address).get()
            }
            try? await options.setIPMulticastTTL(1).get()
            try? await options.setIPMulticastLoop(1).get()
        }
        return channel
    }

    /// Hands every datagram the listener reads to the inbox; the inbox ends when the socket closes.
    private final class DatagramInbox: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let continuation: AsyncStream<AddressedEnvelope<ByteBuffer>>.Continuation
        init(_ continuation: AsyncStream<AddressedEnvelope<ByteBuffer>>.Continuation) { self.continuation = continuation }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            continuation.yield(unwrapInboundIn(data))
        }

        func channelInactive(context: ChannelHandlerContext) {
            continuation.finish()
            context.fireChannelInactive()
        }
    }

    /// Up, multicast-capable IPv4 interfaces: every non-loopback one, or exactly those named.
    static func eligibleInterfaces(_ names: [String]) -> [(interface: DiscoveryInterface, device: NIONetworkDevice)] {
        guard let devices = try? System.enumerateDevices() else { return [] }
        return devices.compactMap { device in
            guard case .v4 = device.address, let address = device.address?.ipAddress else { return nil }
            if names.isEmpty {
                guard device.multicastSupported, !address.hasPrefix("127."), isUp(device.name) else { return nil }
            } else {
                guard names.contains(device.name), isUp(device.name) else { return nil }
            }
            return (DiscoveryInterface(name: device.name, address: address), device)
        }
    }

    /// Whether the kernel has the interface administratively up (`IFF_UP` in sysfs); assumed up when unreadable.
    static func isUp(_ name: String) -> Bool {
        guard let file = fopen("/sys/class/net/\(name)/flags", "r") else { return true }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 32)
        guard fgets(&line, Int32(line.count), file) != nil else { return true }
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let flags = UInt32(text.dropFirst(text.hasPrefix("0x") ? 2 : 0).prefix { $0.isHexDigit }, radix: 16) else { return true }
        return flags & 0x1 != 0
    }
}
