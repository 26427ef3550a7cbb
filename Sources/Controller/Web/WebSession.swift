import Foundation
import Protocol

/// A signed-in browser: the API token it signed in with (looked up on every request, so a revoked token ends
/// it), the secret its forms carry against cross-site requests, and when it ends.
struct WebSession: Sendable, Equatable {
    /// The id of the API token it stands for.
    var tokenID: String
    /// That token's name (`admin`, `alice`), shown in the header.
    var tokenName: String
    /// The CSRF secret every state-changing request must carry (form field `csrf` or header `X-CSRF-Token`).
    var csrf: String
    /// When it ends unless used again.
    var expiresAt: Date
    /// The token's role, as the web middleware found it on this request (not stored: a token's role is read again
    /// each time). Pages show only the forms it may submit.
    var role: APIRole = .viewer
}
