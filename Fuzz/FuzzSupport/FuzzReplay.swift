import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The corpus replayer every fuzz target builds without `-DFUZZING`: `TARGET FILE_OR_DIR...` runs every input
/// once through the target's check; exits 1 on the first finding, 2 when an input cannot be read.
public enum FuzzReplay {
    /// A reason to stop replaying, with the exit status it leads to.
    struct Stop: Error {
        var message: String
        var status: Int32
    }

    /// Replays the command line's inputs through `check` (nil: handled; text: a bug) and exits.
    public static func main(name: String, _ check: (UnsafeRawBufferPointer) -> String?) -> Never {
        do {
            let count = try replay(CommandLine.arguments.dropFirst(), name: name, check)
            print("\(name): replayed \(count) inputs, no findings")
            exit(0)
        } catch {
            let line = Array("\(name): \(error.message)\n".utf8)
            _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            exit(error.status)
        }
    }

    /// Replays every input at `paths`; returns how many there were.
    static func replay(_ paths: ArraySlice<String>, name: String, _ check: (UnsafeRawBufferPointer) -> String?) throws(Stop) -> Int {
        guard !paths.isEmpty else {
            throw Stop(message: "usage: \(name) FILE_OR_DIRECTORY...", status: 2)
        }
        var count = 0
        for path in paths {
            for file in try inputs(at: path) {
                let bytes: Data
                do {
                    bytes = try Data(contentsOf: URL(fileURLWithPath: file))
                } catch {
                    throw Stop(message: "\(file): cannot read (\(error))", status: 2)
                }
                if let problem = bytes.withUnsafeBytes({ check($0) }) {
                    throw Stop(message: "\(file): \(problem)", status: 1)
                }
                count += 1
            }
        }
        return count
    }

    /// The files at `path`: itself, or the regular files directly inside it.
    static func inputs(at path: String) throws(Stop) -> [String] {
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw Stop(message: "\(path): no such file or directory", status: 2)
        }
        guard isDirectory else { return [path] }
        do {
            return try FileManager.default.contentsOfDirectory(atPath: path).sorted().map { "\(path)/\($0)" }
                .filter { (try? FileManager.default.attributesOfItem(atPath: $0)[.type] as? FileAttributeType) == .typeRegular }
        } catch {
            throw Stop(message: "\(path): cannot list (\(error))", status: 2)
        }
    }
}
