import Foundation
import Yams

/// Mapping the stores' categories, architectures and ids onto our fixed lists.
enum StoreMetadata {
    /// Our category for a store's category name, nil when nothing fits (the caller then says `other`).
    static func category(_ storeCategory: String) -> String? {
        let key = storeCategory.lowercased().filter { $0.isLetter || $0.isNumber }
        let table: [String: String] = [
            // Ours, as written.
            "media": "media", "files": "files", "photos": "photos", "documents": "documents", "passwords": "passwords",
            "homeautomation": "home-automation", "network": "network", "monitoring": "monitoring",
            "development": "development", "dashboards": "dashboards", "reverseproxy": "reverse-proxy",
            "productivity": "productivity", "communication": "communication", "backup": "backup", "ai": "ai",
            // Runtipi.
            "automation": "home-automation", "social": "communication", "photography": "photos", "books": "documents",
            "data": "files", "music": "media",
            // CasaOS (current and older lists).
            "home": "home-automation", "networking": "network", "developer": "development", "cloud": "files",
            "downloader": "media", "gallery": "photos", "chat": "communication", "analytics": "monitoring",
            "notes": "documents", "database": "development", "dashboard": "dashboards", "webserver": "reverse-proxy",
            "proxy": "reverse-proxy", "vpn": "network", "dns": "network", "adblock": "network", "video": "media",
            "games": "other", "utilities": "other",
            // Umbrel.
            "file": "files", "storage": "files", "developertools": "development", "automations": "home-automation",
        ]
        return table[key].flatMap { $0 == "other" ? nil : $0 }
    }

    /// Our architecture for a store's name of one, nil when it is none of ours.
    static func architecture(_ storeArchitecture: String) -> String? {
        switch storeArchitecture.lowercased().replacingOccurrences(of: "linux/", with: "") {
        case "amd64", "x86_64", "x86-64", "x64": "amd64"
        case "arm64", "aarch64", "arm64/v8", "arm64v8": "arm64"
        case "arm", "armv7", "arm/v7", "armhf", "armv7l", "arm32v7": "armv7"
        default: nil
        }
    }

    static let allArchitectures = ["amd64", "arm64", "armv7"]

    /// The architectures a store lists, mapped; noting those we do not have, and the store saying none.
    static func architectures(_ listed: [String]?, at place: String, context: ImportContext) -> [String] {
        guard let listed, !listed.isEmpty else {
            context.drop(place, "\(context.storeName) does not say which architectures the app runs on; the recipe says all three (amd64, arm64, armv7)")
            return allArchitectures
        }
        var result: [String] = []
        for name in listed {
            if let ours = architecture(name) {
                if !result.contains(ours) { result.append(ours) }
            } else {
                context.drop(place, "\(name): not an architecture recipes know (amd64, arm64, armv7)")
            }
        }
        guard !result.isEmpty else {
            context.drop(place, "none of the listed architectures is one recipes know; the recipe says all three")
            return allArchitectures
        }
        return allArchitectures.filter(result.contains)
    }

    /// A recipe id made of a store's id: lower-cased, other characters as `-`, at most 63 characters.
    static func recipeID(_ storeID: String) -> String {
        var id = ""
        for char in storeID.lowercased() {
            if char.isASCII && (char.isLetter || char.isNumber) {
                id.append(char)
            } else if !id.isEmpty && !id.hasSuffix("-") {
                id.append("-")
            }
        }
        while id.hasSuffix("-") { id.removeLast() }
        if id.count > 63 {
            id = String(id.prefix(63))
            while id.hasSuffix("-") { id.removeLast() }
        }
        return id
    }

    /// An `http(s)://` URL, or nil (noted) for anything else.
    static func url(_ text: String?, at place: String, context: ImportContext) -> String? {
        guard let text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        if text.hasPrefix("https://") || text.hasPrefix("http://") { return text }
        context.drop(place, "\"\(text)\" is not an http(s) URL, which a recipe needs here")
        return nil
    }

    /// A tagline of at most 120 characters: the first line, shortened at a word with `…` (noted) when longer.
    static func tagline(_ text: String, at place: String, context: ImportContext) -> String {
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
        guard line.count > 120 else { return line }
        var cut = String(line.prefix(119))
        if let space = cut.lastIndex(of: " "), cut.distance(from: cut.startIndex, to: space) > 60 { cut = String(cut[..<space]) }
        context.drop(place, "longer than the 120 characters of a tagline; shortened")
        return cut + "…"
    }

    /// The text of a locale map (`en_us`, `en_US`, then `en`, then any), or the value itself when it is text.
    static func localized(_ node: Node?) -> String? {
        guard let node else { return nil }
        if let text = node.text { return node.isNull ? nil : text }
        let entries = node.entries ?? []
        for wanted in ["en_us", "en", "en_gb"] {
            if let text = entries.first(where: { $0.key.lowercased() == wanted })?.value.text { return text }
        }
        return entries.first?.value.text
    }
}
