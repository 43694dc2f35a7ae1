import ArgumentParser
import Foundation
import QCCore
import QCLua

struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "List the checks, their params and defaults, from the rule pack actually loaded."
    )

    @Option(name: .long, help: "A rule-pack folder whose rules add to or replace the default pack's.")
    var rules: [String] = []

    @Flag(name: .long, help: "Print the qc Lua API reference (docs/lua-api.md) instead.")
    var luaApi = false

    func run() throws {
        if luaApi {
            print(QCBindings.markdownReference(), terminator: "")
            return
        }
        do {
            guard let dir = RulePack.defaultDirectory() else {
                throw EngineError.config(place: "rules", message: "the default rule pack was not found; set QCPASS_RULES")
            }
            let pack = try RulePack.load(directories: [dir] + rules)
            print(try RuleCatalog.describe(pack: pack))
        } catch {
            printError("qcpass: \(error)")
            throw ExitCode(ExitStatus.error)
        }
    }
}
