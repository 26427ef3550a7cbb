import ArgumentParser
import Foundation
import Recipes

/// `homelab recipes validate FILE|DIR…`: every problem of every recipe, with file, line, column and field.
public struct RecipesValidate: AsyncParsableCommand {
    /// Name and help.
    public static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check recipe files (a folder: every .yaml in it); exit 1 when any has a problem."
    )

    /// Output options.
    @OptionGroup public var global: GlobalOptions
    /// What to check.
    @Argument(help: ArgumentHelp("Recipe files or folders.", valueName: "path")) public var paths: [String]

    /// Creates the command.
    public init() {}

    /// Runs in the process's context.
    public func run() async throws { try await run(in: .live()) }

    /// Checks and reports.
    public func run(in context: CommandContext) async throws {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw CLIError(.localFile, "\(path): no such file or folder", exitCode: ExitStatus.failure)
            }
            if isDirectory.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
                files += names.map { (path.hasSuffix("/") ? path : path + "/") + $0 }
            } else {
                files.append(path)
            }
        }
        var problems: [RecipeProblem] = []
        for file in files {
            do { _ = try RecipeLoader.load(path: file) } catch { problems += error.problems }
        }
        switch global.output {
        case .json: context.console.write(try JSONOutput.render(problems))
        case .table:
            for problem in problems { context.console.write(problem.description + "\n") }
            let bad = Set(problems.map(\.file)).count
            context.console.write(problems.isEmpty ? "\(files.count) recipe\(files.count == 1 ? "" : "s") valid\n"
                                                   : "\(problems.count) problem\(problems.count == 1 ? "" : "s") in \(bad) of \(files.count) recipes\n")
        }
        if !problems.isEmpty { throw ExitCode(ExitStatus.failure) }
    }
}
