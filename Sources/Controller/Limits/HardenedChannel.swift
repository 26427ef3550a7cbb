import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1

/// The API's child channel: Hummingbird's TLS + HTTP/1 + WebSocket channel, with a ``ConnectionGateHandler``
/// in front of everything (caps in total and per address) and an ``HTTPGuardHandler`` right after the
/// request decoder (deadlines, 431 and 400 with bodies, refused upgrades answered as the API answers them).
struct HardenedChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base
    let gate: ConnectionGate
    let timeouts: HTTPGuardHandler.Timeouts

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let timeouts = self.timeouts
        let gate = self.gate
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ConnectionGateHandler(gate: gate), position: .first)
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }.flatMapThrowing { value in
            let decoder = try channel.pipeline.syncOperations.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try channel.pipeline.syncOperations.addHandler(HTTPGuardHandler(timeouts: timeouts), position: .after(decoder))
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
