import Protocol

/// A bootstrap step that failed, with the code the API reports (`BootstrapFailure`).
struct BootstrapFailed: Error {
    var failure: BootstrapFailure

    init(_ code: String, _ message: String, fingerprint: String? = nil) {
        failure = BootstrapFailure(code: code, message: message, hostKeyFingerprint: fingerprint)
    }
}
