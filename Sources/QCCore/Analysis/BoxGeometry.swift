/// Box geometry on pixel xyxy boxes, the primitives behind box_fit, missing_labels and
/// edge-case rules.
///
/// Conventions shared by every function here:
/// - A box with x2 < x1 (or y2 < y1) has zero extent on that axis, never a negative one,
///   so a malformed box can never produce a negative area or an IoU outside [0, 1].
/// - Any non-finite coordinate makes overlaps 0 (IoU, intersection, coverage) rather
///   than NaN, so one bad line cannot poison a sort or a threshold comparison.
/// - Functions are `@inlinable` because the rule engine and matching call them ~10⁷
///   times per run; a cross-module call per IoU would dominate.
public enum BoxGeometry {
    /// A box as four pixel coordinates. Plain value, no invariants enforced.
    public struct Rect: Sendable, Equatable, Hashable {
        public var x1: Double
        public var y1: Double
        public var x2: Double
        public var y2: Double

        @inlinable
        public init(x1: Double, y1: Double, x2: Double, y2: Double) {
            self.x1 = x1; self.y1 = y1; self.x2 = x2; self.y2 = y2
        }

        @inlinable
        public init(_ label: BoxLabel) {
            self.init(x1: label.x1, y1: label.y1, x2: label.x2, y2: label.y2)
        }

        @inlinable
        public init(_ prediction: PredictionBox) {
            self.init(x1: prediction.x1, y1: prediction.y1, x2: prediction.x2, y2: prediction.y2)
        }

        /// Center (cx, cy) and size (w, h), as YOLO label lines carry them.
        @inlinable
        public init(cx: Double, cy: Double, w: Double, h: Double) {
            self.init(x1: cx - w / 2, y1: cy - h / 2, x2: cx + w / 2, y2: cy + h / 2)
        }

        @inlinable public var width: Double { x2 - x1 }
        @inlinable public var height: Double { y2 - y1 }
        @inlinable public var centerX: Double { (x1 + x2) / 2 }
        @inlinable public var centerY: Double { (y1 + y2) / 2 }
        @inlinable public var xyxy: [Double] { [x1, y1, x2, y2] }

        @inlinable public var isFinite: Bool {
            x1.isFinite && y1.isFinite && x2.isFinite && y2.isFinite
        }
    }

    /// Area with negative extents clamped to 0; 0 for non-finite boxes.
    @inlinable
    public static func area(_ a: Rect) -> Double {
        let w = a.x2 - a.x1, h = a.y2 - a.y1
        // `w > 0` is false for NaN, so non-finite boxes fall through to 0.
        guard w > 0, h > 0 else { return 0 }
        let r = w * h
        return r.isFinite ? r : 0
    }

    /// Area of the overlap of a and b (0 when disjoint or either is degenerate/non-finite).
    @inlinable
    public static func intersection(_ a: Rect, _ b: Rect) -> Double {
        let w = Swift.min(a.x2, b.x2) - Swift.max(a.x1, b.x1)
        let h = Swift.min(a.y2, b.y2) - Swift.max(a.y1, b.y1)
        guard w > 0, h > 0 else { return 0 }
        let r = w * h
        return r.isFinite ? r : 0
    }

    /// The overlapping box of a and b, or nil when they do not overlap with positive area.
    @inlinable
    public static func intersectionRect(_ a: Rect, _ b: Rect) -> Rect? {
        let r = Rect(x1: Swift.max(a.x1, b.x1), y1: Swift.max(a.y1, b.y1),
                     x2: Swift.min(a.x2, b.x2), y2: Swift.min(a.y2, b.y2))
        return area(r) > 0 ? r : nil
    }

    /// Intersection over union in [0, 1]; 0 when the union is empty (two degenerate boxes).
    @inlinable
    public static func iou(_ a: Rect, _ b: Rect) -> Double {
        let inter = intersection(a, b)
        guard inter > 0 else { return 0 }
        let union = area(a) + area(b) - inter
        guard union > 0 else { return 0 }
        return Swift.min(1, inter / union)
    }

