import ArgumentParser
import Foundation
import QCLua

/// `qcpass diff OLD NEW`: what changed between two findings.json files, by finding id —
/// for a CI job that wants to say "this change added 3 label problems".
struct DiffCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two findings.json files: new, resolved and changed findings, and check status changes.",
        discussion: "Exit status: 0 when NEW adds no finding, 1 when it does, 2 when a file cannot be read."
    )

    @Argument(help: "The earlier findings.json.") var old: String
    @Argument(help: "The later findings.json.") var new: String

    func run() throws {
        let before: FindingsFile, after: FindingsFile
        do {
            before = try FindingsFile.read(old)
            after = try FindingsFile.read(new)
        } catch {
            printError("qcpass: \(error)")
            throw ExitCode(ExitStatus.error)
        }
        let d = FindingsDiff(old: before, new: after)
        print(d.render(oldName: old, newName: new))
        throw ExitCode(d.added.isEmpty ? 0 : 1)
    }
}
