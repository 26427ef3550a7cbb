import Foundation
import Mustache

/// The dashboard's Mustache templates (`Templates/*.mustache` in the resource bundle), parsed once.
struct Templates: Sendable {
    /// The bundled templates.
    static let shared = Templates(directory: Bundle.module.url(forResource: "Templates", withExtension: nil))

    let library: MustacheLibrary
    /// Templates that did not parse (a test keeps this empty).
    let problems: [String]

    /// Loads every `.mustache` file of `directory`, named by its file name without the extension.
    init(directory: URL?) {
        var library = MustacheLibrary()
        var problems: [String] = []
        let files = directory.flatMap { try? FileManager.default.contentsOfDirectory(at: $0, includingPropertiesForKeys: nil) } ?? []
        if files.isEmpty { problems.append("no templates in \(directory?.path ?? "the resource bundle")") }
        for file in files where file.pathExtension == "mustache" {
            do {
                try library.register(String(contentsOf: file, encoding: .utf8), named: file.deletingPathExtension().lastPathComponent)
            } catch {
                problems.append("\(file.lastPathComponent): \(error)")
            }
        }
        self.library = library
        self.problems = problems
    }

    /// `object` rendered with the template `name`.
    func render(_ object: Any, _ name: String) -> String {
        library.render(object, withTemplate: name) ?? "template \(name) is missing from the controller's resources"
    }
}

/// What every page's frame shows: the title, the navigation with the current section marked, who is signed in,
/// the CSRF secret for forms and scripts, and a notice after an action.
struct Chrome: Sendable {
    /// One entry of the navigation.
    struct NavItem: Sendable {
        var href: String
        var label: String
        var current: Bool
    }
    var title: String
    var nav: [NavItem]
    /// The signed-in token's name.
    var user: String
    var csrf: String
    /// Whether this page draws charts with Debian's Chart.js (installed beside the controller; else they stay SVG).
    var chartJS: Bool
    /// A line confirming what was just done.
    var notice: String?
    /// What the signed-in token may do, so a page shows only the forms it may submit (the access table still
    /// decides every request): `operator` starts, stops, deploys, removes apps and edits labels; `admin` also
    /// approves, adds and removes devices and manages tokens.
    var canOperate: Bool
    var isAdmin: Bool

    /// The sections of the dashboard.
    static let sections: [(href: String, label: String)] = [
        ("/", "Overview"), ("/map", "Map"), ("/devices", "Devices"), ("/apps", "Apps"), ("/catalog", "Catalog"), ("/tokens", "Tokens"),
    ]

    /// The frame of a page in `section` (its href) for `session`.
    init(title: String, section: String, session: WebSession, notice: String? = nil, charts: Bool = false) {
        self.title = title
        // Tokens are the admin's: the section is not offered to the other roles.
        nav = Self.sections.filter { $0.href != "/tokens" || session.role.allows(.admin) }
            .map { NavItem(href: $0.href, label: $0.label, current: $0.href == section) }
        user = session.tokenName
        csrf = session.csrf
        chartJS = charts && Assets.chartJS != nil
        self.notice = notice
        canOperate = session.role.allows(.operator)
        isAdmin = session.role.allows(.admin)
    }
}
