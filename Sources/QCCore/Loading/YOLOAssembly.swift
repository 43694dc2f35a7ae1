/// Scanned chunks → image records, pixel boxes and findings.
extension YOLOLoader {
    /// What turning one scanned chunk into records needs; read-only, shared by workers.
    struct AssemblyContext {
        let root: RawPath
        let splitNames: [String]
        let jobImages: [RawPath]
        let labels: [RawPath]
        let splitOfJob: [Int32]

        struct Part {
            var records: [ImageRecord] = []
            /// Box ranges in `records` are relative to this part's `boxes`.
            var boxes: [BoxLabel] = []
            var issues: [Finding] = []
            var exif: [(model: String?, date: String?)] = []
        }

        func assemble(_ chunk: ImageScanner.Chunk, firstJob: Int) -> Part {
            var part = Part()
            part.records.reserveCapacity(chunk.headers.count)
            part.boxes.reserveCapacity(chunk.rows.count)
            part.exif.reserveCapacity(chunk.headers.count)
            var invalidCursor = 0, cappedCursor = 0, errorCursor = 0
            var rowStart = 0
            for local in 0..<chunk.headers.count {
                let job = firstJob + local
                let imagePath = jobImages[job]
                let split = splitOfJob[job]
                let splitName = splitNames[Int(split)]
                let shownImage = imagePath.shown(under: root)
                let shownLabel = labels[job].shown(under: root)
                var record = ImageRecord(path: shownImage, absolutePath: imagePath.display, split: split)
                if !imagePath.isValidUTF8 { record.rawAbsolutePath = imagePath.bytes }
                record.labelPath = shownLabel
                let rows = chunk.rows[rowStart..<chunk.rowEnds[local]]
                rowStart = chunk.rowEnds[local]

                var scaleX = 1.0, scaleY = 1.0
                var keepBoxes = true
                var model: String?, date: String?
                switch chunk.headers[local] {
                case .notRead:
                    break
                case .read(let info):
                    record.width = Int32(info.width)
                    record.height = Int32(info.height)
                    record.orientation = info.orientation
                    record.fileSize = info.fileSize
                    record.mtime = info.mtime
                    scaleX = Double(info.width)
                    scaleY = Double(info.height)
                    model = info.exifModel
                    date = info.exifDate
                    if let warning = info.warning {
                        part.issues.append(InputIssue.make("unreadable_image", .warning, image: shownImage, split: splitName, warning))
                    }
                case .failed(let reason):
                    keepBoxes = false
                    let setAside = rows.isEmpty ? "" : "; its \(rows.count) label row\(rows.count == 1 ? " is" : "s are") not used"
                    part.issues.append(InputIssue.make("unreadable_image", .error, image: shownImage, split: splitName,
                                                       reason + setAside))
                }
                while errorCursor < chunk.textErrors.count && chunk.textErrors[errorCursor].job == local {
                    part.issues.append(InputIssue.make("invalid_label", .error, image: shownImage, split: splitName,
                                                       ref: shownLabel, "label file \(chunk.textErrors[errorCursor].message)"))
                    errorCursor += 1
                }
                while invalidCursor < chunk.invalid.count && chunk.invalid[invalidCursor].job == local {
                    let invalid = chunk.invalid[invalidCursor]
                    part.issues.append(InputIssue.make("invalid_label", .error, image: shownImage, split: splitName,
                                                       ref: "\(shownLabel):\(invalid.line)", invalid.message))
                    invalidCursor += 1
                }
                while cappedCursor < chunk.capped.count && chunk.capped[cappedCursor].job == local {
                    part.issues.append(InputIssue.more("invalid_label", .error, image: shownImage, split: splitName,
                                                       ref: shownLabel, count: chunk.capped[cappedCursor].count,
                                                       what: "invalid lines in this file"))
                    cappedCursor += 1
                }
                record.boxStart = Int32(part.boxes.count)
                if keepBoxes {
                    for row in rows {
                        part.boxes.append(BoxLabel(classId: row.classId,
                                                   x1: row.x1 * scaleX, y1: row.y1 * scaleY,
                                                   x2: row.x2 * scaleX, y2: row.y2 * scaleY,
                                                   line: row.line))
                    }
                }
                record.boxEnd = Int32(part.boxes.count)
                part.records.append(record)
                part.exif.append((model, date))
            }
            return part
        }
    }
}
