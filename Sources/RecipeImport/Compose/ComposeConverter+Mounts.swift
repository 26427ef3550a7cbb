import Yams

/// Mounts: the store's data folder and relative folders become named volumes, absolute paths stay bind mounts.
extension ComposeConverter {
    /// Mounts: the store's data folder and relative folders become named volumes, absolute paths stay bind mounts.
    func volumes(_ node: Node, at place: String) -> [Node] {
        var result: [Node] = []
        for (index, item) in (node.items ?? []).enumerated() {
            let itemPlace = "\(place)[\(index)]"
            if item.entries != nil {
                if let volume = longVolume(item, at: itemPlace) { result.append(volume) }
            } else if let raw = item.text {
                if let volume = shortVolume(raw, at: itemPlace) { result.append(volume) }
            }
        }
        return result
    }

    func shortVolume(_ raw: String, at place: String) -> Node? {
        let parts = Interpolation.split(raw, on: ":")
        guard parts.count >= 2 else {
            let target = context.rewrite(raw, at: place)
            let name = namedVolume(key: "anonymous:\(target)", preferred: target.split(separator: "/").last.map(String.init) ?? "data")
            context.drop(place, "an anonymous volume, lost whenever the container is made anew; it became the named volume \(name)")
            return .str("\(name):\(target)")
        }
        let target = context.rewrite(parts[1], at: place)
        var readOnly = false
        for option in parts.dropFirst(2).joined(separator: ":").split(separator: ",").map(String.init) {
            switch option {
            case "ro": readOnly = true
            case "rw": continue
            default: context.drop(place, "mount option \"\(option)\" is not in our compose subset (ro or rw)")
            }
        }
        guard let source = mountSource(parts[0], target: target, at: place) else { return nil }
        return .str("\(source):\(target)" + (readOnly ? ":ro" : ""))
    }

    func longVolume(_ node: Node, at place: String) -> Node? {
        let type = node.string("type") ?? "volume"
        let target = context.rewrite(node.string("target") ?? "", at: place)
        guard !target.isEmpty else {
            context.drop(place, "a mount without a target; left out")
            return nil
        }
        if type == "tmpfs" {
            var kept: [(String, Node)] = [("type", .str("tmpfs")), ("target", .str(target))]
            if let size = node.value("tmpfs")?.value("size") { kept.append(("tmpfs", .map([("size", copy(size, at: "\(place).tmpfs.size"))]))) }
            for (key, _) in node.entries ?? [] where !["type", "target", "tmpfs"].contains(key) {
                context.drop("\(place).\(key)", "our compose subset gives a tmpfs mount a target and a size only")
            }
            for (key, _) in node.value("tmpfs")?.entries ?? [] where key != "size" {
                context.drop("\(place).tmpfs.\(key)", "our compose subset gives a tmpfs mount a target and a size only")
            }
            return .map(kept)
        }
        for (key, _) in node.entries ?? [] where !["type", "source", "target", "read_only"].contains(key) {
            context.drop("\(place).\(key)", "our compose subset has no mount \(key)")
        }
        let readOnly = node.flag("read_only") == true
        guard type == "bind" || type == "volume" else {
            context.drop(place, "a \(type) mount is not in our compose subset; left out")
            return nil
        }
        guard let rawSource = node.string("source"), !rawSource.isEmpty else {
            let name = namedVolume(key: "anonymous:\(target)", preferred: target.split(separator: "/").last.map(String.init) ?? "data")
            context.drop(place, "an anonymous volume, lost whenever the container is made anew; it became the named volume \(name)")
            return .str("\(name):\(target)")
        }
        let source = type == "volume" ? namedVolume(key: "named:\(rawSource)", preferred: rawSource)
            : mountSource(rawSource, target: target, at: place)
        guard let source else { return nil }
        return .str("\(source):\(target)" + (readOnly ? ":ro" : ""))
    }

    /// What a mount source becomes: a named volume, a bind mount, or nothing (noted).
    func mountSource(_ raw: String, target: String, at place: String) -> String? {
        if let path = rules.dataDirectory(raw) {
            let components = path.split(separator: "/").map(String.init)
            if let last = components.last, Self.looksLikeFile(last) {
                context.drop(place, "\(raw) is a single file of \(context.storeName)'s app folder; a named volume holds folders only, so the app starts without it")
                return nil
            }
            let meaningful = components.count > 1 && components[0] == "data" ? Array(components.dropFirst()) : components
            return namedVolume(key: "data:\(components.joined(separator: "/"))", preferred: meaningful.joined(separator: "-"))
        }
        if raw.hasPrefix("/") && !Interpolation.hasVariables(raw) {
            return raw
        }
        if !raw.contains("/") && !raw.hasPrefix(".") && !raw.hasPrefix("~") && !Interpolation.hasVariables(raw) {
            return namedVolume(key: "named:\(raw)", preferred: raw)
        }
        let literalParts = raw.split(separator: "/").map(String.init).filter { !Interpolation.hasVariables($0) && $0 != "." && $0 != ".." && $0 != "~" }
        if let last = literalParts.last, Self.looksLikeFile(last) {
            context.drop(place, "\(raw) is a single file outside the app's data; a named volume holds folders only, so the app starts without it")
            return nil
        }
        let name = namedVolume(key: "path:\(raw)", preferred: literalParts.last ?? target.split(separator: "/").last.map(String.init) ?? "data")
        let what = Interpolation.hasVariables(raw) ? "\(raw) is a folder \(context.storeName) chooses" : "\(raw) is a folder relative to the store's files"
        context.drop(place, "\(what); it became the named volume \(name), empty at first (bind a host folder by hand if the app should see existing files)")
        return name
    }

    /// The name of the named volume standing for `key`, declared at the top level.
    func namedVolume(key: String, preferred: String) -> String {
        if let name = volumeKeys[key] { return name }
        var base = Self.volumeName(preferred)
        if base.isEmpty { base = "data" }
        let taken = Set(volumeKeys.values)
        var name = base
        var number = 2
        while taken.contains(name) {
            name = "\(base)-\(number)"
            number += 1
        }
        volumeKeys[key] = name
        component.volumes.append(name)
        return name
    }

    static func volumeName(_ text: String) -> String {
        var name = ""
        for char in text.lowercased() {
            if char.isASCII && (char.isLetter || char.isNumber || char == "_" || char == ".") {
                name.append(char)
            } else if !name.hasSuffix("-") {
                name.append("-")
            }
        }
        while let first = name.first, !(first.isLetter || first.isNumber) { name.removeFirst() }
        while name.hasSuffix("-") || name.hasSuffix(".") { name.removeLast() }
        return name
    }

    static func looksLikeFile(_ component: String) -> Bool {
        guard let dot = component.lastIndex(of: "."), dot != component.startIndex else { return false }
        let fileExtensions: Set<String> = [
            "yml", "yaml", "json", "toml", "ini", "conf", "cfg", "env", "txt", "xml", "js", "sh", "db", "sqlite", "sqlite3",
            "key", "pem", "crt", "properties", "php", "lua", "py", "template", "log", "list",
        ]
        return fileExtensions.contains(component[component.index(after: dot)...].lowercased())
    }
}
