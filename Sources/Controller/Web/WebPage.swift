import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Protocol

/// Answers of dashboard routes: rendered pages, redirects, and errors as pages or JSON.
enum WebPage {
    /// The header a page's script sends the CSRF secret in.
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    /// An HTML answer.
    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A 303 to `location` (after a form post, so reloading does not post again).
    static func redirect(to location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    /// Whether the page's script asked for JSON (`fetch` with `Accept: application/json`).
    static func wantsJSON(_ request: Request) -> Bool {
        request.headers[.accept]?.contains("application/json") == true
    }

    /// `text` safe inside a query value or path segment.
    static func percentEncoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? text
    }

    /// A same-site path to return to after signing in: only `/…`, never `//host` or a scheme.
    static func safeReturnPath(_ text: String?) -> String {
        guard let text, text.hasPrefix("/"), !text.hasPrefix("//"), !text.contains("\\"), !text.hasPrefix("/login") else { return "/" }
        return text
    }

    /// An error as the user sees it: its code and message, on a page or as the API's JSON error body.
    static func error(_ error: any Error, request: Request, logger: Logger) throws -> Response {
        let shown: HomelabError = if let error = error as? HTTPError, error.status == .notFound {
            HomelabError(.notFound, "There is no page at \(request.uri.path).")
        } else {
            HomelabError.shown(error, logger: logger)
        }
        if wantsJSON(request) {
            return try JSONResponse.make(APIErrorResponse(shown), status: .init(code: shown.httpStatus))
        }
        let code = shown.code.rawValue, status = shown.httpStatus, message = shown.message
        let page = ErrorView(code: code, status: status, message: message,
                             signIn: shown.code == .sessionExpired ? "/login?next=\(percentEncoded(safeReturnPath(request.headers[.referer].flatMap { URL(string: $0)?.path })))" : nil)
        return html(Templates.shared.render(page, "error"), status: .init(code: status))
    }
}

/// The error page's data.
struct ErrorView: Sendable {
    var title = "Error"
    var code: String
    var status: Int
    var message: String
    /// A link back to the login page, when the session ended.
    var signIn: String?
}
