// swift-tools-version:6.2
// The agent is cross-built with Swift 6.2 (see docs/arm.md), so tools-version stays at 6.2.
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "homelab",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "homelab-agent", targets: ["homelab-agent"]),
        .executable(name: "homelab-controller", targets: ["homelab-controller"]),
        .executable(name: "homelab", targets: ["homelab"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        // Without its swift-configuration trait: SwiftPM 6.2 (the arm64 cross toolchain) cannot resolve that product.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket.git", from: "2.8.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
    ],
    targets: [
        // Wire types, frame codec and shared domain values. Depends on nothing of ours.
        .target(
            name: "Protocol",
            dependencies: [.product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")],
            exclude: ["README.md"],
            swiftSettings: strict
        ),
        // GNU and Linux calls the agent needs that Swift's Glibc module does not export (pipe2, closefrom in
        // posix_spawn, xattrs).
        .target(name: "CAgentSystem"),
        // restic as a child process: commands, JSON progress, errors with stable codes, an inactivity
        // watchdog. Shared by the agent and the controller; FoundationEssentials only.
        .target(
            name: "Restic",
            dependencies: [.product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: strict
        ),
        // The agent library: small, no Foundation, no Hummingbird, no GRDB.
        .target(
            name: "Agent",
            dependencies: [
                "Protocol", "CAgentSystem", "Restic",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            exclude: ["README.md", "Sampling/README.md"],
            swiftSettings: strict
        ),
        // The controller library: store, PKI, enrollment, registry, HTTP API.
        .target(
            name: "Controller",
            dependencies: [
                "Protocol", "Recipes", "Scheduler", "SSHClient", "CCurl", "Restic",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            exclude: ["README.md", "Scan/README.md", "Bootstrap/README.md", "Web/README.md", "History/README.md", "Insights/README.md", "Alerts/README.md", "Backups/README.md"],
            // The dashboard's templates and assets (docs/dashboard.md), read from the resource bundle.
            resources: [.copy("Web/Templates"), .copy("Web/Assets")],
            swiftSettings: strict
        ),
        // libssh2 (Debian libssh2-1-dev) for the controller's SSH bootstrap; never in the agent.
        .systemLibrary(name: "CLibSSH2", pkgConfig: "libssh2", providers: [.apt(["libssh2-1-dev"])]),
        // libcurl (Debian libcurl4-openssl-dev) for the controller's SMTP alerts: STARTTLS, authentication; never in the agent.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // A small blocking SSH client over libssh2 (sessions on threads of their own): connect, host key, auth, exec.
        .target(name: "SSHClient", dependencies: ["CLibSSH2"], swiftSettings: strict),
        // Recipes: the format, its loader and validator (file:line:column problems), templating and rendering
        // to stacks. Shared by the controller (catalog, API) and the CLI (validate, render); never in the agent.
        .target(
            name: "Recipes",
            dependencies: ["Protocol", .product(name: "Yams", package: "Yams")],
            exclude: ["README.md"],
            swiftSettings: strict
        ),
        // "Where should this run?": a pure function of a cluster snapshot and a placement request. Shared by
        // the controller (recommendations) and the CLI (offline what-if plans from a snapshot file).
        .target(
            name: "Scheduler",
            dependencies: ["Recipes", "Protocol"],
            exclude: ["README.md"],
            swiftSettings: strict
        ),
        // Importers from the Runtipi, CasaOS and Umbrel app stores into recipes.
        .target(
            name: "RecipeImport",
            dependencies: ["Recipes", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        // The `homelab` command: talks to the controller API only.
        .target(
            name: "CLI",
            dependencies: [
                "Protocol", "Recipes", "RecipeImport", "Scheduler",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            exclude: ["README.md"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "homelab-agent",
            dependencies: ["Agent", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: strict,
            // No dynamic symbol table: nothing loads the agent's symbols at run time, and the table (every
            // public symbol, kept alive for it) was 3 MB of the release binary (docs/decisions.md).
            linkerSettings: [.unsafeFlags(["-Xlinker", "--no-export-dynamic"], .when(configuration: .release))]
        ),
        .executableTarget(
            name: "homelab-controller",
            dependencies: ["Controller", "Protocol", "Scheduler", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            swiftSettings: strict
        ),
        .executableTarget(name: "homelab", dependencies: ["CLI"], swiftSettings: strict),
        // libFuzzer entries (`make fuzz`); without -DFUZZING each replays a corpus through FuzzSupport (`make fuzz-replay`).
        .target(name: "FuzzSupport", path: "Fuzz/FuzzSupport", swiftSettings: strict),
        .executableTarget(
            name: "FrameFuzzer",
            dependencies: ["Protocol", "FuzzSupport", .product(name: "NIOCore", package: "swift-nio")],
            path: "Fuzz/FrameFuzzer",
            swiftSettings: strict
        ),
        .executableTarget(name: "AnnouncementFuzzer", dependencies: ["Protocol", "FuzzSupport"], path: "Fuzz/AnnouncementFuzzer", swiftSettings: strict),
        .executableTarget(name: "RecipeFuzzer", dependencies: ["Recipes", "FuzzSupport"], path: "Fuzz/RecipeFuzzer", swiftSettings: strict),
        .executableTarget(name: "TarGuardFuzzer", dependencies: ["Agent", "FuzzSupport"], path: "Fuzz/TarGuardFuzzer", swiftSettings: strict),
        // `make bench`: prints figures beside a baseline measured in the same run.
        .executableTarget(
            name: "homelab-bench",
            dependencies: [
                "Protocol", "Agent", "Controller", "Recipes", "Scheduler", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            path: "Benchmarks",
            exclude: ["agent-size.sh", "lab-up.sh", "stack-bench.sh", "bootstrap-bench.sh", "transfer-bench.sh", "migration-bench.sh", "hardening-bench.sh", "listener-flood.py",
                      "dashboard_bench.py"],
            swiftSettings: strict
        ),
        // For the tests and benchmarks: child processes (posix_spawn + waitpid; see the file for why not
        // Foundation's Process) and a seeded random generator.
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(
            name: "ProtocolTests",
            dependencies: [
                "Protocol", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "AgentTests",
            dependencies: [
                "TestSupport", "Agent", "Protocol", "Restic",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ControllerTests",
            dependencies: [
                "TestSupport", "Controller", "Agent", "Protocol", "Recipes", "Scheduler",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        // Multi-device tests across network namespaces (`deploy/lab/lab`); they need root.
        .testTarget(
            name: "LabTests",
            dependencies: [
                "TestSupport", "CLI", "Protocol", "Scheduler",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "RecipesTests",
            dependencies: ["Recipes", "Protocol", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SchedulerTests",
            dependencies: ["Scheduler", "Recipes"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "RecipeImportTests",
            dependencies: ["RecipeImport", "Recipes", "Protocol", .product(name: "Yams", package: "Yams")],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "CLITests",
            dependencies: [
                "TestSupport", "CLI", "Controller", "Protocol", "Scheduler",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
    ]
)
