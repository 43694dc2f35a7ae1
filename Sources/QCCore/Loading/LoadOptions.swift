import Dispatch
import Foundation

public struct LoadOptions: Sendable {
    /// Read image headers for sizes, orientation and EXIF. Without them COCO trusts the
    /// JSON sizes and YOLO keeps boxes normalised (`Dataset.normalizedBoxes`); no image I/O.
    public var readHeaders = true
    /// Worker threads for label files and image headers.
    public var jobs = ProcessInfo.processInfo.activeProcessorCount
    /// COCO lone file: where its images are (default: a sibling `images/`, else the file's folder).
    public var imagesDirectory: String?
    /// Load only this split (by name).
    public var onlySplit: String?
    /// Called from worker threads with a phase name, items done and total.
    public var progress: (@Sendable (String, Int, Int) -> Void)?
    /// Invalid lines listed per file before the rest are only counted.
    public var maxFindingsPerFile = 1000
    /// Headers from earlier runs by (path, size, mtime); new ones are recorded into it.
    public var headerCache: HeaderCache?

    public init() {}
}

/// An input that cannot be read at all. Everything less severe is a `Finding` in `Dataset.issues`.
public struct LoadError: Error, CustomStringConvertible, Sendable {
    /// Names the file (and line or field when known).
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Findings of the `input` check, built in one place so kinds and wording stay uniform.
enum InputIssue {
    static func make(_ kind: String, _ severity: Finding.Severity, image: String? = nil, split: String? = nil,
                     ref: String? = nil, _ message: String) -> Finding {
        Finding(check: "input", kind: kind, severity: severity, image: image, split: split, ref: ref, message: message)
    }

    /// The one finding that closes a capped list: "… and 312 more invalid lines in this file".
    static func more(_ kind: String, _ severity: Finding.Severity, image: String?, split: String?, ref: String,
                     count: Int, what: String) -> Finding {
        make(kind, severity, image: image, split: split, ref: ref,
             "\(count) more \(what) not listed (only the first ones are)")
    }
}
