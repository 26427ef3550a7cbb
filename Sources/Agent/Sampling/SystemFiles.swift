#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads kernel files and directories with plain POSIX calls.
public enum SystemFiles {
    /// The most bytes one read returns, so a runaway file cannot grow the agent without bound.
    public static let maximumBytes = 8 << 20

    /// The whole file as UTF-8 text, or `nil` when it is missing or unreadable.
    public static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        // /proc and /sys report a size of 0, so read until end of file instead of trusting stat.
        while bytes.count < maximumBytes {
            let count = chunk.withUnsafeMutableBytes { readChunk(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes.append(contentsOf: chunk[0..<count])
            } else if count == 0 {
                break
            } else if errno != EINTR {
                return nil
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The target of a symbolic link, or `nil`.
    public static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The trimmed text of a file, or `nil` when it is missing, unreadable or blank.
    public static func readValue(_ path: String) -> String? {
        guard let value = read(path)?.trimmed, !value.isEmpty else { return nil }
        return value
    }

    /// The entry names of a directory (without `.` and `..`), in natural order, or `nil` when it cannot be opened.
    public static func list(_ path: String) -> [String]? {
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted(by: naturalOrder)
    }

    /// Orders names by their first number, so `thermal_zone2` comes before `thermal_zone10` and `temp2_input` before `temp10_input`.
    static func naturalOrder(_ lhs: String, _ rhs: String) -> Bool {
        let (lhsStem, lhsNumber) = firstNumber(lhs)
        let (rhsStem, rhsNumber) = firstNumber(rhs)
        guard lhsStem == rhsStem, let lhsNumber, let rhsNumber, lhsNumber != rhsNumber else { return lhs < rhs }
        return lhsNumber < rhsNumber
    }

    /// The text before the first run of digits, and that run as a number.
    private static func firstNumber(_ name: String) -> (stem: Substring, number: Int?) {
        let stem = name.prefix { !($0.isASCII && $0.isNumber) }
        let digits = name.dropFirst(stem.count).prefix { $0.isASCII && $0.isNumber }
        return (stem, Int(digits))
    }
}

/// The libc `read`, which the static method's name hides inside `SystemFiles`.
private func readChunk(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
