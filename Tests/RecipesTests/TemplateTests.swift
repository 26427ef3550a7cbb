import Testing
@testable import Recipes

@Suite("Templates")
struct TemplateTests {
    @Test("variables, $$ and lone $ parse as documented")
    func parsing() throws {
        let template = try Template(parsing: "a ${input.X} $$ b $HOME ${secret.Y}${component.db.host}:${component.db.port} ${deployment.timezone}")
        #expect(template.variables == [.input("X"), .secret("Y"), .componentHost("db"), .componentPort("db"), .deployment(.timezone)])
        let out = template.render { "<\($0)>" }
        #expect(out == "a <${input.X}> $ b $HOME <${secret.Y}><${component.db.host}>:<${component.db.port}> <${deployment.timezone}>")
    }

    @Test("an unknown namespace, field or an unclosed brace is an error in words")
    func errors() {
        #expect(throws: TemplateError.self) { try Template(parsing: "${FOO}") }
        #expect(throws: TemplateError.self) { try Template(parsing: "${deployment.nope}") }
        #expect(throws: TemplateError.self) { try Template(parsing: "${component.db.address}") }
        #expect(throws: TemplateError.self) { try Template(parsing: "${input.X") }
    }
}
