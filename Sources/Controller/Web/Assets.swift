import Foundation
import Hummingbird
import Protocol
import NIOCore

/// The dashboard's static files: its own (`Assets/` in the resource bundle) and Debian's Chart.js when installed.
enum Assets {
    /// The bundled folder.
    static let directory = Bundle.module.url(forResource: "Assets", withExtension: nil)?.standardizedFileURL
    /// Where Debian's `libjs-chart.js` puts the library, when it is installed.
    static let chartJS: URL? = ["/usr/share/javascript/chart.js/chart.min.js", "/usr/share/javascript/chart.js/Chart.min.js"]
        .map { URL(fileURLWithPath: $0) }.first { FileManager.default.isReadableFile(atPath: $0.path) }

    static let types = ["css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8", "svg": "image/svg+xml"]

    /// The file at `path` below `/assets/`: a bundled file (never outside the folder), or `vendor/chart.js`.
    static func response(for path: String) throws -> Response {
        let file: URL?
        if path == "vendor/chart.js" {
            file = chartJS
        } else if let directory, !path.split(separator: "/").contains(where: { $0 == ".." || $0.hasPrefix(".") }) {
            let candidate = directory.appendingPathComponent(path).standardizedFileURL
            file = candidate.path.hasPrefix(directory.path + "/") ? candidate : nil
        } else {
            file = nil
        }
        guard let file, let type = types[file.pathExtension], let data = FileManager.default.contents(atPath: file.path) else {
            throw HomelabError.notFound("There is no file /assets/\(path).")
        }
        return Response(status: .ok, headers: [.contentType: type], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
