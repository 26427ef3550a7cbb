import NIOCore
import Synchronization

#if canImport(Glibc)
/// glibc's `malloc_trim` (malloc.h, which the Glibc module does not include): returns free heap memory to the system.
@_silgen_name("malloc_trim")
private func mallocTrim(_ pad: Int) -> Int32
#endif

/// Counts a listener's open connections, in total and per source address, and refuses those over either cap.
/// When a flood has drained away it hands the freed heap back to the system (`malloc_trim`): glibc keeps freed
/// memory in its arenas, so a process that once held thousands of connections would otherwise stay that large.
public final class ConnectionGate: Sendable {
    private struct State {
        var total = 0
        var perAddress: [String: Int] = [:]
        var peakSinceTrim = 0
    }
    private let state = Mutex(State())
    /// Most connections open at once.
    public let maximumTotal: Int
    /// Most connections open at once from one address.
    public let maximumPerAddress: Int
    /// A peak at least this high is trimmed once the count falls to an eighth of it.
    static let trimPeak = 256

    /// Creates a gate with both caps.
    public init(maximumTotal: Int, maximumPerAddress: Int) {
        self.maximumTotal = maximumTotal
        self.maximumPerAddress = maximumPerAddress
    }

    /// Admits one connection from `address` (nil: unknown), or refuses it when a cap is reached.
    func admit(_ address: String?) -> Bool {
        state.withLock { state in
            let key = address ?? "unknown"
            guard state.total < maximumTotal, state.perAddress[key, default: 0] < maximumPerAddress else { return false }
            state.total += 1
            state.perAddress[key, default: 0] += 1
            state.peakSinceTrim = max(state.peakSinceTrim, state.total)
            return true
        }
    }

    /// Releases an admitted connection.
    func release(_ address: String?) {
        let trim = state.withLock { state -> Bool in
            let key = address ?? "unknown"
            state.total -= 1
            if let count = state.perAddress[key], count > 1 { state.perAddress[key] = count - 1 } else { state.perAddress.removeValue(forKey: key) }
            guard state.peakSinceTrim >= Self.trimPeak, state.total <= state.peakSinceTrim / 8 else { return false }
            state.peakSinceTrim = state.total
            return true
        }
        #if canImport(Glibc)
        if trim { _ = mallocTrim(0) }
        #endif
    }

    /// Connections open now.
    public var open: Int { state.withLock { $0.total } }
}

/// The first handler of every accepted connection: asks the gate, closes the connection at once when it is
/// refused, and releases its place when the connection closes.
final class ConnectionGateHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    private let gate: ConnectionGate
    private var admittedAddress: String??

    init(gate: ConnectionGate) { self.gate = gate }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { admit(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if admittedAddress == nil { admit(context) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let address = admittedAddress { gate.release(address) }
        admittedAddress = nil
        context.fireChannelInactive()
    }

    private func admit(_ context: ChannelHandlerContext) {
        let address = context.channel.remoteAddress?.ipAddress
        if gate.admit(address) {
            admittedAddress = .some(address)
        } else {
            context.close(promise: nil)
        }
    }
}
