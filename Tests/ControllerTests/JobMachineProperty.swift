@testable import Controller
import Protocol
import Testing
import TestSupport

/// The property test every job machine passes: random event sequences (from `event`, out of place ones
/// included) never give two outcomes, no action after an outcome, and only actions that are the stored
/// state's `work`. `check` sees the machine after each transition, with whether a failure (`isFailure`) came before.
func checkJobInvariants<M: JobMachine>(runs: Int = 3_000, seed: UInt64, machine: (inout SplitMix64) -> M, event: (inout SplitMix64) -> M.Event,
                                       isFailure: (M.Event) -> Bool, work: (M) -> [M.Action], check: (M, _ failed: Bool, _ run: Int) -> Void)
    where M.Action: Equatable {
    var random = SplitMix64(seed: seed)
    for run in 0..<runs {
        var m = machine(&random)
        _ = m.start()
        var outcomes = 0
        var failed = false
        for _ in 0..<Int.random(in: 1...40, using: &random) {
            let before = m.outcome
            let next = event(&random)
            if before == nil, isFailure(next) { failed = true }
            let t = m.handle(next)
            if before != nil {
                #expect(t.actions.isEmpty && m.outcome == before, "run \(run): an ended job acted or changed its outcome")
                continue
            }
            if m.outcome != nil { outcomes += 1 }
            if !t.actions.isEmpty {
                #expect(t.actions == work(m), "run \(run): the stored state does not know what it asked for (\(m.stateName))")
            }
            check(m, failed, run)
        }
        #expect(outcomes <= 1, "run \(run): two final states")
    }
}
