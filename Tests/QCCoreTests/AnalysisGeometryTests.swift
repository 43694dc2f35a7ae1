import XCTest
@testable import QCCore

final class AnalysisGeometryTests: XCTestCase {
    typealias R = BoxGeometry.Rect

    func testIoUOfKnownBoxes() {
        let a = R(x1: 0, y1: 0, x2: 10, y2: 10)
        XCTAssertEqual(BoxGeometry.iou(a, a), 1)
        XCTAssertEqual(BoxGeometry.iou(a, R(x1: 20, y1: 20, x2: 30, y2: 30)), 0)
        XCTAssertEqual(BoxGeometry.iou(a, R(x1: 10, y1: 0, x2: 20, y2: 10)), 0, "touching edges do not overlap")
        XCTAssertEqual(BoxGeometry.iou(a, R(x1: 2, y1: 2, x2: 6, y2: 6)), 0.16, accuracy: 1e-12)
        XCTAssertEqual(BoxGeometry.iou(R(x1: 0, y1: 0, x2: 2, y2: 2), R(x1: 1, y1: 1, x2: 3, y2: 3)), 1.0 / 7, accuracy: 1e-12)
    }

    func testScaledLabelIoUIsOneOverScaleSquared() {
        let truth = R(x1: 100, y1: 100, x2: 200, y2: 200)
        func scaled(_ s: Double) -> R { R(cx: 150, cy: 150, w: 100 * s, h: 100 * s) }
        XCTAssertEqual(BoxGeometry.iou(truth, scaled(1.5)), 4.0 / 9, accuracy: 1e-12)  // ≈ 0.444
        XCTAssertEqual(BoxGeometry.iou(scaled(1.3), truth), 0.5917, accuracy: 1e-4)
        XCTAssertEqual(BoxGeometry.iou(truth, scaled(1.7)), 0.3460, accuracy: 1e-4)
    }

    func testIntersectionAreaCoverage() {
        let forklift = R(x1: 0, y1: 0, x2: 100, y2: 50)
        let person = R(x1: 10, y1: 0, x2: 100, y2: 60)
        XCTAssertEqual(BoxGeometry.area(forklift), 5000)
        XCTAssertEqual(BoxGeometry.intersection(forklift, person), 4500)
        XCTAssertEqual(BoxGeometry.coverage(of: forklift, by: person), 0.9, accuracy: 1e-12)
        XCTAssertEqual(BoxGeometry.coverage(of: person, by: forklift), 4500.0 / 5400, accuracy: 1e-12)
        XCTAssertEqual(BoxGeometry.intersectionRect(forklift, person), R(x1: 10, y1: 0, x2: 100, y2: 50))
        XCTAssertNil(BoxGeometry.intersectionRect(forklift, R(x1: 200, y1: 0, x2: 300, y2: 10)))
        XCTAssertEqual(BoxGeometry.coverage(of: R(x1: 5, y1: 5, x2: 5, y2: 9), by: forklift), 0, "no area to cover")
    }

    func testMalformedBoxesNeverProduceNaNOrNegativeOverlap() {
        let ok = R(x1: 0, y1: 0, x2: 10, y2: 10)
        let inverted = R(x1: 10, y1: 10, x2: 0, y2: 0)
        let nan = R(x1: .nan, y1: 0, x2: 10, y2: 10)
        let inf = R(x1: 0, y1: 0, x2: .infinity, y2: 10)
        XCTAssertEqual(BoxGeometry.area(inverted), 0)
        XCTAssertEqual(BoxGeometry.area(nan), 0)
        XCTAssertEqual(BoxGeometry.iou(ok, inverted), 0)
        XCTAssertEqual(BoxGeometry.iou(ok, nan), 0)
        XCTAssertEqual(BoxGeometry.iou(ok, inf), 0)
        XCTAssertEqual(BoxGeometry.iou(inverted, inverted), 0, "empty union")
    }

    func testAspectAndCenterDistanceAndSize() {
        XCTAssertEqual(BoxGeometry.aspect(R(x1: 0, y1: 0, x2: 20, y2: 10)), 2)
        XCTAssertTrue(BoxGeometry.aspect(R(x1: 0, y1: 5, x2: 20, y2: 5)).isNaN)
        XCTAssertEqual(BoxGeometry.centerDistance(R(x1: 0, y1: 0, x2: 2, y2: 2), R(x1: 3, y1: 4, x2: 5, y2: 6)), 5)
        XCTAssertEqual(BoxGeometry.linearSize(R(x1: 0, y1: 0, x2: 4, y2: 9)), 6)
    }

    func testDegenerate() {
        XCTAssertFalse(BoxGeometry.isDegenerate(R(x1: 0, y1: 0, x2: 10, y2: 10)))
        XCTAssertTrue(BoxGeometry.isDegenerate(R(x1: 0, y1: 0, x2: 0, y2: 10)))
        XCTAssertTrue(BoxGeometry.isDegenerate(R(x1: 0, y1: 0, x2: 0.5, y2: 10), epsilon: 1))
        XCTAssertFalse(BoxGeometry.isDegenerate(R(x1: 0, y1: 0, x2: 1.5, y2: 10), epsilon: 1))
        XCTAssertTrue(BoxGeometry.isDegenerate(R(x1: 10, y1: 0, x2: 0, y2: 10)), "inverted")
        XCTAssertTrue(BoxGeometry.isDegenerate(R(x1: 0, y1: .nan, x2: 10, y2: 10)))
        XCTAssertTrue(BoxGeometry.isDegenerate(R(x1: 0, y1: 0, x2: .infinity, y2: 10)))
    }

    func testClipMeasuresOverhangInPixelsAndAreaShare() {
        // Image 100×50; box sticks out 10 px left and 20 px below.
        let c = BoxGeometry.clip(R(x1: -10, y1: 10, x2: 50, y2: 70), width: 100, height: 50)
        XCTAssertEqual(c.rect, R(x1: 0, y1: 10, x2: 50, y2: 50))
        XCTAssertEqual(c.overhang, 20)
        XCTAssertEqual(c.outsideFraction, 1 - 2000.0 / 3600, accuracy: 1e-12)
        XCTAssertTrue(c.wasClipped)

        let inside = BoxGeometry.clip(R(x1: 0, y1: 0, x2: 100, y2: 50), width: 100, height: 50)
        XCTAssertEqual(inside.rect, R(x1: 0, y1: 0, x2: 100, y2: 50))
        XCTAssertEqual(inside.overhang, 0)
        XCTAssertEqual(inside.outsideFraction, 0)
        XCTAssertFalse(inside.wasClipped)

        let rounding = BoxGeometry.clip(R(x1: -0.4, y1: 0, x2: 100.3, y2: 50), width: 100, height: 50)
        XCTAssertEqual(rounding.overhang, 0.4, accuracy: 1e-12)

        let outside = BoxGeometry.clip(R(x1: 200, y1: 20, x2: 210, y2: 30), width: 100, height: 50)
        XCTAssertEqual(outside.overhang, 110)
        XCTAssertEqual(outside.outsideFraction, 1)
        XCTAssertTrue(BoxGeometry.isDegenerate(outside.rect))

        let line = BoxGeometry.clip(R(x1: 5, y1: 5, x2: 5, y2: 20), width: 100, height: 50)
        XCTAssertEqual(line.outsideFraction, 0, "a zero-area box on the image is not 'outside'")
    }
}
