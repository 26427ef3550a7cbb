@testable import Controller
import Testing
import TestSupport

/// The jobs checklist's property test for any machine: over random event sequences, never two
/// outcomes, no action (nor a changed outcome) after one, and the actions a transition returns are the
/// stored state's work (what makes resume correct). Each machine adds its own invariants in `each`.
enum MachineProperty {
    /// Drives `runs` machines made by `make` through up to `events` random events from `event`.
    /// `isFailure` says whether an event (in the machine as it was) is a failure the job must answer;
    /// `each` sees the machine after every event handled before an outcome, and whether a failure came.
    static func check<M: JobMachine>(runs: Int = 3_000, seed: UInt64, events: ClosedRange<Int>, make: (inout SplitMix64) -> M,
                                     event: (inout SplitMix64) -> M.Event, work: (M) -> [M.Action], isFailure: (M, M.Event) -> Bool,
                                     each: (M, _ failed: Bool, _ run: Int) -> Void) where M.Action: Equatable {
        var random = SplitMix64(seed: seed)
        for run in 0..<runs {
            var machine = make(&random)
            _ = machine.start()
            var outcomes = 0
            var failed = false
            for _ in 0..<Int.random(in: events, using: &random) {
                let before = machine.outcome
                let next = event(&random)
                if before == nil, isFailure(machine, next) { failed = true }
                let transition = machine.handle(next)
                if before != nil {
                    #expect(transition.actions.isEmpty && machine.outcome == before, "run \(run): an ended job acted or changed its outcome")
                    continue
                }
                if machine.outcome != nil { outcomes += 1 }
                if !transition.actions.isEmpty {
                    #expect(transition.actions == work(machine), "run \(run): the stored state does not know what it asked for")
                }
                each(machine, failed, run)
            }
            #expect(outcomes <= 1, "run \(run): two final states")
        }
    }
}
