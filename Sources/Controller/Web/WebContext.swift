import Foundation
import Hummingbird
import Protocol

/// What dashboard pages work with: the controller's services (the auth throttle among them), the in-process
/// API reader and sessions.
struct WebContext: Sendable {
    let controller: ControllerContext
    let reader: APIReader
    let sessions: SessionStore
    let templates: Templates

    /// A page answer: `template` rendered with `view`.
    func page(_ view: Any, _ template: String, status: HTTPResponse.Status = .ok) -> Response {
        WebPage.html(templates.render(view, template), status: status)
    }

    /// The page's own part `fragment` when the page's script asks for one (`?fragment=NAME`), else the whole page.
    func page(_ request: Request, fragments: [String: @Sendable () async throws -> (Any, String)], whole: () async throws -> (Any, String)) async throws -> Response {
        if let name = request.uri.queryParameters["fragment"].map(String.init) {
            guard let fragment = fragments[name] else { throw HomelabError.notFound("This page has no part named \(name).") }
            do {
                let (view, template) = try await fragment()
                return page(view, template)
            } catch let error as HomelabError where error.code == "not_found" {
                // What the page shows was removed while it was open (an app being removed): the part says so.
                return page(["message": error.message], "gone")
            }
        }
        let (view, template) = try await whole()
        return page(view, template)
    }
}
