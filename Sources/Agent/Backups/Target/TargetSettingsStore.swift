import FoundationEssentials
import Protocol
import Synchronization

/// The backup-target settings of this device: saved in the state directory before they apply, so
/// a restarted agent serves its repositories again without the controller (the recovery kit relies
/// on it), and handed to the server as they change.
public final class TargetSettingsStore: Sendable {
    /// Where a listener stands after a change.
    public enum Binding: Equatable, Sendable {
        /// Not serving (no settings).
        case idle
        /// Listening on the port.
        case serving(port: Int)
        /// The last attempt to listen failed.
        case failed(String)
    }

    private struct State {
        var settings: BackupTargetSettings?
        var version = 0
        var binding = Binding.idle
        var bindingVersion = -1
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    /// The settings file (`backup-target.json`, mode 0600).
    let file: String
    private let state: Mutex<State>

    /// Loads the saved settings, if any.
    public init(stateDirectory: String) {
        file = stateDirectory + "/backup-target.json"
        let saved = SystemFiles.read(file).flatMap { try? JSONDecoder().decode(BackupTargetSettings.self, from: Data($0.utf8)) }
        state = Mutex(State(settings: saved))
    }

    /// The settings in force and their version.
    var current: (settings: BackupTargetSettings?, version: Int) { state.withLock { ($0.settings, $0.version) } }

    /// Saves and applies new settings (nil: stop serving).
    func replace(_ settings: BackupTargetSettings?) throws(AgentError) -> Int {
        if let settings {
            let bytes: [UInt8]
            do {
                bytes = Array(try JSONEncoder().encode(settings))
            } catch {
                throw AgentError.io("cannot encode the backup-target settings: \(error)")
            }
            try StateFiles.write(bytes, to: file, mode: 0o600)
        } else {
            StateFiles.remove(file)
        }
        return changed { $0.settings = settings }
    }

    /// Records how the listener for `version` came out.
    func report(_ binding: Binding, version: Int) {
        _ = changed(bumping: false) { state in
            state.binding = binding
            state.bindingVersion = version
        }
    }

    /// Waits until the listener reported on `version` (or a later one), up to `limit`.
    func binding(for version: Int, within limit: Duration) async -> Binding? {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if let known = state.withLock({ $0.bindingVersion >= version ? $0.binding : nil }) { return known }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// Returns once the version moves past `version`, or when the task is cancelled.
    func waitForChange(after version: Int) async {
        let id = state.withLock { state -> Int in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.version != version || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    private func changed(bumping: Bool = true, _ body: (inout State) -> Void) -> Int {
        let (version, waiters) = state.withLock { state -> (Int, [CheckedContinuation<Void, Never>]) in
            body(&state)
            guard bumping else { return (state.version, []) }
            state.version += 1
            defer { state.waiters = [:] }
            return (state.version, Array(state.waiters.values))
        }
        waiters.forEach { $0.resume() }
        return version
    }
}
