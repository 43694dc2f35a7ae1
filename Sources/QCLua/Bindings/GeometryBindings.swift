import QCCore

/// Box geometry for rules: the same functions the native checks use.
enum GeometryBindings {
    typealias Rect = BoxGeometry.Rect

    static func rect(_ args: [LuaValue], _ i: Int, _ fn: String) -> Result<Rect, NativeError> {
        QCBindings.box(args, i, fn).map { Rect(x1: $0.0, y1: $0.1, x2: $0.2, y2: $0.3) }
    }

    static func pair(_ args: [LuaValue], _ fn: String, _ body: @escaping (Rect, Rect) -> Double) -> Result<[LuaValue], NativeError> {
        rect(args, 0, fn).flatMap { a in rect(args, 1, fn).map { b in [.num(body(a, b))] } }
    }

    static var all: [Binding] {
        [
            Binding(name: "qc.geom.iou", signature: "qc.geom.iou(a, b) -> number",
                    doc: "Intersection over union of two boxes (0 when either is degenerate).",
                    make: { _ in { args in pair(args, "qc.geom.iou", BoxGeometry.iou) } }),
            Binding(name: "qc.geom.coverage", signature: "qc.geom.coverage(b, a) -> number",
                    doc: "Share of box `b`'s area covered by box `a` (0–1): \"a person box covering > 80% of a forklift box\".",
                    make: { _ in { args in pair(args, "qc.geom.coverage") { b, a in BoxGeometry.coverage(of: b, by: a) } } }),
            Binding(name: "qc.geom.area", signature: "qc.geom.area(b) -> number",
                    doc: "Area in square pixels (0 for degenerate boxes).",
                    make: { _ in { args in rect(args, 0, "qc.geom.area").map { [.num(BoxGeometry.area($0))] } } }),
            Binding(name: "qc.geom.aspect", signature: "qc.geom.aspect(b) -> number",
                    doc: "Width / height (0 when the height is 0).",
                    make: { _ in { args in rect(args, 0, "qc.geom.aspect").map { [.num(BoxGeometry.aspect($0))] } } }),
            Binding(name: "qc.geom.clip", signature: "qc.geom.clip(b, width, height) -> {xyxy, overhang, outside}",
                    doc: """
                    The box clipped to the image: `xyxy` the clipped box, `overhang` the largest
                    distance in pixels by which it crossed an edge, `outside` the share of its
                    area that lay outside the image.
                    """, make: { _ in { args in
                        rect(args, 0, "qc.geom.clip").flatMap { r in
                            QCBindings.number(args, 1, "qc.geom.clip").flatMap { w in
                                QCBindings.number(args, 2, "qc.geom.clip").map { h in
                                    let c = BoxGeometry.clip(r, width: w, height: h)
                                    return [.record([("xyxy", .numbers(c.rect.xyxy)), ("overhang", .num(c.overhang)),
                                                     ("outside", .num(c.outsideFraction))])]
                                }
                            }
                        }
                    } }),
            Binding(name: "qc.geom.degenerate", signature: "qc.geom.degenerate(b) -> boolean",
                    doc: "True when the box has no width or height, or a coordinate that is not finite.",
                    make: { _ in { args in rect(args, 0, "qc.geom.degenerate").map { [.bool(BoxGeometry.isDegenerate($0))] } } }),
        ]
    }
}

/// Robust statistics over lists of numbers (NaN values are ignored).
enum StatsBindings {
    static func unary(_ fn: String, _ body: @escaping ([Double]) -> Double) -> (RuleContext) -> NativeFunction {
        { _ in { args in QCBindings.numbers(args, 0, fn).map { [.num(body($0))] } } }
    }

    static var all: [Binding] {
        [
            Binding(name: "qc.stats.median", signature: "qc.stats.median(list) -> number",
                    doc: "Median (NaN for an empty list).", make: unary("qc.stats.median", RobustStats.median)),
            Binding(name: "qc.stats.mad", signature: "qc.stats.mad(list) -> number",
                    doc: "Median absolute deviation, scaled by 1.4826 to estimate the standard deviation of normal data.",
                    make: unary("qc.stats.mad") { RobustStats.mad($0) }),
            Binding(name: "qc.stats.mean", signature: "qc.stats.mean(list) -> number",
                    doc: "Arithmetic mean.", make: unary("qc.stats.mean", RobustStats.mean)),
            Binding(name: "qc.stats.stddev", signature: "qc.stats.stddev(list) -> number",
                    doc: "Population standard deviation.", make: unary("qc.stats.stddev") { RobustStats.stddev($0) }),
            Binding(name: "qc.stats.percentile", signature: "qc.stats.percentile(list, p) -> number",
                    doc: "The p-th percentile (0–100), linear interpolation as numpy's default.",
                    make: { _ in { args in
                        QCBindings.numbers(args, 0, "qc.stats.percentile").flatMap { values in
                            QCBindings.number(args, 1, "qc.stats.percentile").flatMap { p in
                                guard (0...100).contains(p) else {
                                    return .failure(NativeError(message: "bad argument #2 to 'qc.stats.percentile' (p must be in 0–100, got \(p))"))
                                }
                                return .success([.num(RobustStats.percentile(values, p))])
                            }
                        }
                    } }),
            Binding(name: "qc.stats.robust_z", signature: "qc.stats.robust_z(list) -> list",
                    doc: "Robust z-score of each value: (x − median) / scaled MAD.",
                    make: { _ in { args in QCBindings.numbers(args, 0, "qc.stats.robust_z").map { [.numbers(RobustStats.robustZScores($0))] } } }),
        ]
    }
}
