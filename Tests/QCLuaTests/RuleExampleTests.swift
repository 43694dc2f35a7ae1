import Foundation
import QCCore
@testable import QCLua
import XCTest

/// Every `examples` entry of every rule in the default pack runs here as a test: the
/// rule file documents what it finds on which sample, and this keeps that true.
final class RuleExampleTests: XCTestCase {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    func testEveryRuleExampleHolds() throws {
        let rulesDir = Self.repoRoot.appendingPathComponent("rules").path
        let pack = try RulePack.load(directories: [rulesDir])
        let definitions = try RuleCatalog.definitions(pack: pack)
        var ran = 0
        for rule in definitions {
            for example in rule.examples {
                var request = CheckPipeline.Request(datasetPath: Self.repoRoot.appendingPathComponent(example.dataset).path)
                request.defaultRuleDirectory = rulesDir
                request.engine.only = [rule.id]
                request.configPath = example.config.map { Self.repoRoot.appendingPathComponent($0).path }
                request.predictionsPath = example.predictions.map { Self.repoRoot.appendingPathComponent($0).path }
                let result = try CheckPipeline.run(request)
                let label = "\(rule.source.displayName) example on \(example.dataset)"
                let check = try XCTUnwrap(result.outcome.checks.first { $0.id == rule.id }, label)
                let findings = result.outcome.findings.filter { $0.check == rule.id }
                if let status = example.expect["status"]?.asString {
                    XCTAssertEqual(check.status.rawValue, status, "\(label): \(check.message)")
                }
                if case .table(let kinds)? = example.expect["kinds"] {
                    let found = Set(findings.map(\.kind))
                    for kind in kinds.array.compactMap(\.asString) {
                        XCTAssertTrue(found.contains(kind), "\(label): expected a \(kind) finding, found \(found.sorted())")
                    }
                }
                if let count = example.expect["findings"]?.asInt {
                    XCTAssertEqual(findings.count, Int(count), "\(label): \(findings.map(\.message))")
                }
                ran += 1
            }
        }
        XCTAssertGreaterThanOrEqual(ran, 5, "the default pack should document its behaviour with examples")
    }
}