    /// Share of `b`'s area covered by `a`, in [0, 1] ("intersection over b").
    /// Not symmetric: `coverage(of: forklift, by: person) > 0.8` asks whether the person
    /// box hides most of the forklift, regardless of how large the person box is.
    /// 0 when `b` has no area.
    @inlinable
    public static func coverage(of b: Rect, by a: Rect) -> Double {
        let ab = area(b)
        guard ab > 0 else { return 0 }
        return Swift.min(1, intersection(a, b) / ab)
    }

    /// Width over height; NaN when the height is not positive or a coordinate is not
    /// finite (RobustStats ignores NaN, so aspect lists can be fed to it unfiltered).
    @inlinable
    public static func aspect(_ a: Rect) -> Double {
        let w = a.x2 - a.x1, h = a.y2 - a.y1
        guard h > 0, w.isFinite, h.isFinite else { return .nan }
        return Swift.max(0, w) / h
    }

    /// Euclidean distance between the two box centers, in pixels.
    @inlinable
    public static func centerDistance(_ a: Rect, _ b: Rect) -> Double {
        let dx = a.centerX - b.centerX, dy = a.centerY - b.centerY
        return (dx * dx + dy * dy).squareRoot()
    }

    /// Square root of the area: the box's linear "size" in pixels, comparable across aspects.
    @inlinable
    public static func linearSize(_ a: Rect) -> Double {
        area(a).squareRoot()
    }

    /// True when the box cannot be trained on: width or height ≤ `epsilon` pixels, or any
    /// coordinate NaN/infinite. Inverted boxes (x2 < x1) count as degenerate.
    @inlinable
    public static func isDegenerate(_ a: Rect, epsilon: Double = 1e-6) -> Bool {
        guard a.isFinite else { return true }
        return !(a.x2 - a.x1 > epsilon) || !(a.y2 - a.y1 > epsilon)
    }

    /// Result of clipping a box to the image rectangle [0, width] × [0, height].
    public struct Clip: Sendable, Equatable {
        /// The box clipped to the image (may be degenerate when the box lies fully outside).
        public var rect: Rect
        /// The farthest any edge reaches outside the image, in pixels (0 when inside).
        /// This is what a pixel tolerance for "out of bounds" compares against: rounding
        /// in converters typically leaves 0.5–1 px, a real error is tens of pixels.
        public var overhang: Double
        /// Share of the box's area that lies outside the image, in [0, 1]. For a box with
        /// no area: 0 when it touches the image, 1 when it lies entirely outside.
        public var outsideFraction: Double
        /// True when anything was cut (overhang > 0).
        @inlinable public var wasClipped: Bool { overhang > 0 }

        @inlinable
        public init(rect: Rect, overhang: Double, outsideFraction: Double) {
            self.rect = rect; self.overhang = overhang; self.outsideFraction = outsideFraction
        }
    }

    /// Clips `a` to an image of `width` × `height` pixels and measures what was cut.
    /// Non-finite coordinates are clipped to the nearest image edge; their overhang is infinite.
    @inlinable
    public static func clip(_ a: Rect, width: Double, height: Double) -> Clip {
        func clamp(_ v: Double, _ hi: Double) -> Double {
            if v.isNaN { return 0 }
            return Swift.min(Swift.max(v, 0), hi)
        }
        func beyond(_ v: Double, _ hi: Double) -> Double {
            if v.isNaN { return .infinity }
            return Swift.max(0, -v, v - hi)
        }
        let clipped = Rect(x1: clamp(a.x1, width), y1: clamp(a.y1, height),
                           x2: clamp(a.x2, width), y2: clamp(a.y2, height))
        let overhang = Swift.max(beyond(a.x1, width), beyond(a.y1, height),
                                 beyond(a.x2, width), beyond(a.y2, height))
        let full = area(a)
        let outside: Double
        if full > 0 {
            outside = Swift.min(1, Swift.max(0, 1 - area(clipped) / full))
        } else {
            // No area to take a share of: say whether the box is anywhere on the image.
            let touches = a.isFinite && Swift.max(a.x1, a.x2) >= 0 && Swift.min(a.x1, a.x2) <= width
                && Swift.max(a.y1, a.y2) >= 0 && Swift.min(a.y1, a.y2) <= height
            outside = touches ? 0 : 1
        }
        return Clip(rect: clipped, overhang: overhang, outsideFraction: outside)
    }
}
