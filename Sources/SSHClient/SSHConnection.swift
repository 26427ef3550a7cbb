import CLibSSH2
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One SSH session over libssh2, in blocking mode. Not thread-safe: use it from one ``SSHThread``.
public final class SSHConnection: @unchecked Sendable {
    /// The server's host key as offered in the handshake.
    public struct HostKey: Sendable, Equatable {
        /// `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`, …
        public var type: String
        /// The key blob, as in known_hosts (base64 there).
        public var blob: [UInt8]
        /// `SHA256:` + unpadded base64 of the blob's SHA-256, as OpenSSH prints it.
        public var fingerprint: String
    }

    /// What a remote command did.
    public struct CommandResult: Sendable {
        /// Exit status (-1 when the server sent none, e.g. killed by a signal).
        public var status: Int32
        /// Standard output.
        public var output: String
        /// Standard error.
        public var errors: String
    }

    /// How to prove who we are.
    public enum Credential: Sendable {
        /// A password (keyboard-interactive is not tried).
        case password(String)
        /// An OpenSSH or PEM private key, in memory; the public key is derived from it.
        case privateKey(String, passphrase: String?)
    }

    private let session: OpaquePointer
    private let socket: Int32
    /// The server's host key.
    public let hostKey: HostKey
    /// The server's identification line (`SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3`).
    public let banner: String
    /// This side's address of the TCP connection: the address the server sees us from.
    public let localAddress: String
    private var closed = false

    private static let initialized: Bool = { libssh2_init(0) == 0 }()

    /// Connects to `host:port` (TCP within `connectTimeout`) and runs the SSH handshake; every later
    /// blocking call fails after `timeout`.
    public init(host: String, port: Int, connectTimeout: Duration = .seconds(10), timeout: Duration = .seconds(60)) throws {
        guard Self.initialized else { throw SSHError(.handshake, "libssh2 could not be initialized") }
        let socket = try Self.dial(host: host, port: port, timeout: connectTimeout)
        guard let session = hl_session_init() else {
            Glibc.close(socket)
            throw SSHError(.handshake, "libssh2 could not create a session")
        }
        libssh2_session_set_blocking(session, 1)
        libssh2_session_set_timeout(session, Int(timeout.components.seconds * 1000))
        // Modern algorithms first; libssh2 1.10 still negotiates the server's ed25519 key.
        _ = libssh2_session_method_pref(session, LIBSSH2_METHOD_HOSTKEY,
                                        "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384,ecdsa-sha2-nistp521,rsa-sha2-512,rsa-sha2-256,ssh-rsa")
        let result = libssh2_session_handshake(session, socket)
        guard result == 0 else {
            let message = String(cString: hl_last_error(session))
            libssh2_session_free(session)
            Glibc.close(socket)
            throw SSHError(result == LIBSSH2_ERROR_TIMEOUT ? .timeout : .handshake, "SSH handshake with \(host):\(port) failed: \(message)")
        }
        self.session = session
        self.socket = socket
        self.localAddress = Self.localAddress(of: socket)
        self.banner = libssh2_session_banner_get(session).map { String(cString: $0) } ?? ""
        var length = 0
        var type: Int32 = 0
        guard let key = libssh2_session_hostkey(session, &length, &type), let hash = libssh2_hostkey_hash(session, LIBSSH2_HOSTKEY_HASH_SHA256) else {
            libssh2_session_free(session)
            Glibc.close(socket)
            throw SSHError(.handshake, "\(host):\(port) offered no host key")
        }
        let blob = Array(UnsafeRawBufferPointer(start: key, count: length))
        let digest = Data(UnsafeRawBufferPointer(start: hash, count: 32))
        let fingerprint = "SHA256:" + digest.base64EncodedString().replacingOccurrences(of: "=", with: "")
        self.hostKey = HostKey(type: Self.keyTypeName(type, blob: blob), blob: blob, fingerprint: fingerprint)
    }

    deinit { close() }

    /// Tries `credential` for `user`; throws `.authentication` with the server's methods when refused.
    public func authenticate(user: String, with credential: Credential) throws {
        let result: Int32
        switch credential {
        case .password(let password):
            result = hl_userauth_password(session, user, password)
        case .privateKey(let key, let passphrase):
            result = key.withCString { keyPointer in
                libssh2_userauth_publickey_frommemory(session, user, user.utf8.count, nil, 0, keyPointer, key.utf8.count, passphrase)
            }
        }
        guard result == 0 else {
            if result == LIBSSH2_ERROR_TIMEOUT { throw SSHError(.timeout, "the server did not answer the authentication in time") }
            let methods = libssh2_userauth_list(session, user, UInt32(user.utf8.count)).map { String(cString: $0) } ?? ""
            let what: String
            switch credential {
            case .password: what = "password"
            case .privateKey:
                // libssh2 says "Unable to extract public key from private key" for a key it cannot read.
                let detail = String(cString: hl_last_error(session))
                what = detail.contains("Unable") || detail.contains("Invalid") || detail.contains("extract")
                    ? "publickey (the key could not be read: \(detail))" : "publickey"
            }
            throw SSHError(.authentication, "Permission denied (\(what)) for \(user); the server accepts: \(methods.isEmpty ? "nothing offered" : methods)")
        }
    }

