#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// What `uname` says about the running kernel.
public struct KernelIdentity: Equatable, Sendable {
    /// Host name (`uname -n`).
    public var hostname: String
    /// Machine architecture (`uname -m`).
    public var architecture: String
    /// Kernel release (`uname -r`).
    public var kernel: String?

    /// Creates an identity.
    public init(hostname: String, architecture: String, kernel: String?) {
        self.hostname = hostname
        self.architecture = architecture
        self.kernel = kernel
    }

    /// The identity of the running kernel, or `nil` when `uname` fails.
    public static func current() -> KernelIdentity? {
        var names = utsname()
        guard uname(&names) == 0 else { return nil }
        let release = string(names.release)
        return KernelIdentity(
            hostname: string(names.nodename),
            architecture: string(names.machine),
            kernel: release.isEmpty ? nil : release
        )
    }

    /// A NUL-terminated `utsname` field as a string.
    private static func string<Field>(_ field: Field) -> String {
        withUnsafeBytes(of: field) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
