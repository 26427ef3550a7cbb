import Foundation
import FuzzSupport
import Recipes

/// Runs one text through the recipe loader (YAML, the recipe format's checks) and reports what should never happen.
enum RecipeFuzz {
    /// Nil when the input was handled: loaded, or refused with problems that each say where and what.
    static func check(_ bytes: UnsafeRawBufferPointer) -> String? {
        guard let text = String(validating: bytes, as: UTF8.self) else { return nil }
        do {
            let recipe = try RecipeLoader.parse(text, file: "fuzz.yaml")
            guard RecipeLoader.isID(recipe.id) else { return "a recipe loaded with the id \(recipe.id.debugDescription)" }
        } catch {
            guard !error.problems.isEmpty else { return "refused without naming a problem" }
            for problem in error.problems where problem.file != "fuzz.yaml" || problem.line < 0 || problem.message.isEmpty {
                return "a problem without a place or a message: \(problem)"
            }
        }
        return nil
    }
}

#if FUZZING
/// libFuzzer's entry point; libFuzzer supplies `main`.
@_cdecl("LLVMFuzzerTestOneInput")
public func recipeFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    if let problem = RecipeFuzz.check(UnsafeRawBufferPointer(start: data, count: size)) { fatalError(problem) }
    return 0
}
#else
/// Corpus replayer (see ``FuzzReplay``).
@main
struct RecipeFuzzerReplay {
    static func main() { FuzzReplay.main(name: "RecipeFuzzer", RecipeFuzz.check) }
}
#endif
