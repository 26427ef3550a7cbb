import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Protocol

extension HomelabError {
    /// An agent's error, as the API reports it: what the device said, naming the device.
    init(agentError error: HomelabError, device: String) {
        switch error.code {
        case .invalidSpec, .invalidName, .invalidValue: self = error.with("device", device)
        case .notFound: self.init(.notFound, "\(device): \(error.message)", context: (error.context ?? [:]).merging(["device": device]) { $1 })
        case .connectionClosed: self.init(.deviceDisconnected, "\(device) disconnected: \(error.message)", context: ["device": device])
        case .timeout: self.init(.timeout, "\(device) did not answer: \(error.message)", context: ["device": device])
        default: self.init(.agentError, "\(device): \(error.message)", context: (error.context ?? [:]).merging(["device": device]) { $1 })
        }
    }
}

/// The error renders itself as the API's answer: `{"error": {"code", "message", "context"}}` with the
/// code's status; a 401 also says which scheme to use.
extension HomelabError: HTTPResponseError {
    public var status: HTTPResponse.Status { .init(code: httpStatus) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let data = try WireCoding.encoder.encode(APIErrorResponse(self))
        var headers: HTTPFields = [.contentType: "application/json"]
        if code == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"homelab\"" }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
