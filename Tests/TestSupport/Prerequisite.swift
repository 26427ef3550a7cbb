import Foundation

/// Whether a test that needs an installed tool runs. Under `make test` (`HOMELAB_REQUIRE_DOCKER=1`) it always
/// runs, so a missing tool fails it instead of skipping it unseen; elsewhere it runs when the tool is there.
public enum Prerequisite {
    /// `make test` requires every prerequisite (it installs them first).
    public static var required: Bool { ProcessInfo.processInfo.environment["HOMELAB_REQUIRE_DOCKER"] == "1" }

    /// Whether a test needing the executable at `path` runs.
    public static func runs(with path: String) -> Bool { required || FileManager.default.isExecutableFile(atPath: path) }
}
