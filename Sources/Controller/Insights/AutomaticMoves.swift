import Foundation
import Logging
import ServiceLifecycle

/// Carries out suggested moves on its own, only inside the window the user set and never for pinned apps
/// (``InsightsService/start(_:automatic:now:)`` refuses those): each suggestion is tried at most once an hour.
struct AutomaticMoves: Service {
    let insights: InsightsService
    let window: DailyWindow
    let interval: Duration
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var tried: [String: Date] = [:]
            while true {
                try await Task.sleep(for: interval)
                tried = await step(tried: tried, now: Date())
            }
        }
    }

    /// One look: inside the window, starts every suggestion not tried in the last hour; returns what was tried when.
    func step(tried: [String: Date], now: Date) async -> [String: Date] {
        var tried = tried.filter { now.timeIntervalSince($0.value) < 3600 }
        guard window.contains(now) else { return tried }
        let suggested = ((try? await insights.current(now: now)) ?? []).filter { $0.suggestion != nil }
        for insight in suggested where tried[insight.id] == nil {
            tried[insight.id] = now
            do {
                let move = try await insights.start(insight.id, automatic: true, now: now)
                logger.info("moving \(move.deployment) from \(move.from) to \(move.to) automatically")
            } catch {
                logger.warning("automatic move for \(insight.id): \(error)")
            }
        }
        return tried
    }
}
