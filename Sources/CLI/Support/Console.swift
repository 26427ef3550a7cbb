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
    /// Asks for a secret on standard error and reads it without echoing it, `nil` at end of input.
    func readSecret(_ prompt: String) -> String?
}

extension Console {
    /// Asks for a secret by reading a line (consoles that cannot hide what is typed).
    public func readSecret(_ prompt: String) -> String? {
        writeError(prompt)
        return readLine()
    }

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
        Self.writeAll(text, to: STDOUT_FILENO)
    }

    /// Writes text to standard error.
    public func writeError(_ text: String) {
        Self.writeAll(text, to: STDERR_FILENO)
    }

    /// Writes all of `text`; a reader that went away (`homelab devices list | head`) ends the
    /// process the way it ends any Unix tool, by SIGPIPE, instead of a crash report.
    static func writeAll(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let written = bytes.withUnsafeBytes { systemWrite(descriptor, $0.baseAddress, $0.count) }
            if written > 0 {
                bytes = bytes.dropFirst(written)
            } else if written < 0 && errno == EINTR {
                continue
            } else {
                if errno == EPIPE {
                    signal(SIGPIPE, SIG_DFL)
                    raise(SIGPIPE)
                }
                return
            }
        }
    }

    /// Reads one line from standard input.
    public func readLine() -> String? {
        Swift.readLine(strippingNewline: true)
    }

    /// Reads a line with the terminal's echo off.
    public func readSecret(_ prompt: String) -> String? {
        writeError(prompt)
        var saved = termios()
        let terminal = tcgetattr(STDIN_FILENO, &saved) == 0
        if terminal {
            var quiet = saved
            quiet.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSANOW, &quiet)
        }
        defer {
            if terminal {
                tcsetattr(STDIN_FILENO, TCSANOW, &saved)
                writeError("\n")
            }
        }
        return Swift.readLine(strippingNewline: true)
    }
}

#if canImport(Glibc)
private let systemWrite = Glibc.write
#elseif canImport(Musl)
private let systemWrite = Musl.write
#else
private let systemWrite = Darwin.write
#endif