    /// Runs `command` through the user's shell, writing `input` to its standard input first.
    public func run(_ command: String, input: [UInt8]? = nil) throws -> CommandResult {
        guard let channel = hl_channel_open_session(session) else {
            throw error(.channel, "cannot open a channel")
        }
        defer { libssh2_channel_free(channel) }
        guard hl_channel_exec(channel, command) == 0 else { throw error(.channel, "cannot start '\(command)'") }
        if let input {
            var offset = 0
            while offset < input.count {
                let written = input[offset...].withUnsafeBytes { bytes in
                    hl_channel_write(channel, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), min(bytes.count, 256 * 1024))
                }
                guard written >= 0 else { throw error(Self.code(of: written), "writing to '\(command)' failed", libssh2: written) }
                offset += written
            }
        }
        libssh2_channel_send_eof(channel)
        let output = try readAll(channel, stream: 0, command: command)
        let errors = try readAll(channel, stream: SSH_EXTENDED_DATA_STDERR, command: command)
        libssh2_channel_close(channel)
        libssh2_channel_wait_closed(channel)
        let status = libssh2_channel_get_exit_status(channel)
        var signal: UnsafeMutablePointer<CChar>?
        var signalLength = 0
        libssh2_channel_get_exit_signal(channel, &signal, &signalLength, nil, nil, nil, nil)
        defer { if let signal { free(signal) } }
        return CommandResult(status: signal == nil ? status : -1, output: String(decoding: output, as: UTF8.self),
                             errors: String(decoding: errors, as: UTF8.self))
    }

    /// Says goodbye and closes the socket (also at deinit).
    public func close() {
        guard !closed else { return }
        closed = true
        _ = hl_session_disconnect(session, "bye")
        libssh2_session_free(session)
        Glibc.close(socket)
    }

    private func readAll(_ channel: OpaquePointer, stream: Int32, command: String) throws -> [UInt8] {
        var data: [UInt8] = []
        var buffer = [CChar](repeating: 0, count: 32 * 1024)
        while true {
            let count = hl_channel_read(channel, stream, &buffer, buffer.count)
            if count > 0 {
                data += buffer[0..<count].map { UInt8(bitPattern: $0) }
            } else if count == 0 || count == Int(LIBSSH2_ERROR_CHANNEL_CLOSED) {
                return data
            } else {
                throw error(Self.code(of: count), "reading the output of '\(command)' failed", libssh2: count)
            }
        }
    }

    private func error(_ code: SSHError.Code, _ what: String, libssh2 number: Int? = nil) -> SSHError {
        SSHError(code, "\(what): \(String(cString: hl_last_error(session)))" + (number.map { " (libssh2 error \($0))" } ?? ""))
    }

    /// What a negative libssh2 result means for the caller: the socket's end is not a command's failure.
    static func code(of result: Int) -> SSHError.Code {
        switch Int32(result) {
        case LIBSSH2_ERROR_TIMEOUT: .timeout
        case LIBSSH2_ERROR_SOCKET_RECV, LIBSSH2_ERROR_SOCKET_SEND, LIBSSH2_ERROR_SOCKET_DISCONNECT: .connectionLost
        default: .channel
        }
    }

    private static func keyTypeName(_ type: Int32, blob: [UInt8]) -> String {
        // The blob starts with the type name as an SSH string (u32 length + bytes).
        if blob.count > 4 {
            let length = Int(blob[0]) << 24 | Int(blob[1]) << 16 | Int(blob[2]) << 8 | Int(blob[3])
            if length > 0, length < 64, blob.count >= 4 + length { return String(decoding: blob[4..<(4 + length)], as: UTF8.self) }
        }
        return "type-\(type)"
    }

    /// A TCP connection within `timeout` (non-blocking connect and poll), returned in blocking mode.
    static func dial(host: String, port: Int, timeout: Duration) throws -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw SSHError(.connect, "cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(first) }
        var lastError = "no address"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = Glibc.socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            guard fd >= 0 else { lastError = String(cString: strerror(errno)); continue }
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            var result = Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen)
            if result != 0 && errno == EINPROGRESS {
                var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let milliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
                if poll(&poller, 1, milliseconds) == 1 {
                    var code: Int32 = 0
                    var size = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &size)
                    result = code == 0 ? 0 : -1
                    errno = code
                } else {
                    result = -1
                    errno = ETIMEDOUT
                }
            }
            if result == 0 {
                _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
                return fd
            }
            lastError = String(cString: strerror(errno))
            Glibc.close(fd)
        }
        throw SSHError(.connect, "cannot connect to \(host):\(port): \(lastError)")
    }

    static func localAddress(of socket: Int32) -> String {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) == 0 }
        }
        guard ok else { return "" }
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let status = withUnsafePointer(to: &storage) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                getnameinfo($0, length, &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST)
            }
        }
        return status == 0 ? String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
    }
}
