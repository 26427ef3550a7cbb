import Protocol

/// A bootstrap step that failed, with the code the API reports (`BootstrapFailure`).
struct BootstrapFailed: Error {
    var failure: BootstrapFailure
    /// The step that failed, when not the one the caller is at.
    var step: String?
    /// The SSH connection broke under the command (it may have run on the host all the same).
    var connectionLost = false

    init(_ code: String, _ message: String, fingerprint: String? = nil, step: String? = nil) {
        failure = BootstrapFailure(code: code, message: message, hostKeyFingerprint: fingerprint)
        self.step = step
    }
}
