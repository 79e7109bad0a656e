// swift-tools-version:6.2
import PackageDescription

/// One settings list shared by every target of the package.
let settings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "HubKiosk",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "hubkioskd", targets: ["hubkioskd"]),
        .executable(name: "hubkiosk", targets: ["hubkiosk"]),
        .executable(name: "hubreport", targets: ["hubreport"]),
        .library(name: "KioskCore", targets: ["KioskCore"]),
        .library(name: "KioskDirectory", targets: ["KioskDirectory"]),
        .library(name: "ESCPOS", targets: ["ESCPOS"]),
        .library(name: "KioskSimulator", targets: ["KioskSimulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: ["FullFoundation"]),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-http-structured-headers", from: "1.7.0"),
        // The kiosk's sync client.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // hubreport only: its PostgreSQL store, and HTTPS on the service (certificates, keys, `hubreport tls pin`).
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // The pages for people (staff, coordinators, the simulator): templates, password hashes, the device's own
        // certificate.
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
    ],
    targets: [
        // Pure domain: needs, press rules, visits, schedules, directory, slips, tallies, hardware protocols.
        .target(
            name: "KioskCore",
            swiftSettings: settings
        ),
        // One reader per directory format (ORUK v3 / HSDS 3, ORUK v1, ALISS): bytes -> the core's directory model
        // plus every problem, naming service id and field. Its own small JSON parser keeps lines for the messages.
        .target(
            name: "KioskDirectory",
            dependencies: ["KioskCore"],
            swiftSettings: settings
        ),
        // Slip document -> ESC/POS bytes for a printer profile, and bytes -> structure.
        .target(
            name: "ESCPOS",
            dependencies: ["KioskCore"],
            swiftSettings: settings
        ),
        // The SQLite database (system libsqlite3 through GRDB).
        .target(
            name: "KioskStore",
            dependencies: [
                "KioskCore",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
        // kiosk.toml and the directory file -> core configuration, with errors naming file, line and key.
        .target(
            name: "KioskConfig",
            dependencies: [
                "KioskCore",
                "KioskDirectory",
                "ESCPOS",
                .product(name: "TOMLKit", package: "TOMLKit"),
            ],
            swiftSettings: settings
        ),
        // libgpiod 1.6 (v1 API) or 2.x (v2 API), behind one version-neutral shim.
        .systemLibrary(
            name: "CGPIOD",
            pkgConfig: "libgpiod",
            providers: [.apt(["libgpiod-dev"])]
        ),
        // libqrencode, for QR codes on printers without QR firmware.
        .systemLibrary(
            name: "CQRencode",
            pkgConfig: "libqrencode",
            providers: [.apt(["libqrencode-dev"])]
        ),
        // Small C helpers for kernel interfaces Glibc's module does not export (adjtimex).
        .target(name: "CKioskShims"),
        // The wiring shared by every backend: the kiosk service that turns presses into rows, LEDs and slips.
        .target(
            name: "KioskRuntime",
            dependencies: [
                "CKioskShims",
                "KioskCore",
                "KioskControl",
                "ESCPOS",
                "KioskStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: settings
        ),
        // The board backend: libgpiod buttons and LEDs, printer transports (USB lp, serial, TCP 9100) with status,
        // QR rasters, sd_notify.
        .target(
            name: "KioskHardware",
            dependencies: [
                "CGPIOD",
                "CQRencode",
                "KioskCore",
                "ESCPOS",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: settings
        ),
        // The simulator backend: virtual buttons, LEDs, printer and clock; scenario files.
        .target(
            name: "KioskSimulator",
            dependencies: [
                "KioskCore",
                "ESCPOS",
                "KioskConfig",
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Simulator/Sources/KioskSimulator",
            swiftSettings: settings
        ),
        // The control API spoken over the daemon's local socket, and its client (AsyncHTTPClient on the Unix socket).
        .target(
            name: "KioskControl",
            dependencies: [
                "KioskCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: settings
        ),
        // The sync wire types and request signing (RFC 9421, ed25519), shared by the kiosk and `hubreport`: no server
        // code, no database, no NIO.
        .target(
            name: "HubReportAPI",
            dependencies: [
                "KioskCore",
                .product(name: "Crypto", package: "swift-crypto"),
                // The raw structured-field parser and serializer: a signature base needs the inner list and its
                // parameters exactly in the order received.
                .product(name: "RawStructuredFieldValues", package: "swift-http-structured-headers"),
            ],
            swiftSettings: settings
        ),
        // The kiosk's side of the partnership sync: enrolment, the signed HTTPS client (AsyncHTTPClient) and the
        // service that sends the tally ledger. No server code and no postgres-nio: only the shared wire types.
        .target(
            name: "KioskSync",
            dependencies: [
                "HubReportAPI",
                "KioskControl",
                "KioskCore",
                "KioskRuntime",
                "KioskStore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: settings
        ),
        // The partnership's reporting service: storage (SQLite through GRDB, or PostgreSQL through postgres-nio) and
        // the HTTP API kiosks sync to, over HTTP or HTTPS.
        .target(
            name: "HubReport",
            dependencies: [
                "HubReportAPI",
                "HubWeb",
                "KioskCore",
                "KioskConfig",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: settings
        ),
        // Directory feeds pulled over HTTP(S): pages, details, conditional requests, retries.
        .target(
            name: "KioskFeed",
            dependencies: [
                "KioskCore",
                "KioskDirectory",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
        // What the pages of the kiosk and of hubreport share: sessions, logins, setup codes, CSRF and Origin checks,
        // security headers, templates (Mustache), forms, SVG charts, the device's self-made TLS certificate.
        .target(
            name: "HubWeb",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
        // HTTP for the daemon: the control socket (`hubkiosk`) and the staff and simulator pages on the hub's LAN,
        // one Hummingbird stack with two listeners.
        .target(
            name: "KioskWeb",
            dependencies: [
                "HubWeb",
                "ESCPOS",
                "KioskDirectory",
                "KioskCore",
                "KioskControl",
                "KioskRuntime",
                "KioskStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
        // Start-up shared by the daemon, the tool and the end-to-end tests.
        .target(
            name: "KioskApp",
            dependencies: [
                "KioskCore",
                "KioskDirectory",
                "KioskHardware",
                "ESCPOS",
                "KioskStore",
                "KioskConfig",
                "KioskRuntime",
                "KioskSimulator",
                "KioskSync",
                "KioskFeed",
                "KioskWeb",
                "HubWeb",
                "KioskControl",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: settings
        ),
        .executableTarget(
            name: "hubkioskd",
            dependencies: [
                "KioskApp",
                "KioskConfig",
                "KioskCore",
                "KioskHardware",
                "KioskRuntime",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: settings
        ),
        .executableTarget(
            name: "hubkiosk",
            dependencies: [
                "KioskApp",
                "KioskHardware",
                "KioskControl",
                "KioskConfig",
                "KioskCore",
                "KioskDirectory",
                "KioskStore",
                "KioskRuntime",
                "KioskSimulator",
                "KioskSync",
                "KioskFeed",
                "ESCPOS",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: settings
        ),
        .executableTarget(
            name: "hubreport",
            dependencies: [
                "HubReport",
                "HubReportAPI",
                "KioskConfig",
                "KioskCore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: settings
        ),
        .executableTarget(
            name: "hubkiosk-bench",
            dependencies: [
                "KioskApp",
                "KioskConfig",
                "KioskControl",
                "KioskCore",
                "KioskRuntime",
                "KioskSimulator",
                "KioskStore",
                "ESCPOS",
                "KioskTestSupport",
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/Sources/hubkiosk-bench",
            swiftSettings: settings
        ),
        // hubreport's ingest, export and memory beside the bare engines (Benchmarks/run.sh service).
        .executableTarget(
            name: "hubreport-bench",
            dependencies: [
                "HubReport",
                "HubReportAPI",
                "KioskCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/Sources/hubreport-bench",
            swiftSettings: settings
        ),
        // The readers under libFuzzer (Fuzz/run.sh), or replaying the committed corpus without it.
        .executableTarget(
            name: "hubkiosk-fuzz",
            dependencies: ["KioskConfig", "KioskCore", "KioskDirectory", "KioskSimulator", "ESCPOS"],
            path: "Fuzz/Sources/hubkiosk-fuzz",
            swiftSettings: settings
        ),
        // The GPIO conformance suite on a gpio-sim chip: run by KioskHardwareTests, and by `gpio-conformance`, a small
        // program CI builds beside each libgpiod build's hubkioskd and runs in the VM (Scripts/vm/checks/).
        .target(
            name: "GPIOConformance",
            dependencies: ["KioskCore", "KioskHardware", .product(name: "Logging", package: "swift-log")],
            path: "Tests/GPIOConformance",
            swiftSettings: settings
        ),
        .executableTarget(
            name: "gpio-conformance",
            dependencies: ["GPIOConformance", "KioskHardware"],
            path: "Tests/gpio-conformance",
            swiftSettings: settings
        ),
        // What several test targets and the benchmarks share: a seeded generator, a flag, temporary folders.
        .target(
            name: "KioskTestSupport",
            path: "Tests/KioskTestSupport",
            swiftSettings: settings
        ),
        .testTarget(
            name: "HubWebTests",
            dependencies: [
                "HubWeb",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
        .testTarget(
            name: "KioskCoreTests",
            dependencies: ["KioskCore", "KioskTestSupport"],
            swiftSettings: settings
        ),
        .testTarget(
            name: "KioskDirectoryTests",
            dependencies: ["KioskDirectory", "KioskCore", "KioskTestSupport"],
            // Read by path (#filePath), not bundled: the dateutil cross-check cases and their generator.
            exclude: ["Fixtures"],
            swiftSettings: settings
        ),
        .testTarget(
            name: "ESCPOSTests",
            dependencies: ["ESCPOS", "KioskCore", "KioskDirectory"],
            swiftSettings: settings
        ),
        .testTarget(
            name: "KioskStoreTests",
            dependencies: [
                "KioskStore", "KioskCore", "KioskTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            // Read by path (#filePath), not bundled: the v4 database the ledger migration test upgrades.
            exclude: ["Fixtures"],
            swiftSettings: settings
        ),
        .testTarget(
            name: "KioskConfigTests",
            dependencies: ["KioskConfig", "KioskCore", "KioskDirectory"],
            swiftSettings: settings
        ),
        .testTarget(
            name: "HubReportAPITests",
            dependencies: [
                "HubReportAPI", "KioskCore", "KioskTestSupport", .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: settings
        ),
        .testTarget(
            name: "HubReportTests",
            dependencies: [
                "HubReport", "HubReportAPI", "HubWeb", "KioskConfig", "KioskCore", "KioskTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
        .testTarget(
            name: "KioskHardwareTests",
            dependencies: [
                "CKioskShims", "KioskHardware", "KioskCore", "KioskDirectory", "ESCPOS", "KioskSimulator",
                "KioskTestSupport", "GPIOConformance",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: settings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "KioskApp", "KioskConfig", "KioskControl", "KioskRuntime", "KioskSimulator", "KioskStore", "KioskCore",
                "KioskDirectory", "ESCPOS", "KioskTestSupport", "KioskSync", "HubReport", "HubReportAPI",
                "KioskFeed", "KioskWeb", "HubWeb",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: settings
        ),
    ]
)
