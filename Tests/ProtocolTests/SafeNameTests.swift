import Protocol
import Testing

@Suite("Names that become paths, numbers clients send, text for terminals")
struct SafeNameTests {
    @Test("no kind of name lets '..', a slash, a control character or an empty name through", arguments: SafeName.Kind.allCases)
    func traversalRefusedEverywhere(kind: SafeName.Kind) {
        for bad in ["", ".", "..", "../x", "a/../../b", "/etc/passwd", "a\u{0}b", "a\nb", "\u{1B}[2J", String(repeating: "a", count: 2000)] {
            let checked = kind == .backupTargetPath && bad == "/etc/passwd"
            #expect(SafeName.isValid(bad, kind) == checked, "\(kind) \(bad.debugDescription)")
        }
    }

    @Test("each kind takes the names Docker, Compose and our recipes really use")
    func realNamesAccepted() throws {
        #expect(SafeName.isValid("vaultwarden-web", .project))
        #expect(SafeName.isValid("my_app", .project))
        #expect(!SafeName.isValid("MyApp", .project))
        #expect(SafeName.isValid("Web.1", .service))
        #expect(SafeName.isValid("db_data", .volume))
        #expect(!SafeName.isValid("x", .volume), "Docker wants at least two characters")
        #expect(SafeName.isValid("config/app.env", .fileKey))
        #expect(SafeName.isValid(".env", .fileKey))
        #expect(!SafeName.isValid("config//app.env", .fileKey))
        #expect(!SafeName.isValid("../../../somewhere/pwned.txt", .fileKey))
        #expect(SafeName.isValid("home-assistant", .recipeID))
        #expect(SafeName.isValid("pi-4", .deviceName))
        #expect(SafeName.isValid("/srv/homelab backups", .backupTargetPath))
        #expect(!SafeName.isValid("/srv/../etc", .backupTargetPath))
        #expect(!SafeName.isValid("relative/path", .backupTargetPath))
        #expect(try SafeName("memos", .deploymentName).value == "memos")
    }

    @Test("a refused name is quoted with its control characters escaped and names its rule")
    func errorMessage() {
        let error = #expect(throws: SafeNameError.self) { try SafeName("..\u{1B}[2J", .project) }
        #expect(error?.description == #"stack project "..\u{1b}[2J" is not allowed: use lowercase letters, digits, '-' and '_', starting with a letter or digit, at most 63 characters"#)
    }

    @Test("a number out of range names the API field and the range; a query value that is not a number is refused")
    func bounds() throws {
        #expect(throws: InputBoundError(field: "ttlSeconds", message: "ttlSeconds must be between 1 and 31536000 seconds, got 315360000000")) {
            try InputBounds.joinTokenTTL.check(315_360_000_000)
        }
        #expect(try InputBounds.logTail.parse("20") == 20)
        #expect(try InputBounds.logTail.parse(nil) == nil)
        #expect(throws: InputBoundError.self) { try InputBounds.logTail.parse("99999999999999999999") }
        #expect(throws: InputBoundError.self) { try InputBounds.logTail.parse("-1") }
        #expect(throws: InputBoundError.self) { try InputBounds.scanTimeLimit.check(1e308) }
    }

    @Test("terminal text loses escapes, OSC titles, C1 controls and bidi overrides, and keeps what people read")
    func printable() {
        #expect(PrintableText.sanitized("pi\u{1B}[2J\u{1B}]0;owned\u{07}-4") == "pi[2J]0;owned-4")
        #expect(PrintableText.sanitized("a\u{9B}31mb\u{202E}c") == "a31mbc")
        #expect(PrintableText.sanitized("tab\there\nline", keepNewlines: true) == "tab here\nline")
        #expect(PrintableText.sanitized("Grüße, 日本") == "Grüße, 日本")
        #expect(PrintableText.escaped("a\u{1B}b\"", limit: 80) == #"a\u{1b}b\""#)
    }

    @Test("a stack spec whose file keys climb out, or whose names are not names, is refused field by field")
    func specRefusesTraversal() {
        let spec = StackSpec(name: "app", services: ["web": ServiceSpec(image: "busybox")],
                             volumes: ["../data": VolumeSpec()], files: ["../../../somewhere/pwned.txt": "x", "ok.env": "A=1"])
        let fields = spec.problems().map(\.field)
        #expect(fields.contains("x-homelab-files.../../../somewhere/pwned.txt"))
        #expect(fields.contains("volumes.../data"))
        #expect(!fields.contains("x-homelab-files.ok.env"))
    }

    @Test("stack requests are checked the same way on both sides")
    func stackRequestChecks() {
        #expect(throws: SafeNameError.self) { try StackRef(project: "..").validate() }
        #expect(throws: SafeNameError.self) { try StackRef(project: "app", services: ["../x"]).validate() }
        #expect(throws: (any Error).self) { try StackLogsRequest(project: "app", service: "web", follow: false, tail: 10_000_000).validate() }
        #expect(throws: Never.self) { try StackRef(project: "app", services: ["web"]).validate() }
    }
}
