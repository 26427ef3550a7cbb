import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The name a resolver gives an address (PTR), looked up on a thread of its own (the resolver blocks)
/// and given up after a limit.
enum ReverseDNS {
    static func name(of address: String, within limit: Duration) async -> String? {
        let result = Mutex<String?>(nil)
        let done = AsyncStream<Void>.makeStream()
        let thread = Thread {
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            guard inet_pton(AF_INET, address, &socketAddress.sin_addr) == 1 else { done.continuation.finish(); return }
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            let status = withUnsafePointer(to: &socketAddress) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    getnameinfo($0, socklen_t(MemoryLayout<sockaddr_in>.size), &host, socklen_t(host.count), nil, 0, NI_NAMEREQD)
                }
            }
            if status == 0 { result.withLock { $0 = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) } }
            done.continuation.finish()
        }
        thread.start()
        _ = try? await Deadline.run(within: limit) { for await _ in done.stream {} }
        return result.withLock { $0 }
    }
}
