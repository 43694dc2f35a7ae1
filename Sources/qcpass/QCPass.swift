import ArgumentParser
import Foundation

/// Exit codes (DESIGN.md): 0 ready, 1 not ready, 2 usage/config/rule error or unreadable input.
enum ExitStatus {
    static let ready: Int32 = 0
    static let notReady: Int32 = 1
    static let error: Int32 = 2
}

struct QCPass: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qcpass",
        abstract: "Quality control for object-detection datasets (YOLO, COCO) before training.",
        version: "0.1.0",
        subcommands: [CheckCommand.self, SampleCommand.self, FixCommand.self, SplitCommand.self, InitCommand.self, RulesCommand.self, DiffCommand.self, StatsCommand.self]
    )
}

/// Our own entry point: the argument parser's default exit code for usage errors is 64,
/// and qcpass promises 2 for every usage or config error.
@main
enum Main {
    static func main() {
        do {
            var command = try QCPass.parseAsRoot()
            try command.run()
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let code = QCPass.exitCode(for: error)
            let message = QCPass.fullMessage(for: error)
            if code == .success {
                print(message)
                Foundation.exit(0)
            }
            FileHandle.standardError.write(Data((message + "\n").utf8))
            Foundation.exit(code == .failure || code == .validationFailure || code.rawValue == 64 ? ExitStatus.error : code.rawValue)
        }
    }
}

/// Writes to stderr, for messages that must not mix with a summary piped elsewhere.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
