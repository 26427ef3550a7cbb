#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Where a command writes its output and reads its answers; tests pass a recording one.
public protocol Console: Sendable {
    /// Whether standard output is a terminal (colors, tables for people).
    var isOutputTerminal: Bool { get }
    /// Whether standard input is a terminal, so a question can be asked.
    var isInputTerminal: Bool { get }
    /// Writes text to standard output.
    func write(_ text: String)
    /// Writes text to standard error.
    func writeError(_ text: String)
    /// Reads one line from standard input, `nil` at end of input.
    func readLine() -> String?
}

extension Console {
    /// Asks a yes/no question on standard error; only "y" or "yes" count as yes.
    public func confirm(_ question: String) -> Bool {
        writeError("\(question) [y/N] ")
        guard let answer = readLine()?.trimmingWhitespace().lowercased() else {
            writeError("\n")
            return false
        }
        return answer == "y" || answer == "yes"
    }
}

/// The process's own standard output, error and input.
public struct StandardConsole: Console {
    /// Creates the console.
    public init() {}

    /// Whether standard output is a terminal.
    public var isOutputTerminal: Bool { isatty(STDOUT_FILENO) == 1 }
    /// Whether standard input is a terminal.
    public var isInputTerminal: Bool { isatty(STDIN_FILENO) == 1 }

    /// Writes text to standard output.
    public func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Writes text to standard error.
    public func writeError(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Reads one line from standard input.
    public func readLine() -> String? {
        Swift.readLine(strippingNewline: true)
    }
}
