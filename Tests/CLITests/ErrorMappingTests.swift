#if canImport(Glibc)
import Glibc
#endif
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOSSL
import Protocol
import Testing
@testable import CLI

@Suite("errors and exit codes")
struct ErrorMappingTests {
    static let url = try! ControllerURL(parsing: "https://10.0.0.2:7443")

    /// Every code the controller sends, with the exit status `homelab` ends with (docs/errors.md).
    static let codes: [(HomelabError.Code, Int32)] = [
        (.notFound, 3), (.unauthorized, 4), (.forbidden, 4), (.conflict, 7), (.busy, 7), (.tooManyAttempts, 7), (.noSuggestion, 7),
        (.badRequest, 8), (.invalidName, 8), (.invalidValue, 8), (.headersTooLarge, 8), (.upgradeRequired, 1),
        (.invalidChannel, 8), (.invalidRule, 8), (.deliveryFailed, 1), (.invalidInputs, 8), (.invalidRecipe, 8), (.invalidSpec, 8), (.unplaceable, 8), (.notConfigured, 8),
        (.payloadTooLarge, 8), (.methodNotAllowed, 8),
        (.deviceOffline, 9), (.deviceDisconnected, 9), (.timeout, 9),
        (.agentError, 10), (.runtime, 10), (.unhealthy, 10), (.healthTimeout, 10), (.proxyError, 10), (.rollbackIncomplete, 10), (.migrationIncomplete, 10),
        (.volumeExists, 7), (.unsupportedFile, 8), (.peerUnreachable, 9), (.transferCancelled, 9),
        (.transferRefused, 10), (.ticketUnknown, 10), (.ticketUsed, 10), (.ticketExpired, 10), (.ticketWrongDevice, 10),
        (.manifestMismatch, 10), (.noSpace, 10), (.insufficientStorage, 10), (.transferStalled, 10), (.transferFailed, 10),
        (.deployFailed, 1), (.unreadableRecord, 1), (.internal, 1), ("a_code_from_a_newer_controller", 1),
    ]

    @Test("each controller code maps to its exit status and is printed after the message, whatever the HTTP status", arguments: Self.codes)
    func mapsCode(code: HomelabError.Code, exitCode: Int32) throws {
        let body = try WireCoding.encoder.encode(APIErrorResponse(HomelabError(code, "nas is offline.", context: ["device": "nas"])))
        for status in [400, 409, 500, 502] {
            let error = APIErrors.error(status: status, body: ByteBuffer(bytes: body))
            #expect(error.exitCode == exitCode)
            #expect(error.controller?.code == code || code == .unauthorized)
            if code != .unauthorized {
                #expect(HomelabCommand.errorLine(for: error) == "Error: nas is offline [\(code)]")
                #expect(error.controller?.context == ["device": "nas"])
            }
        }
    }

    @Test("without an error body, the HTTP status is all there is: 401 → 4, 404 → 3, others → 1")
    func statuses() {
        for (status, exitCode) in [(401, Int32(4)), (404, 3), (409, 1), (500, 1), (502, 1)] {
            #expect(APIErrors.error(status: status, body: ByteBuffer(string: "<html>no</html>")).exitCode == exitCode)
        }
    }

    @Test("a 401 tells to log in again, whatever the controller said")
    func unauthorized() {
        let error = APIErrors.error(status: 401, body: ByteBuffer(string: #"{"error":{"code":"unauthorized","message":"bad token"}}"#))
        #expect(error.message == "the controller refused the token; run homelab login again")
    }

    @Test("the controller's own message is shown for 404 and 409, without a trailing period")
    func controllerMessages() {
        #expect(APIErrors.error(status: 404, body: ByteBuffer(string: #"{"error":{"code":"not_found","message":"no device named 'pi-9'."}}"#)).message
            == "no device named 'pi-9'")
        #expect(APIErrors.error(status: 409, body: ByteBuffer(string: #"{"error":{"code":"conflict","message":"pi-4 is not pending"}}"#)).message
            == "pi-4 is not pending")
    }

    @Test("an error body that is not JSON still gives a sentence with the status")
    func garbageBody() {
        let error = APIErrors.error(status: 502, body: ByteBuffer(string: "<html>Bad Gateway</html>"))
        #expect(error.message == "the controller failed (HTTP 502)")
        #expect(APIErrors.error(status: 404, body: ByteBuffer()).exitCode == 3)
    }

    @Test("connection failures say 'cannot reach the controller' and exit 5")
    func transport() {
        let refused = TransportErrors.describe(IOError(errnoCode: ECONNREFUSED, reason: "connect"), url: Self.url)
        #expect(refused.exitCode == 5)
        #expect(refused.message == "cannot reach the controller at https://10.0.0.2:7443: connection refused")
        #expect(TransportErrors.describe(HTTPClientError.connectTimeout, url: Self.url).message.hasSuffix(": connection timed out"))
        #expect(TransportErrors.describe(HTTPClientError.readTimeout, url: Self.url).message.hasSuffix(": the controller did not answer in time"))
        #expect(TransportErrors.describe(ChannelError.connectTimeout(.seconds(5)), url: Self.url).exitCode == 5)
        #expect(TransportErrors.describe(IOError(errnoCode: EHOSTUNREACH, reason: "connect"), url: Self.url).message.hasSuffix(": no route to host"))
    }

    @Test("a failed TLS handshake is exit 5 (the CA mismatch itself is tested over a real socket in LoginTests)")
    func tlsFailure() {
        let error = TransportErrors.describe(NIOSSLError.handshakeFailed(.sslError([.eofDuringHandshake])), url: Self.url)
        #expect(error.exitCode == 5)
        #expect(error.message == "cannot reach the controller at https://10.0.0.2:7443: TLS handshake failed")
    }

    @Test("errors never show Swift type names to people")
    func noTypeNames() throws {
        let decoding: any Error
        do {
            _ = try WireCoding.decoder.decode(DeviceResource.self, from: Data("{}".utf8))
            return
        } catch {
            decoding = error
        }
        let wrapped = CLIError.wrapping(decoding)
        #expect(wrapped.exitCode == 1)
        #expect(!wrapped.message.contains("DecodingError"))
        #expect(wrapped.message.contains("missing field"))
        for error in [HTTPClientError.cancelled, HTTPClientError.invalidURL] as [any Error] {
            #expect(!TransportErrors.describe(error, url: Self.url).message.contains("HTTPClientError"))
        }
    }

    @Test("CLIError keeps its own code and message when wrapped")
    func wrapsItself() {
        #expect(CLIError.wrapping(CLIError.notLoggedIn) == .notLoggedIn)
        #expect(CLIError.notLoggedIn.exitCode == 6)
        #expect(CLIError.usage("x").exitCode == 64)
    }
}
