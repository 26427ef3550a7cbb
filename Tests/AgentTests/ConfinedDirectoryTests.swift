@testable import Agent
import Foundation
import Protocol
import Testing

@Suite("Stack files stay inside their project folder")
struct ConfinedDirectoryTests {
    func temporaryFolder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("confined-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("a file key that climbs out with '..' writes nothing anywhere")
    func dotDotRefused() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/stacks/app", withIntermediateDirectories: true)
        let confined = ConfinedDirectory(root: root + "/stacks/app")
        #expect(throws: AgentError.self) { try confined.write(Array("pwned".utf8), to: "../../pwned.txt", mode: 0o600) }
        #expect(!FileManager.default.fileExists(atPath: root + "/pwned.txt"))
    }

    @Test("a symlink planted inside the project folder is never followed out, as a folder or as the file itself")
    func symlinksRefused() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let project = root + "/stacks/app", outside = root + "/outside"
        try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: project + "/config", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: project + "/app.env", withDestinationPath: outside + "/victim")
        let confined = ConfinedDirectory(root: project)
        let error = #expect(throws: AgentError.self) { try confined.write(Array("x".utf8), to: "config/app.env", mode: 0o600) }
        #expect(error?.code == "invalid_name")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty, "nothing written through the folder link")
        try confined.write(Array("A=1\n".utf8), to: "app.env", mode: 0o600)
        #expect(!FileManager.default.fileExists(atPath: outside + "/victim"), "the file link was replaced, not followed")
        #expect(try String(contentsOfFile: project + "/app.env", encoding: .utf8) == "A=1\n")
        let attributes = try FileManager.default.attributesOfItem(atPath: project + "/app.env")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test("a project folder that is itself a symlink is refused")
    func projectLinkRefused() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/stacks", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: root + "/stacks/app", withDestinationPath: root)
        #expect(throws: AgentError.self) { try ConfinedDirectory(root: root + "/stacks/app").write([1], to: "a.env", mode: 0o600) }
        #expect(!FileManager.default.fileExists(atPath: root + "/a.env"))
    }

    @Test("removing project '..' or '.' leaves the agent's state alone")
    func removeRefusesTraversal() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/stacks/app", withIntermediateDirectories: true)
        try Data("id\n".utf8).write(to: URL(fileURLWithPath: root + "/device-id"))
        for project in ["..", ".", "../..", "app/.."] { StackFiles.remove(project: project, from: root + "/stacks") }
        #expect(FileManager.default.fileExists(atPath: root + "/device-id"))
        #expect(FileManager.default.fileExists(atPath: root + "/stacks/app"))
        StackFiles.remove(project: "app", from: root + "/stacks")
        #expect(!FileManager.default.fileExists(atPath: root + "/stacks/app"))
    }

    @Test("writing a spec whose files climb out writes no file outside, even past the spec check")
    func stackFilesConfined() throws {
        let root = try temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let spec = StackSpec(name: "app", services: ["web": ServiceSpec(image: "busybox")], files: ["../../../pwned.txt": "x"])
        #expect(throws: (any Error).self) { _ = try StackFiles.write(spec, into: root + "/stacks") }
        #expect(!FileManager.default.fileExists(atPath: root + "/pwned.txt"))
        #expect(!FileManager.default.fileExists(atPath: FileManager.default.temporaryDirectory.path + "/pwned.txt"))
    }
}
