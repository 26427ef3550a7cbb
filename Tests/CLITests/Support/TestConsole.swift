import CLI
import Synchronization

/// A console that records what a command writes and answers its questions from a list.
final class TestConsole: Console {
    private struct State {
        var output = ""
        var errors = ""
        var answers: [String]
    }

    let isOutputTerminal: Bool
    let isInputTerminal: Bool
    private let state: Mutex<State>

    init(outputIsTerminal: Bool = false, inputIsTerminal: Bool = false, answers: [String] = []) {
        self.isOutputTerminal = outputIsTerminal
        self.isInputTerminal = inputIsTerminal
        self.state = Mutex(State(answers: answers))
    }

    var output: String { state.withLock { $0.output } }
    var errors: String { state.withLock { $0.errors } }

    func write(_ text: String) { state.withLock { $0.output += text } }
    func writeError(_ text: String) { state.withLock { $0.errors += text } }
    func readLine() -> String? {
        state.withLock { $0.answers.isEmpty ? nil : $0.answers.removeFirst() }
    }
}
