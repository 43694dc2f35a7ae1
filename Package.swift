// swift-tools-version:6.0
import PackageDescription

// Targets are the rooms of DESIGN.md: system libraries are reached only through their
// module maps here and one narrow Swift file in QCCore (codecs, JSON, hashing) or QCLua (Lua).
let package = Package(
    name: "qcpass",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "qcpass", targets: ["qcpass"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CLua", pkgConfig: "lua5.4", providers: [.apt(["liblua5.4-dev"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CWebP", pkgConfig: "libwebp", providers: [.apt(["libwebp-dev"])]),
        .systemLibrary(name: "CXXHash", pkgConfig: "libxxhash", providers: [.apt(["libxxhash-dev"])]),
        .target(
            name: "LuaBridge",
            dependencies: ["CLua"],
            cSettings: [.unsafeFlags(["-I/usr/include/lua5.4"])],
            linkerSettings: [.linkedLibrary("lua5.4"), .linkedLibrary("pthread")]
        ),
        .target(
            name: "SimdJSONShim",
            cxxSettings: [.unsafeFlags(["-O2"])],
            linkerSettings: [.linkedLibrary("simdjson")]
        ),
        .target(
            name: "QCCore",
            dependencies: ["CTurboJPEG", "CPNG", "CWebP", "CXXHash", "SimdJSONShim", "Yams"]
        ),
        .target(
            name: "QCLua",
            dependencies: ["QCCore", "LuaBridge", "CLua"]
        ),
        .executableTarget(
            name: "qcpass",
            dependencies: ["QCCore", "QCLua", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Benchmark driver for bench/hashing.sh: hashes a file list with --jobs N and times
        // the near-duplicate index on random hashes. A target of its own so timings come
        // from a release build of QCCore alone, without the CLI, Lua or report code.
        .executableTarget(name: "qcpass-bench", dependencies: ["QCCore"]),
        // Deterministic mutation fuzzer over every parser QCCore owns (Tests/fuzz/run.sh).
        .executableTarget(name: "qcpass-fuzz", dependencies: ["QCCore"]),
        .testTarget(name: "QCCoreTests", dependencies: ["QCCore"]),
        .testTarget(name: "QCLuaTests", dependencies: ["QCLua", "QCCore"]),
        .testTarget(name: "QCPassCLITests", dependencies: ["QCCore", "qcpass"]),
    ],
    swiftLanguageModes: [.v5],
    cxxLanguageStandard: .cxx17
)
