/// Where the collectors find the kernel's and the distribution's files, so tests can point them at a fixture tree.
public struct HostPaths: Equatable, Sendable {
    /// The procfs root (`/proc`).
    public var proc: String
    /// The sysfs root (`/sys`).
    public var sys: String
    /// The configuration root (`/etc`).
    public var etc: String

    /// The paths of the machine the agent runs on.
    public static let host = HostPaths()

    /// Creates paths from explicit roots.
    public init(proc: String = "/proc", sys: String = "/sys", etc: String = "/etc") {
        self.proc = proc
        self.sys = sys
        self.etc = etc
    }

    /// Creates paths below one directory (`<root>/proc`, `<root>/sys`, `<root>/etc`).
    public init(root: String) {
        self.init(proc: root + "/proc", sys: root + "/sys", etc: root + "/etc")
    }
}
