import Foundation
import QCCore
import QCLua

/// `check --audit SHEET`: the reviewed sheet folded into the run's findings document, so
/// report.md, report.html and findings.json all carry the audit's figures.
enum AuditOption {
    static func fold(sheetPath: String, into document: inout FindingsDocument, result: CheckPipeline.Result) throws {
        let sheet = try AuditSheetReader.read(path: sheetPath)
        let summary = AuditSummary.fold(sheet, sheetPath: sheetPath, imagePaths: Set(result.dataset.images.map(\.path)),
                                        findings: document.findings, checkOrder: RulePack.checkOrder)
        for (line, image) in summary.unknownImages.prefix(5) {
            printError("qcpass: warning: \(sheetPath):\(line): \(image) is not an image of this dataset; row ignored")
        }
        if summary.unknownImages.count > 5 {
            printError("qcpass: warning: \(summary.unknownImages.count - 5) more rows of \(sheetPath) name unknown images")
        }
        document.audit = summary
    }
}
