import Yams

/// Published ports, in short syntax for our subset.
extension ComposeConverter {
    /// Published ports, short or long syntax.
    func ports(_ node: Node, at place: String) -> [PortDraft] {
        var result: [PortDraft] = []
        for (index, item) in (node.items ?? []).enumerated() {
            let itemPlace = "\(place)[\(index)]"
            if let entries = item.entries {
                var port = PortDraft(target: "")
                for (key, value) in entries {
                    let text = context.rewrite(value.text ?? "", at: "\(itemPlace).\(key)")
                    switch key {
                    case "target": port.target = text
                    case "published": port.published = text.isEmpty ? nil : text
                    case "host_ip": port.hostIP = text.isEmpty ? nil : text
                    case "protocol": port.proto = text == "tcp" ? nil : text
                    case "mode": continue
                    default: context.drop("\(itemPlace).\(key)", "our compose subset has no port \(key)")
                    }
                }
                if port.target.isEmpty {
                    context.drop(itemPlace, "a port without a target; left out")
                } else {
                    result.append(port)
                }
            } else if let raw = item.text {
                if let port = shortPort(raw, at: itemPlace) { result += expanded(port, raw: raw, at: itemPlace) }
            }
        }
        return result
    }

    func shortPort(_ raw: String, at place: String) -> PortDraft? {
        var body = raw
        var proto: String?
        if let slash = raw.lastIndex(of: "/"), !raw[raw.index(after: slash)...].contains("}") {
            proto = String(raw[raw.index(after: slash)...])
            body = String(raw[..<slash])
        }
        let parts = Interpolation.split(body, on: ":").map { context.rewrite($0, at: place) }
        var port: PortDraft
        switch parts.count {
        case 1: port = PortDraft(target: parts[0])
        case 2: port = PortDraft(published: parts[0], target: parts[1])
        case 3: port = PortDraft(hostIP: parts[0], published: parts[1], target: parts[2])
        default:
            context.drop(place, "\"\(raw)\" is not [host_ip:][published:]target[/protocol]; left out")
            return nil
        }
        if port.hostIP?.isEmpty == true { port.hostIP = nil }
        if port.published?.isEmpty == true { port.published = nil }
        port.proto = proto == "tcp" ? nil : proto
        return port
    }

    /// A port range (`6881-6889:6881-6889`) as one port each, which is how our compose subset takes them.
    func expanded(_ port: PortDraft, raw: String, at place: String) -> [PortDraft] {
        func range(_ text: String?) -> ClosedRange<Int>? {
            guard let text else { return nil }
            let ends = text.split(separator: "-").compactMap { Int($0) }
            return ends.count == 2 && ends[0] <= ends[1] ? ends[0]...ends[1] : nil
        }
        guard port.target.contains("-") || port.published?.contains("-") == true else { return [port] }
        guard let targets = range(port.target), targets.count <= 64 else {
            context.drop(place, "\"\(raw)\" is a port range our compose subset cannot take; left out")
            return []
        }
        let published = port.published.map(range)
        if let published, published?.count != targets.count {
            context.drop(place, "\"\(raw)\" maps ranges of different sizes; left out")
            return []
        }
        return targets.enumerated().map { offset, target in
            var single = port
            single.target = String(target)
            single.published = published.flatMap { $0.map { String($0.lowerBound + offset) } }
            return single
        }
    }
}
