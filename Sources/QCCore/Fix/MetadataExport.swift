import Foundation

/// Carries metadata.csv into a written dataset: rows of images left out are dropped, the
/// `image` column follows the new paths, everything else is kept — the group keys of the
/// new dataset are those of the old one.
enum MetadataExport {
    static func write(_ ds: Dataset, layout: ExportLayout, to dir: String) throws(ExportError) {
        let yamlDir = URL(fileURLWithPath: ds.source).deletingLastPathComponent().path
        guard let csv = ["\(ds.root)/metadata.csv", "\(yamlDir)/metadata.csv"].first(where: { FileIO.kind(of: $0) == .file }),
              let bytes = try? FileIO.readFile(path: csv) else { return }
        let table = CSVTable(bytes)
        guard let header = table.records.first,
              let column = header.fields.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).lowercased() == "image" }) else { return }
        var newPath: [String: String] = [:]
        for (i, image) in ds.images.enumerated() where layout.splitOfImage[i] >= 0 { newPath[image.path] = layout.pathOfImage[i] }
        var out = header.fields.map(quoted).joined(separator: ",") + "\n"
        for record in table.records.dropFirst() where column < record.fields.count {
            let image = record.fields[column].trimmingCharacters(in: .whitespaces)
            let key = image.hasPrefix("./") ? String(image.dropFirst(2)) : image
            guard let target = newPath[key] else { continue }
            var fields = record.fields
            fields[column] = target
            out += fields.map(quoted).joined(separator: ",") + "\n"
        }
        do { try AtomicFile.write(out, to: "\(dir)/metadata.csv") } catch { throw ExportError(error.path, error.reason) }
    }

    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
