import ArgumentParser
import Foundation
import QCCore
import QCLua

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented qcpass.lua (every param at its default) and an example edge-case rule into the current folder."
    )

    @Flag(name: .long, help: "Overwrite an existing qcpass.lua.")
    var force = false

    @Option(name: .long, help: "A rule-pack folder whose rules add to or replace the default pack's.")
    var rules: [String] = []

    func run() throws {
        let cwd = FileManager.default.currentDirectoryPath
        let configPath = "\(cwd)/qcpass.lua"
        let rulePath = "\(cwd)/qcpass_rules/edge_cases.lua"
        if FileManager.default.fileExists(atPath: configPath) && !force {
            printError("qcpass: \(configPath) exists; pass --force to overwrite it")
            throw ExitCode(ExitStatus.error)
        }
        do {
            guard let dir = RulePack.defaultDirectory() else {
                throw EngineError.config(place: "rules", message: "the default rule pack was not found; set QCPASS_RULES")
            }
            let pack = try RulePack.load(directories: [dir] + rules)
            try AtomicFile.write(try ConfigTemplate.render(pack: pack), to: configPath)
            if !FileManager.default.fileExists(atPath: rulePath) {
                try AtomicFile.write(ConfigTemplate.edgeCaseRule, to: rulePath)
            }
        } catch {
            printError("qcpass: \(error)")
            throw ExitCode(ExitStatus.error)
        }
        print("Wrote qcpass.lua and qcpass_rules/edge_cases.lua; `qcpass check DATASET` picks the config up from here or next to the dataset.")
    }
}
