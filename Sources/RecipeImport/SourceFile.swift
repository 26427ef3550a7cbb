import Foundation
import Yams

/// One file of an app folder, read and parsed (YAML, or JSON read as the YAML it is).
struct SourceFile {
    /// The file's name inside the app folder, as dropped notes name it (`docker-compose.yml`).
    let name: String
    /// The folder as the caller named it, joined with `name`: how errors name the file.
    let shownPath: String
    let root: Node

    /// Files larger than this are refused before parsing.
    static let maximumSize = 1 << 20

    /// Reads and parses `name` in `folder`; errors name the file as `folder.shown(name)`.
    static func load(_ name: String, in folder: AppFolder) throws(ImportError) -> SourceFile {
        let shown = folder.shown(name)
        let text = try folder.read(name)
        let isJSON = name.hasSuffix(".json")
        let format = isJSON ? "JSON" : "YAML"
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw syntaxError(error, file: shown, format: format)
        } catch {
            throw ImportError(.syntax, file: shown, message: "not valid \(format): \(error)")
        }
        guard let root, !root.isNull else {
            throw ImportError(.content, file: shown, message: "is empty")
        }
        guard root.entries != nil else {
            throw ImportError(.content, file: shown, line: root.line, column: root.mark?.column ?? 0,
                              message: "is not a \(isJSON ? "JSON object" : "YAML mapping") at the top level")
        }
        return SourceFile(name: name, shownPath: shown, root: root)
    }

    /// An error about something in this file, at `node` when given.
    func problem(_ message: String, at node: Node? = nil) -> ImportError {
        ImportError(.content, file: shownPath, line: node?.line ?? 0, column: node?.mark?.column ?? 0, message: message)
    }

    private static func syntaxError(_ error: YamlError, file: String, format: String) -> ImportError {
        func words(_ context: YamlError.Context?, _ problem: String) -> String {
            guard let context, !context.text.isEmpty else { return problem }
            return "\(problem) (\(context.text) at line \(context.mark.line))"
        }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            return ImportError(.syntax, file: file, line: mark.line, column: mark.column,
                               message: "not valid \(format): \(words(context, problem))")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ImportError(.syntax, file: file, line: context.mark.line, column: context.mark.column,
                               message: "not valid \(format): the key \(duplicates.joined(separator: ", ")) is written twice in one mapping")
        case .reader(let problem, _, _, _):
            return ImportError(.syntax, file: file, message: "cannot be read as text: \(problem)")
        default:
            return ImportError(.syntax, file: file, message: "not valid \(format): \(error)")
        }
    }
}

/// The app folder being imported: which files it has, and reading them.
struct AppFolder {
    /// The folder as the caller named it.
    let shownPath: String
    let url: URL

    init(path: String) throws(ImportError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ImportError(.notAnApp, file: path, message: "no such file or folder")
        }
        if isDirectory.boolValue {
            shownPath = path
            url = URL(fileURLWithPath: path, isDirectory: true)
        } else {
            // A file of the app (its manifest or compose file) names its folder.
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
            url = folder
            let parent = (path as NSString).deletingLastPathComponent
            shownPath = parent.isEmpty ? "." : parent
        }
    }

    /// `name` as errors show it: joined to the folder as the caller wrote it.
    func shown(_ name: String) -> String {
        shownPath.hasSuffix("/") ? shownPath + name : shownPath + "/" + name
    }

    func has(_ name: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.appendingPathComponent(name).path, isDirectory: &isDirectory)
            && !isDirectory.boolValue
    }

    /// The names of the regular files in the sub-folder `name`, sorted; empty when there is none.
    func files(under name: String) -> [String] {
        let folder = url.appendingPathComponent(name, isDirectory: true)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted()
    }

    /// The text of `name`; a missing, unreadable, too large or non-UTF-8 file is an error naming it.
    func read(_ name: String) throws(ImportError) -> String {
        let shown = shown(name)
        let fileURL = url.appendingPathComponent(name)
        guard has(name) else { throw ImportError(.missingFile, file: shown, message: "missing") }
        let data: Data
        do {
            data = try Data(contentsOf: fileURL)
        } catch {
            throw ImportError(.missingFile, file: shown, message: "cannot be read: \(error.localizedDescription)")
        }
        guard data.count <= SourceFile.maximumSize else {
            throw ImportError(.content, file: shown, message: "is larger than 1 MiB (\(data.count) bytes); not an app description")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ImportError(.syntax, file: shown, message: "is not UTF-8 text")
        }
        return text
    }
}
