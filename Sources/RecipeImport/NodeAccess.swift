import Foundation
import Yams

/// Read access to parsed store files: scalars as text, mappings with YAML merge keys (`<<: *x`) applied.
extension Node {
    /// The resolved tag's name (`tag:yaml.org,2002:str`, …).
    var tagName: Tag.Name { Tag.Name(rawValue: tag.rawValue) }

    /// The text of a scalar, whatever its type.
    var text: String? {
        if case .scalar(let scalar) = self { return scalar.string }
        return nil
    }

    /// A scalar that is a string (quoted, or plain text that is not a number, boolean or null).
    var isString: Bool {
        if case .scalar = self { return tagName == .str }
        return false
    }

    /// A plain `~`, `null` or nothing.
    var isNull: Bool {
        if case .scalar = self { return tagName == .null }
        return false
    }

    /// The items of a sequence.
    var items: [Node]? {
        if case .sequence(let sequence) = self { return Array(sequence) }
        return nil
    }

    /// The entries of a mapping in the order written, merge keys expanded (keys written in the mapping win,
    /// then the merged mappings in the order given). Keys that are not scalars are left out.
    var entries: [(key: String, value: Node)]? {
        guard case .mapping(let mapping) = self else { return nil }
        var own: [(key: String, value: Node)] = []
        var merged: [Node] = []
        for (key, value) in mapping {
            if case .scalar(let scalar) = key, key.tagName == .merge, scalar.style == .plain || scalar.style == .any {
                if let list = value.items { merged.append(contentsOf: list) } else { merged.append(value) }
            } else if let name = key.text {
                own.append((name, value))
            }
        }
        guard !merged.isEmpty else { return own }
        var seen = Set(own.map(\.key))
        var result = own
        for source in merged {
            for entry in source.entries ?? [] where !seen.contains(entry.key) {
                seen.insert(entry.key)
                result.append(entry)
            }
        }
        return result
    }

    /// The value under `key` of a mapping (merge keys applied).
    func value(_ key: String) -> Node? {
        entries?.first { $0.key == key }?.value
    }

    /// The text under `key` when it is a scalar and not null.
    func string(_ key: String) -> String? {
        guard let node = value(key), !node.isNull else { return nil }
        return node.text
    }

    /// The boolean under `key`: `true`/`false` (and the YAML 1.1 spellings), or a quoted "true"/"false".
    func flag(_ key: String) -> Bool? {
        guard let text = value(key)?.text?.lowercased() else { return nil }
        switch text {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }

    /// The integer under `key`, written as a number or as text.
    func integer(_ key: String) -> Int? {
        value(key)?.text.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// The 1-based line of this node in its file, 0 when unknown.
    var line: Int { (mark?.line ?? 0) }
}
