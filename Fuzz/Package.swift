// swift-tools-version:6.1
import PackageDescription

// libFuzzer targets for what a peer's bytes reach first: the JSON parser, the
// envelope reader and the batch decoder. A package of its own, built only with
// `-sanitize=fuzzer` by Benchmarks/fuzz.sh, so the project's own build and
// tests never need libFuzzer.
let package = Package(
    name: "HutongFuzz",
    // Benchmarks/fuzz.sh links .hutong to the project, so its name does not depend on the clone's directory.
    dependencies: [.package(path: ".hutong")],
    targets: [
        // The declaration of libFuzzer's driver, which Swift cannot declare itself.
        .target(name: "CLibFuzzer"),
        .executableTarget(name: "hutong-fuzz", dependencies: [
            "CLibFuzzer", .product(name: "HutongExchange", package: ".hutong"),
        ]),
    ]
)
