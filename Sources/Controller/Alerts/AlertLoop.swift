import Foundation
import Logging
import ServiceLifecycle

/// Evaluates the alert rules every ``AlertSettings/evaluationInterval`` and sends due deliveries every
/// ``AlertSettings/deliveryInterval``. Deliveries being sent when the controller is killed are still pending in the
/// store and go out after the restart.
struct AlertLoop: Service {
    let alerts: AlertService
    let logger: Logger

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var nextEvaluation = ContinuousClock.now
            var nextPrune = ContinuousClock.now
            while true {
                let now = ContinuousClock.now
                if now >= nextEvaluation {
                    nextEvaluation = now + alerts.settings.evaluationInterval
                    do { try await alerts.evaluate() } catch is CancellationError { return } catch { logger.warning("evaluating alert rules: \(error)") }
                }
                do { try await alerts.deliverDue() } catch is CancellationError { return } catch { logger.warning("sending alerts: \(error)") }
                if now >= nextPrune {
                    nextPrune = now + .seconds(3600)
                    try? await alerts.prune(now: Date())
                }
                try await Task.sleep(for: alerts.settings.deliveryInterval)
            }
        }
    }
}
