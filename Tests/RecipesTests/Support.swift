import Foundation
import Testing
@testable import Recipes

enum Fixture {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The recipe of docs/recipes.md's example: the documentation and the tests kept as one.
    static func documentedExample() throws -> String {
        let doc = try String(contentsOf: repository.appendingPathComponent("docs/recipes.md"), encoding: .utf8)
        let start = try #require(doc.range(of: "```yaml\n"))
        let end = try #require(doc.range(of: "\n```", range: start.upperBound..<doc.endIndex))
        return String(doc[start.upperBound..<end.lowerBound])
    }

    /// The problems of `text`, or an empty list when it loads.
    static func problems(_ text: String, file: String = "test.yaml") -> [RecipeProblem] {
        do {
            _ = try RecipeLoader.parse(text, file: file)
            return []
        } catch {
            return error.problems
        }
    }

    /// A one-component recipe around `service` (YAML lines of the service `app`, indented by 8).
    static func recipe(service: String = "", extra: String = "") -> String {
        """
        id: box
        name: Box
        tagline: A box
        category: other
        version: "1"
        architectures: [amd64]
        \(extra)
        components:
          - name: app
            compose:
              services:
                app:
                  image: busybox:1
        \(service)
        """
    }
}
