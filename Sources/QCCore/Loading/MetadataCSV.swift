/// RFC 4180 CSV: quoted fields with "" escapes and embedded newlines, CRLF or LF, a
/// leading UTF-8 BOM. Lenient where it is harmless: a quote inside an unquoted field is
/// kept literally. Each record carries the line it starts on, for finding places.
struct CSVTable {
    struct Record {
        var line: Int
        var fields: [String]
    }

    var records: [Record] = []
    /// Set when a quoted field never closes: (line where it opened).
    var unterminatedQuoteLine: Int?

    init(_ bytes: [UInt8]) {
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        var fields: [String] = []
        var field: [UInt8] = []
        var recordLine = 1
        var atFieldStart = true
        var sawAnything = false
        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            atFieldStart = true
        }
        func endRecord() {
            endField()
            // A line with nothing on it is not a record.
            if !(fields.count == 1 && fields[0].isEmpty && !sawAnything) {
                records.append(Record(line: recordLine, fields: fields))
            }
            fields.removeAll(keepingCapacity: true)
            sawAnything = false
        }
        while index < bytes.count {
            let byte = bytes[index]
            if atFieldStart && byte == UInt8(ascii: "\"") {
                // Quoted field: runs to the closing quote not followed by another quote.
                let openedOn = line
                sawAnything = true
                index += 1
                var closed = false
                while index < bytes.count {
                    let inner = bytes[index]
                    if inner == UInt8(ascii: "\"") {
                        if index + 1 < bytes.count && bytes[index + 1] == UInt8(ascii: "\"") {
                            field.append(inner)
                            index += 2
                            continue
                        }
                        index += 1
                        closed = true
                        break
                    }
                    if inner == 0x0A { line += 1 }
                    field.append(inner)
                    index += 1
                }
                if !closed { unterminatedQuoteLine = openedOn }
                atFieldStart = false
                continue
            }
            switch byte {
            case UInt8(ascii: ","):
                sawAnything = true
                endField()
            case 0x0D, 0x0A:
                endRecord()
                if byte == 0x0D && index + 1 < bytes.count && bytes[index + 1] == 0x0A { index += 1 }
                line += 1
                recordLine = line
            default:
                sawAnything = true
                atFieldStart = false
                field.append(byte)
            }
            index += 1
        }
        if sawAnything || !field.isEmpty || !fields.isEmpty { endRecord() }
    }
}

/// metadata.csv and EXIF → `Dataset.metadata`.
enum MetadataLoader {
    static let fileName = "metadata.csv"

    static func attach(to dataset: inout Dataset, exif: [(model: String?, date: String?)],
                       candidates: [RawPath], onlySplit: String?) {
        let root = RawPath(dataset.root)
        var table = MetadataTable()
        table.rows = Array(repeating: [:], count: dataset.images.count)
        var seenCandidates: Set<RawPath> = []
        if let csvPath = candidates.map({ $0.normalized() }).first(where: { seenCandidates.insert($0).inserted && FileIO.isFile($0) }) {
            readCSV(csvPath, into: &table, dataset: &dataset, root: root, onlySplit: onlySplit)
        }
        var hasModel = false, hasDate = false
        for (index, fields) in exif.enumerated() where index < table.rows.count {
            if let model = fields.model, table.rows[index]["exif_model"] == nil {
                table.rows[index]["exif_model"] = model
                hasModel = true
            }
            if let date = fields.date, table.rows[index]["exif_date"] == nil {
                table.rows[index]["exif_date"] = date
                hasDate = true
            }
        }
        if hasModel && !table.columns.contains("exif_model") { table.columns.append("exif_model") }
        if hasDate && !table.columns.contains("exif_date") { table.columns.append("exif_date") }
        dataset.metadata = table
    }

    private static func readCSV(_ csvPath: RawPath, into table: inout MetadataTable, dataset: inout Dataset,
                                root: RawPath, onlySplit: String?) {
        let shown = csvPath.shown(under: root)
        var findings: [Finding] = []
        var beyondCap = 0
        func report(_ line: Int?, _ message: String, image: String? = nil) {
            if findings.count >= 1000 { beyondCap += 1; return }
            findings.append(InputIssue.make("invalid_label", .warning, image: image,
                                            ref: line.map { "\(shown):\($0)" } ?? shown, message))
        }
        defer {
            if beyondCap > 0 {
                findings.append(InputIssue.more("invalid_label", .warning, image: nil, split: nil, ref: shown,
                                                count: beyondCap, what: "metadata rows with problems"))
            }
            dataset.issues += findings
        }
        let bytes: [UInt8]
        do { bytes = try FileIO.readFile(csvPath) } catch {
            report(nil, "metadata file cannot be read: \(error.reason)")
            return
        }
        let csv = CSVTable(bytes)
        if let line = csv.unterminatedQuoteLine {
            report(line, "quoted field opened on line \(line) is never closed; the rest of the file is one field")
        }
        guard let header = csv.records.first else {
            report(nil, "metadata file is empty")
            return
        }
        let names = header.fields.map { LoaderText.trimmed($0) }
        guard let imageColumn = names.firstIndex(where: { $0.lowercased() == "image" }) else {
            report(header.line, "no \"image\" column (columns: \(names.joined(separator: ", "))); metadata ignored")
            return
        }
        var columnIndex: [(Int, String)] = []
        var seenNames: Set<String> = []
        for (index, name) in names.enumerated() where index != imageColumn {
            if name.isEmpty {
                report(header.line, "column \(index + 1) has no name; its values are ignored")
            } else if !seenNames.insert(name).inserted {
                report(header.line, "column \"\(name)\" appears twice; the second one is ignored")
            } else {
                columnIndex.append((index, name))
            }
        }
        table.columns = columnIndex.map(\.1)

        var byPath: [String: Int] = [:]
        var byName: [String: Int] = [:]
        var ambiguousNames: Set<String> = []
        for (index, image) in dataset.images.enumerated() {
            byPath[image.path] = index
            let name = String(image.path.split(separator: "/").last ?? "")
            if byName.updateValue(index, forKey: name) != nil { ambiguousNames.insert(name) }
        }
        var firstRow: [Int: Int] = [:]
        for record in csv.records.dropFirst() {
            if record.fields.count != names.count {
                report(record.line, "row has \(record.fields.count) fields, the header has \(names.count); row ignored")
                continue
            }
            var written = LoaderText.trimmed(record.fields[imageColumn])
            if written.isEmpty {
                report(record.line, "row has an empty image value; row ignored")
                continue
            }
            written = written.replacing("\\", with: "/")
            while written.hasPrefix("./") { written.removeFirst(2) }
            var index = byPath[written]
            if index == nil, written.hasPrefix("/") {
                index = byPath[RawPath(written).normalized().shown(under: root)]
            }
            if index == nil, !written.contains("/"), !ambiguousNames.contains(written) {
                index = byName[written]
            }
            guard let index else {
                let onDisk = FileIO.isFile(root.resolving(RawPath(written)))
                if onlySplit != nil && onDisk { continue } // an image of a split not loaded
                report(record.line, "image \"\(written)\" is not in the dataset\(onDisk ? " (the file exists but no split lists it)" : "")")
                continue
            }
            if let first = firstRow[index] {
                report(record.line, "image \"\(written)\" already has a row (line \(first)); this row is ignored",
                       image: dataset.images[index].path)
                continue
            }
            firstRow[index] = record.line
            var row: [String: String] = [:]
            for (column, name) in columnIndex {
                let value = record.fields[column]
                if !value.isEmpty { row[name] = value }
            }
            table.rows[index] = row
        }
    }
}
