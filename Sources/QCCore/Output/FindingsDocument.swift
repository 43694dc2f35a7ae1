/// findings.json, schema `qcpass.findings/1`: the contract users and CI scripts read.
/// Fields may be added, never renamed or removed (docs/findings.schema.json).
public struct FindingsDocument: Sendable {
    public static let schema = "qcpass.findings/1"

    public struct Tool: Sendable {
        public var version: String
        public var rulesSHA256: String
        public var configSHA256: String?
        public var predictionsSHA256: String?
        public init(version: String, rulesSHA256: String, configSHA256: String?, predictionsSHA256: String?) {
            self.version = version; self.rulesSHA256 = rulesSHA256
            self.configSHA256 = configSHA256; self.predictionsSHA256 = predictionsSHA256
        }
    }

    public struct ClassCount: Sendable {
        public var name: String
        public var instances: Int
        public var images: Int
        public init(name: String, instances: Int, images: Int) {
            self.name = name; self.instances = instances; self.images = images
        }
    }

    public var ready: Bool
    public var tool: Tool
    public var datasetName: String
    public var datasetRoot: String
    public var datasetFormat: String
    public var fingerprint: String
    public var images: Int
    public var labels: Int
    public var backgroundImages: Int
    public var perClass: [ClassCount]
    public var checks: [CheckResult]
    public var findings: [Finding]
    /// The folded audit sheet (`check --audit`); written only when present.
    public var audit: AuditSummary?

    public init(ready: Bool, tool: Tool, datasetName: String, datasetRoot: String, datasetFormat: String,
                fingerprint: String, images: Int, labels: Int, backgroundImages: Int,
                perClass: [ClassCount], checks: [CheckResult], findings: [Finding]) {
        self.ready = ready; self.tool = tool; self.datasetName = datasetName; self.datasetRoot = datasetRoot
        self.datasetFormat = datasetFormat; self.fingerprint = fingerprint; self.images = images
        self.labels = labels; self.backgroundImages = backgroundImages; self.perClass = perClass
        self.checks = checks; self.findings = findings
    }

    public func encoded(indent: Int = 1) -> [UInt8] {
        var w = JSONWriter(indent: indent, reserve: 4096 + findings.count * 400)
        w.beginObject()
        w.key("schema"); w.string(Self.schema)
        w.key("ready"); w.bool(ready)
        w.key("tool"); w.beginObject()
        w.key("name"); w.string("qcpass")
        w.key("version"); w.string(tool.version)
        w.key("rules_sha256"); w.string(tool.rulesSHA256)
        w.key("config_sha256"); optionalString(&w, tool.configSHA256)
        w.key("predictions_sha256"); optionalString(&w, tool.predictionsSHA256)
        w.endObject()
        w.key("dataset"); w.beginObject()
        w.key("name"); w.string(datasetName)
        w.key("root"); w.string(datasetRoot)
        w.key("format"); w.string(datasetFormat)
        w.key("fingerprint"); w.string(fingerprint)
        w.endObject()
        w.key("summary"); w.beginObject()
        w.key("images"); w.int(images)
        w.key("labels"); w.int(labels)
        w.key("background_images"); w.int(backgroundImages)
        w.key("per_class"); w.beginObject()
        for c in perClass {
            w.key(c.name); w.beginObject()
            w.key("instances"); w.int(c.instances)
            w.key("images"); w.int(c.images)
            w.endObject()
        }
        w.endObject()
        w.endObject()
        w.key("checks"); w.beginArray()
        for c in checks { Self.write(check: c, to: &w) }
        w.endArray()
        w.key("findings"); w.beginArray()
        // Through the buffer: each finding is read in place, not copied with its strings.
        findings.withUnsafeBufferPointer { all in
            for i in all.indices { Self.write(finding: all[i], to: &w) }
        }
        w.endArray()
        if let audit { w.key("audit"); audit.write(to: &w) }
        w.endObject()
        var out = w.bytes
        out.append(UInt8(ascii: "\n"))
        return out
    }

    private func optionalString(_ w: inout JSONWriter, _ s: String?) {
        if let s { w.string(s) } else { w.null() }
    }

    static func write(check c: CheckResult, to w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.string(c.id)
        w.key("title"); w.string(c.title)
        w.key("status"); w.string(c.status.rawValue)
        w.key("message"); w.string(c.message)
        if let e = c.exception { w.key("exception"); w.string(e) }
        w.key("metrics"); w.value(c.metrics)
        if let p = c.errorPlace { w.key("error_place"); w.string(p) }
        if let t = c.traceback { w.key("traceback"); w.string(t) }
        if let r = c.ruleFile { w.key("rule_file"); w.string(r) }
        w.endObject()
    }

    public static func write(finding f: Finding, to w: inout JSONWriter) {
        w.beginObject()
        w.key("id"); w.string(f.id)
        w.key("check"); w.string(f.check)
        w.key("kind"); w.string(f.kind)
        w.key("severity"); w.string(f.severity.rawValue)
        if let image = f.image { w.key("image"); w.string(image) }
        if let split = f.split { w.key("split"); w.string(split) }
        if let b = f.box {
            w.key("box"); w.beginObject()
            w.key("class"); w.string(b.className)
            w.key("class_id"); w.int(b.classId)
            w.key("xyxy"); w.beginArray()
            for v in b.xyxy { w.number(v, digits: 2) }
            w.endArray()
            if let ref = b.ref { w.key("ref"); w.string(ref) }
            w.endObject()
        }
        if f.box == nil, let c = f.className { w.key("class"); w.string(c) }
        if let ref = f.ref { w.key("ref"); w.string(ref) }
        if !f.related.isEmpty || f.relatedCount > 0 {
            w.key("related"); w.beginArray()
            for r in f.related.prefix(50) { w.string(r) }
            w.endArray()
            w.key("related_count"); w.int(max(f.relatedCount, f.related.count))
        }
        if let s = f.score { w.key("score"); w.number(s, digits: 4) }
        w.key("message"); w.string(f.message)
        if let s = f.suggestion { w.key("suggestion"); w.value(s) }
        if let e = f.exception { w.key("exception"); w.string(e) }
        if f.inBaseline { w.key("baseline"); w.bool(true) }
        w.endObject()
    }
}
