#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import AsyncHTTPClient
import NIOCore
import NIOPosix
import NIOSSL

/// Turns connection and TLS failures into "cannot reach the controller at URL: …" errors (exit 5).
public enum TransportErrors {
    /// The `CLIError` for a failure to connect to or talk with the controller at `url`, which should chain to `pinnedCA` when given.
    public static func describe(_ error: any Error, url: ControllerURL, pinnedCA: CAFingerprint? = nil) -> CLIError {
        if let error = error as? CLIError { return error }
        return .unreachable(url, reason(error, pinnedCA: pinnedCA))
    }

    /// A short phrase for a transport failure, never a Swift type name.
    public static func reason(_ error: any Error, pinnedCA: CAFingerprint? = nil) -> String {
        switch error {
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first { return reason(first.error, pinnedCA: pinnedCA) }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return "cannot resolve host name \(error.host)" }
            return "no address to connect to for \(error.host)"
        case let error as IOError:
            return errnoPhrase(error.errnoCode)
        case let error as ChannelError:
            switch error {
            case .connectTimeout: return "connection timed out"
            case .eof, .ioOnClosedChannel, .alreadyClosed, .outputClosed, .inputClosed: return "the connection was closed"
            default: return "the connection failed"
            }
        case let error as NIOSSLError:
            return tlsPhrase(error, pinnedCA: pinnedCA)
        case let error as HTTPClientError:
            return httpClientPhrase(error)
        case is SocketAddressError:
            return "cannot resolve the host name"
        default:
            return "the connection failed"
        }
    }

    /// The phrase for a socket error number.
    static func errnoPhrase(_ code: CInt) -> String {
        switch code {
        case ECONNREFUSED: return "connection refused"
        case ETIMEDOUT: return "connection timed out"
        case EHOSTUNREACH: return "no route to host"
        case ENETUNREACH: return "network is unreachable"
        case ECONNRESET: return "the connection was reset"
        case EPIPE: return "the connection was closed"
        default: return String(cString: strerror(code)).lowercased()
        }
    }

    /// The phrase for a TLS failure; a certificate that fails verification is not from the pinned CA, when one is pinned.
    static func tlsPhrase(_ error: NIOSSLError, pinnedCA: CAFingerprint?) -> String {
        switch error {
        case .handshakeFailed(let inner):
            if String(describing: inner).contains("CERTIFICATE_VERIFY_FAILED") {
                guard let pinnedCA else {
                    return "TLS handshake failed: its certificate is not trusted by this system (run homelab login to pin the controller's CA)"
                }
                return "TLS handshake failed: its certificate is not signed by the pinned CA \(pinnedCA) (if the controller's CA changed, run homelab login again)"
            }
            if String(describing: inner).contains("WRONG_VERSION_NUMBER") {
                return "TLS handshake failed: the port does not speak TLS"
            }
            return "TLS handshake failed"
        case .uncleanShutdown:
            return "the connection was closed in the middle of TLS"
        default:
            return "TLS failed"
        }
    }

    /// The phrase for an AsyncHTTPClient failure.
    static func httpClientPhrase(_ error: HTTPClientError) -> String {
        switch error {
        case .connectTimeout: return "connection timed out"
        case .tlsHandshakeTimeout: return "TLS handshake timed out"
        case .readTimeout, .deadlineExceeded: return "the controller did not answer in time"
        case .remoteConnectionClosed, .uncleanShutdown: return "the connection was closed"
        case .cancelled: return "the request was cancelled"
        default: return "the HTTP request failed"
        }
    }
}
