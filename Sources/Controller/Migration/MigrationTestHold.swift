import Foundation

/// A hook for the kill tests, in debug builds only: with `HOMELAB_TEST_HOLD_MIGRATION` naming a directory,
/// a migration's action waits while a file named for its state (`copying`) is there, after writing
/// `<state>.reached` beside it, so a test strikes at that step and then lets the job go on. Release
/// builds never wait.
enum MigrationTestHold {
    static let variable = "HOMELAB_TEST_HOLD_MIGRATION"

    /// Waits while the hold file of `state` exists.
    static func wait(before state: String, clock: any Clock<Duration>) async throws {
        #if DEBUG
        guard let directory = ProcessInfo.processInfo.environment[variable] else { return }
        let hold = "\(directory)/\(state)"
        guard FileManager.default.fileExists(atPath: hold) else { return }
        _ = FileManager.default.createFile(atPath: hold + ".reached", contents: nil)
        while FileManager.default.fileExists(atPath: hold) { try await clock.sleep(for: .milliseconds(100), tolerance: nil) }
        #endif
    }
}
