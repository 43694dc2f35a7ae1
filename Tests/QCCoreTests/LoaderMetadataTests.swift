import Foundation
import XCTest
@testable import QCCore

final class LoaderMetadataTests: XCTestCase {
    func testCSVParserQuotesCRLFAndBOM() {
        let text = "\u{FEFF}image,note,scene\r\na.jpg,\"hello, world\",s1\r\n\r\nb.jpg,\"say \"\"hi\"\"\nsecond line\",s2\r\nc.jpg,,\n"
        let table = CSVTable(Array(text.utf8))
        XCTAssertEqual(table.records.map(\.fields), [
            ["image", "note", "scene"],
            ["a.jpg", "hello, world", "s1"],
            ["b.jpg", "say \"hi\"\nsecond line", "s2"],
            ["c.jpg", "", ""],
        ])
        XCTAssertEqual(table.records.map(\.line), [1, 2, 4, 6])
        XCTAssertNil(table.unterminatedQuoteLine)
        XCTAssertEqual(CSVTable(Array("a,\"open\nb".utf8)).unterminatedQuoteLine, 1)
    }

    func testMetadataCSVFillsRowsAndReportsBadRows() throws {
        let folder = FixtureFolder()
        folder.write("data.yaml", text: "train: images\nnames: [a]\n")
        folder.image("images/a.jpg", exif: .init(model: "Cam X"))
        folder.image("images/b.jpg")
        folder.image("images/sub/c.jpg")
        let csvLines = [
            "\u{FEFF}image,camera,day,scene",
            "images/a.jpg,\"cam, north\",2024-05-01,\"dock \"\"A\"\"\"",
            "./images/b.jpg,cam2,,",
            "images/missing.jpg,cam3,2024-05-02,x",
            "images/a.jpg,cam9,2024-05-09,y",
            "c.jpg,cam4,2024-05-03,z",
            "images/b.jpg,too,few",
            "",
        ]
        folder.write("metadata.csv", text: csvLines.joined(separator: "\r\n"))
        let dataset = try DatasetLoader.load(folder.path, options: LoadOptions())
        XCTAssertEqual(dataset.metadata.columns, ["camera", "day", "scene", "exif_model"])
        XCTAssertEqual(dataset.metadata.rows[0], ["camera": "cam, north", "day": "2024-05-01", "scene": "dock \"A\"", "exif_model": "Cam X"])
        XCTAssertEqual(dataset.metadata.rows[1], ["camera": "cam2"])
        XCTAssertEqual(dataset.metadata.value("scene", image: 2), "z", "a bare file name matches when unique")
        let findings = dataset.issues(kind: "invalid_label")
        XCTAssertEqual(findings.map(\.ref), ["metadata.csv:4", "metadata.csv:5", "metadata.csv:7"])
        XCTAssertEqual(findings.map(\.message), [
            "image \"images/missing.jpg\" is not in the dataset",
            "image \"images/a.jpg\" already has a row (line 2); this row is ignored",
            "row has 3 fields, the header has 4; row ignored",
        ])
    }

    func testMetadataWithoutImageColumn() throws {
        let folder = FixtureFolder()
        folder.write("data.yaml", text: "train: images\nnames: [a]\n")
        folder.image("images/a.jpg")
        folder.write("metadata.csv", text: "file,camera\na.jpg,c\n")
        let dataset = try DatasetLoader.load(folder.path, options: LoadOptions())
        XCTAssertEqual(dataset.metadata.columns, [])
        XCTAssertEqual(dataset.issues.map(\.message), ["no \"image\" column (columns: file, camera); metadata ignored"])
        XCTAssertEqual(dataset.issues.map(\.ref), ["metadata.csv:1"])
    }
}
