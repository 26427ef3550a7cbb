/// What this agent binary is: version, the commit it was built from, and its target.
public enum BuildInfo {
    /// Agent software version (sent in hello and announcements).
    public static let version = "0.1.0"
    /// Git commit, stamped by `deploy/cross/build-agent.sh`; "unknown" in development builds.
    public static let commit = "unknown"
    /// The target it was compiled for.
    public static var target: String {
        #if arch(x86_64)
        let machine = "x86_64"
        #elseif arch(arm64)
        let machine = "aarch64"
        #elseif arch(arm)
        let machine = "armv7"
        #else
        let machine = "unknown"
        #endif
        return "\(machine)-linux"
    }
    /// `homelab-agent --version`: `homelab-agent 0.1.0 (commit 1a2b3c4d5e6f, aarch64-linux)`.
    public static var description: String { "homelab-agent \(version) (commit \(commit), \(target))" }
}
