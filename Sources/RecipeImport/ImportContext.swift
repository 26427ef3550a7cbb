import Foundation

/// What a store's variable stands for in a recipe.
enum Binding {
    /// Our template text, inserted as is (`${deployment.timezone}`).
    case template(String)
    /// The input of that name.
    case input(String)
    /// The secret of that name.
    case secret(String)
    /// The web port input (made when first used).
    case webPort
    /// A fixed value; `why`, when given, is noted (the store would have set something else).
    case constant(String, why: String?)
}

/// The state of one import: the notes of what was dropped, the inputs, secrets and volumes made so far,
/// and how the store's variables are rewritten into ours.
final class ImportContext {
    let store: ImportResult.Store
    /// The store's name as notes say it.
    let storeName: String
    private(set) var dropped: [ImportResult.Dropped] = []
    var inputs: [InputDraft] = []
    var secrets: [SecretDraft] = []
    /// The store's own variables; universal ones (`TZ`, `PUID`, `PGID`) are known without it.
    var resolve: (String) -> Binding? = { _ in nil }
    /// Container names the app's services use for each other, by the service they name (`app_db_1` → `db`).
    var hostAliases: [String: String] = [:]
    /// The web port input: its default and label, set by the importer before services are converted.
    var webPortDefault: Int?
    var webPortLabel = "Web port"
    private(set) var webPortName: String?

    init(store: ImportResult.Store) {
        self.store = store
        storeName = switch store {
        case .runtipi: "Runtipi"
        case .casaos: "CasaOS"
        case .umbrel: "Umbrel"
        }
    }

    /// Notes that `what` (where it stood: `file: field`) is not carried over, and why. The same note is kept once.
    func drop(_ what: String, _ why: String) {
        let note = ImportResult.Dropped(what: what, why: why)
        if !dropped.contains(note) { dropped.append(note) }
    }

    // MARK: Names

    /// `name` made a valid input or secret name (`[A-Z][A-Z0-9_]*`).
    static func variableName(_ name: String) -> String {
        var result = String(name.uppercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "_" })
        if let first = result.first, !(first.isASCII && first.isLetter) { result = "V_" + result }
        return result.isEmpty ? "VALUE" : result
    }

    /// A name not yet used by an input or a secret, `base` when free.
    func freeName(_ base: String) -> String {
        let taken = Set(inputs.map(\.name) + secrets.map(\.name))
        guard taken.contains(base) else { return base }
        var number = 2
        while taken.contains("\(base)_\(number)") { number += 1 }
        return "\(base)_\(number)"
    }

    /// Adds a secret (or finds the one of that name) and returns its name.
    @discardableResult
    func secret(_ name: String, length: Int = 32, charset: String = "alphanumeric") -> String {
        if secrets.contains(where: { $0.name == name }) { return name }
        let free = freeName(name)
        secrets.append(SecretDraft(name: free, length: min(max(length, 8), 256), charset: charset))
        return free
    }

    /// `${input.WEB_PORT}`, making the input when first asked for.
    func webPort() -> String {
        if let webPortName { return "${input.\(webPortName)}" }
        let name = freeName("WEB_PORT")
        webPortName = name
        inputs.insert(InputDraft(name: name, type: "port", label: webPortLabel, required: webPortDefault == nil,
                                 defaultValue: webPortDefault.map(DraftValue.number)), at: 0)
        return "${input.\(name)}"
    }

    // MARK: Rewriting values

    /// `text` from a store file rewritten into our syntax: variables mapped, literal `$` written `$$`, container
    /// names of the app's services replaced by service names. `place` (`file: field`) names it in notes.
    func rewrite(_ text: String, at place: String) -> String {
        var result = ""
        for piece in Interpolation.parse(text) {
            switch piece {
            case .text(let literal):
                result += Self.escape(replacingAliases(literal))
            case .variable(let variable):
                result += value(of: variable, at: place)
            }
        }
        return result
    }

    /// Literal text in our syntax: every `$` as `$$`.
    static func escape(_ text: String) -> String { text.replacingOccurrences(of: "$", with: "$$") }

    /// What the variable is known as, store-specific first.
    func binding(_ name: String) -> Binding? {
        if let binding = resolve(name) { return binding }
        switch name {
        case "TZ": return .template("${deployment.timezone}")
        case "PUID": return .template("${deployment.uid}")
        case "PGID": return .template("${deployment.gid}")
        default: return nil
        }
    }

    private func value(of variable: Interpolation.Variable, at place: String) -> String {
        guard let binding = binding(variable.name) else {
            switch variable.modifier {
            case .fallback(let fallback):
                let value = rewrite(fallback, at: place)
                drop(place, "\(variable.raw): nothing in a recipe stands for \(variable.name); its default \"\(fallback)\" was kept")
                return value
            default:
                drop(place, "\(variable.raw): nothing in a recipe stands for \(variable.name) (\(storeName) or the app's other files set it); left empty")
                return ""
            }
        }
        if case .whenSet(let other) = variable.modifier { return rewrite(other, at: place) }
        switch binding {
        case .template(let template):
            return template
        case .input(let name):
            if case .fallback(let fallback) = variable.modifier, !Interpolation.hasVariables(fallback),
               let index = inputs.firstIndex(where: { $0.name == name }), inputs[index].defaultValue == nil {
                inputs[index].defaultValue = .text(fallback)
            }
            return "${input.\(name)}"
        case .secret(let name):
            return "${secret.\(name)}"
        case .webPort:
            return webPort()
        case .constant(let value, let why):
            if let why { drop(place, "\(variable.raw): \(why)") }
            return Self.escape(value)
        }
    }

    private func replacingAliases(_ text: String) -> String {
        guard !hostAliases.isEmpty else { return text }
        var result = text
        for (alias, service) in hostAliases.sorted(by: { $0.key.count > $1.key.count }) where alias != service {
            result = Self.replaceWord(alias, with: service, in: result)
        }
        return result
    }

    /// Replaces `word` where it is not part of a longer host name (letters, digits, `_`, `-`, `.` around it).
    static func replaceWord(_ word: String, with replacement: String, in text: String) -> String {
        guard !word.isEmpty, text.contains(word) else { return text }
        func isNameChar(_ char: Character?) -> Bool {
            guard let char else { return false }
            return char.isLetter || char.isNumber || char == "_" || char == "-"
        }
        let chars = Array(text)
        let target = Array(word)
        var result = ""
        var index = 0
        while index < chars.count {
            if index + target.count <= chars.count, Array(chars[index..<(index + target.count)]) == target,
               !isNameChar(index > 0 ? chars[index - 1] : nil),
               !isNameChar(index + target.count < chars.count ? chars[index + target.count] : nil) {
                result += replacement
                index += target.count
            } else {
                result.append(chars[index])
                index += 1
            }
        }
        return result
    }
}
