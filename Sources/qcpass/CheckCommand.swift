import ArgumentParser
import Foundation
import QCCore
import QCLua

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Run every check; print a summary; write findings.json and report.md into --out.",
        discussion: "Exit status: 0 ready to train, 1 not ready, 2 usage/config/rule error or unreadable input."
    )

    @Argument(help: "A YOLO data.yaml, a COCO instances JSON, or a folder holding either.")
    var dataset: String

    @Option(name: .long, help: "Output folder.")
    var out: String = "qc"

    @Flag(name: .long, help: "Warnings block readiness too.")
    var strict = false

    @Option(name: .long, help: "Reviewer's name for the report.")
    var reviewer: String?

    @Option(name: .long, help: "Also write a JUnit XML file: one test case per check.")
    var junit: String?

    @Option(name: .long, help: "A previous findings.json: findings it already had are accepted; only new ones count.")
    var baseline: String?

    @Option(name: .long, help: "A reviewed audit sheet (audit.csv of `qcpass sample`): its verdicts go into the reports.")
    var audit: String?

    @Flag(name: .long, help: "report.html without thumbnails: boxes drawn on blank frames.")
    var noImages = false

    @OptionGroup var common: CommonOptions

    func run() throws {
        var request = common.pipelineRequest(dataset: dataset)
        request.engine.strict = strict
        if let baseline {
            do { request.engine.baseline = Set(try FindingsFile.read(baseline).findings.map(\.id)) } catch {
                printError("qcpass: --baseline \(error)")
                throw ExitCode(ExitStatus.error)
            }
        }
        let progress = ProgressLine(enabled: !common.quiet)
        request.progress = { phase, done, total in progress.update(phase, done, total) }

        let result: CheckPipeline.Result
        do {
            result = try CheckPipeline.run(request)
        } catch {
            progress.finish()
            printError("qcpass: \(error)")
            throw ExitCode(ExitStatus.error)
        }
        progress.finish()

        let outDir = URL(fileURLWithPath: out).standardizedFileURL.path
        let datasetRoot = result.dataset.root
        if outDir == datasetRoot || outDir.hasPrefix(datasetRoot.hasSuffix("/") ? datasetRoot : datasetRoot + "/") {
            printError("qcpass: --out \(outDir) is inside the dataset folder; qcpass never writes into a dataset")
            throw ExitCode(ExitStatus.error)
        }
        var document = result.document
        if let audit {
            do { try AuditOption.fold(sheetPath: audit, into: &document, result: result) } catch {
                printError("qcpass: --audit \(error)")
                throw ExitCode(ExitStatus.error)
            }
        }
        var exitCode = result.outcome.hadRuleErrors ? ExitStatus.error
                     : (result.outcome.ready ? ExitStatus.ready : ExitStatus.notReady)
        // findings.json is written on a thread of its own while report.md and report.html
        // render: the three read the same finished document and write different files.
        let findingsPath = "\(outDir)/findings.json"
        let frozen = document
        let findingsWritten = BackgroundValue(concurrently: request.engine.jobs > 1) { () -> Result<Void, Error> in
            Result { try PhaseTimer.measure("write findings.json") { try AtomicFile.write(frozen.encoded(), to: findingsPath) } }
        }
        do {
            if let junit {
                try AtomicFile.write(JUnitReport.render(document, strict: strict),
                                     to: URL(fileURLWithPath: junit).standardizedFileURL.path)
            }
            if let template = result.pack.reportTemplate {
                do {
                    let md = try PhaseTimer.measure("report.md") {
                        try ReportRenderer.renderMarkdown(document, template: template, date: request.engine.today,
                                                          reviewer: reviewer, limits: request.engine.limits)
                    }
                    try AtomicFile.write(md, to: "\(outDir)/report.md")
                } catch let e as EngineError {
                    printError("qcpass: report template failed: \(e)")
                    exitCode = ExitStatus.error
                }
            }
            _ = try PhaseTimer.measure("report.html") { try ReportHTML.write(document, dataset: result.dataset, date: request.engine.today, reviewer: reviewer,
                                 histogram: result.outcome.histogram,
                                 options: .init(outDir: outDir, images: !noImages, jobs: request.engine.jobs,
                                                knownContent: result.outcome.hashes?.contentDigests ?? [])) }
            try findingsWritten.value.get()
        } catch {
            _ = findingsWritten.value  // no exit while findings.json is still being written
            printError("qcpass: \(error)")
            throw ExitCode(ExitStatus.error)
        }
        if !common.quiet {
            print(TerminalSummary.render(result, outDir: out, color: isatty(STDOUT_FILENO) != 0))
        }
        // Every output is written and closed: end the process here. Unwinding would free
        // each finding and image record one by one (~0.1 s at COCO scale) only to exit.
        Foundation.exit(exitCode)
    }
}
