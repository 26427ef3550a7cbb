import Foundation
import Protocol

/// Writes files that hold secrets with a mode set before any byte is written.
enum SecureFile {
    static func write(_ text: String, to url: URL, mode: mode_t) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw HomelabError.internal("cannot write \(url.path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        fchmod(fd, mode)
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw HomelabError.internal("cannot write \(url.path): \(String(cString: strerror(errno)))") }
            offset += n
        }
    }
}
