// swift-tools-version:6.1
import PackageDescription

// Layering (docs/architecture.md, "Layers"): JSON → JSONSchema → Standard → Normalise, Replication → Store →
// Capture, Transport → Node → hutong. Postgres (a connection) stands beside them, like the C modules.
// Each module depends only on the ones before it.
let package = Package(
    name: "Hutong",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "hutong", targets: ["hutong"]),
        .library(name: "Standard", targets: ["JSON", "JSONSchema", "Standard"]),
        // What reads a peer's bytes, for the fuzz targets in Fuzz/ (a package of their own).
        .library(name: "HutongExchange", targets: ["JSON", "JSONSchema", "Standard", "Replication", "Transport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // JSON text: the parser and its tape, values, the writer, pointers.
        .target(name: "JSON"),
        // A JSON Schema draft 2020-12 validator (held to the official suite),
        // its formats, and a way for a standard to add formats and keywords.
        .target(name: "JSONSchema", dependencies: ["JSON"]),
        // The unified enforcement data standard: the catalogue of record types,
        // the Chinese identifier formats, the standard's own keywords, sample
        // records, and the validation of files of records.
        .target(name: "Standard", dependencies: ["JSON", "JSONSchema"]),
        // Normalisation: declarative mappings (TOML) from agencies' own tables and
        // export files to standard records, their transforms and test cases, and
        // the readers of agency files (CSV in UTF-8 or GB18030, NDJSON, JSON).
        .target(name: "Normalise", dependencies: ["JSON", "Standard", .product(name: "TOMLKit", package: "TOMLKit")]),
        // Version vectors, hybrid logical clock, canonical JSON and the merge rules
        // of docs/architecture.md: pure, no I/O.
        .target(name: "Replication", dependencies: ["JSON", "Standard", .product(name: "Crypto", package: "swift-crypto")]),
        // The node store: records with version vectors, change log, cursors, batches,
        // conflicts, quarantine and the audit chain. SQLite (WAL) is the embedded
        // backend; PostgreSQL the one for a node that outgrows one machine.
        .target(name: "Store", dependencies: [
            "JSON", "Standard", "Replication", "Postgres",
            .product(name: "GRDB", package: "GRDB.swift"),
            // The C API, for the one statement run per stored record.
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // libcurl and ISA-L's igzip (gzip), as C modules standing alone (docs/architecture.md, "Layers").
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CISAL", pkgConfig: "libisal", providers: [.apt(["libisal-dev"])]),
        // Peer exchange: signed NDJSON batches, the libcurl client, the
        // Hummingbird server with mutual TLS, grants and masking.
        .target(name: "Transport", dependencies: [
            "JSON", "Standard", "Replication", "Store", "CCurl", "CISAL",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTLS", package: "hummingbird"),
            .product(name: "HummingbirdHTTP2", package: "hummingbird"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
        ]),
        // A PostgreSQL connection for code that runs on its own threads (capture
        // and the store): postgres-nio, waited on; where to connect and
        // the password, from a URL and a file, never from a log line.
        .target(name: "Postgres", dependencies: [.product(name: "PostgresNIO", package: "postgres-nio")]),
        // Where records enter a node: files, the inbox folder, agency tables
        // (SQLite and PostgreSQL, by triggers), and the intake that maps,
        // validates and stores what they yield, quarantining what it cannot use.
        .target(name: "Capture", dependencies: [
            "JSON", "Standard", "Normalise", "Replication", "Store", "Postgres", .product(name: "GRDB", package: "GRDB.swift"),
            // The C API, for reading an agency table's columns (`SQLiteRowValues`).
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
        ]),
        // The node as a whole: opening it (configuration, standard, store, key),
        // syncing with its peers, importing, checking; every command goes through it.
        .target(name: "Sink", dependencies: [
            "JSON", "Standard", "Replication", "Store", "Postgres", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .target(name: "Node", dependencies: [
            "JSON", "JSONSchema", "Standard", "Normalise", "Replication", "Store", "Capture", "Sink", "Transport", "Postgres",
            .product(name: "TOMLKit", package: "TOMLKit"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .target(name: "Daemon", dependencies: [
            "JSON", "Store", "Node", "Transport",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),
        .executableTarget(
            name: "hutong",
            dependencies: [
                "JSON", "JSONSchema", "Standard", "Normalise", "Capture", "Sink", "Transport", "Node", "Daemon",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Prints throughput figures; never run as a timed test.
        .executableTarget(name: "hutong-bench", dependencies: [
            "JSON", "JSONSchema", "Standard", "Normalise", "Replication", "Store", .product(name: "GRDB", package: "GRDB.swift"),
        ], path: "Benchmarks/Sources/hutong-bench"),
        // What every test target shares: the repository's paths, the standard, loopback sockets.
        .target(name: "HutongTesting", dependencies: ["JSON", "Standard", "Postgres"], path: "Tests/HutongTesting"),
        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "JSONSchemaTests", dependencies: ["JSONSchema", "JSON", "Standard", "HutongTesting"]),
        .testTarget(name: "NormaliseTests", dependencies: ["Normalise", "Standard", "JSON", "HutongTesting"]),
        .testTarget(name: "StandardTests", dependencies: ["Standard", "JSONSchema", "JSON", "HutongTesting"]),
        .testTarget(name: "ReplicationTests", dependencies: ["Replication", "Standard", "HutongTesting"]),
        .testTarget(name: "StoreTests", dependencies: [
            "Store", "Replication", "Standard", "HutongTesting", "Postgres",
            .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        // Runs the real `hutong` binary as a user would.
        .testTarget(name: "HutongCLITests", dependencies: [
            "hutong", "Standard", "Replication", "Transport", "HutongTesting", "Postgres", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "TransportTests", dependencies: [
            "Transport", "Store", "Replication", "Standard", "JSON", "HutongTesting",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        .testTarget(name: "DaemonTests", dependencies: ["Daemon"]),
        .testTarget(name: "CaptureTests", dependencies: ["Capture", "Store", "Standard", "Normalise", "HutongTesting", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "NodeTests", dependencies: [
            "Node", "Capture", "Sink", "Normalise", "Transport", "Store", "Standard", "HutongTesting", "Postgres", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
    ]
)
